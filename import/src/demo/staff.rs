//! The demo roster: the district's 26,341 grid staff by role, invented people (names and phone
//! numbers made up, every row marked `source=demo`).
//!
//! - 市级专职 (21): the district command centre's dispatchers.
//! - 协调员 (3,575): a grid leader (网格长) for each level-1 grid, four dispatchers for each
//!   township sub-centre, and the rest coordinating level-2 grids (at least two each).
//! - 兼职网格员 (14,803): at least one grid worker in every leaf grid, the rest where people live.
//! - 志愿者 (6,776): in leaf grids, where people live.
//! - 专业力量 (1,166): ten forces in each township, each member answering for a run of the
//!   township's level-1 grids, so every level-1 grid has someone of every force.

use std::collections::BTreeMap;

use gridgis_cases::{Force, Position, Role, StaffMember};
use gridgis_engine::Grid;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::grids::rng_for;
use super::layers::SURNAMES;

/// Staff per role: the district's own figures.
pub const STAFF_COUNTS: [(Role, usize); 5] = [
    (Role::Professional, 1_166),
    (Role::CityFulltime, 21),
    (Role::Coordinator, 3_575),
    (Role::PartTime, 14_803),
    (Role::Volunteer, 6_776),
];

/// Dispatchers at each township sub-centre.
const TOWNSHIP_DISPATCHERS: usize = 4;
/// Coordinators at least in each level-2 grid.
const L2_COORDINATORS: usize = 2;

/// Characters of given names, common ones.
const GIVEN: [&str; 72] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "玉", "萍", "红", "建", "文", "辉", "力", "鹏", "飞", "宇", "浩", "凯", "鑫", "晨",
    "婷", "雪", "琳", "燕", "海", "波", "斌", "峰", "俊", "亮", "宁", "欣", "颖", "佳", "丹", "阳", "东", "志", "国",
    "春", "永", "玲", "兰", "淑", "荣", "德", "成", "林", "云", "新", "利", "清", "慧", "媛",
];

/// Mobile prefixes of the three carriers.
const PREFIXES: [&str; 16] =
    ["133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159", "186", "187", "188", "189"];

/// Splits `total` over `weights` (each at least `min`), by largest remainder: deterministic.
pub(super) fn allocate(total: usize, weights: &[f64], min: usize) -> Vec<usize> {
    let mut out = vec![min; weights.len()];
    let rest = total.saturating_sub(min * weights.len());
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return out;
    }
    let shares: Vec<f64> = weights.iter().map(|w| w / sum * rest as f64).collect();
    let mut given = 0;
    for (o, s) in out.iter_mut().zip(&shares) {
        *o += s.floor() as usize;
        given += s.floor() as usize;
    }
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (shares[b] - shares[b].floor()).total_cmp(&(shares[a] - shares[a].floor())).then(a.cmp(&b)));
    for &i in order.iter().take(rest - given) {
        out[i] += 1;
    }
    out
}

struct People {
    rng: ChaCha8Rng,
    staff: Vec<StaffMember>,
}

impl People {
    fn name(&mut self) -> String {
        // Surnames listed most common first: weight them so.
        let s = loop {
            let i = self.rng.random_range(0..SURNAMES.len());
            if self.rng.random::<f64>() < 8.0 / (i as f64 + 8.0) {
                break SURNAMES[i];
            }
        };
        let mut name = s.to_owned();
        for _ in 0..self.rng.random_range(1..=2) {
            name.push_str(GIVEN[self.rng.random_range(0..GIVEN.len())]);
        }
        name
    }

    fn add(&mut self, role: Role, position: Position, unit: &str, force: Option<Force>, covers: Vec<String>) {
        let name = self.name();
        let phone = format!(
            "{}{:08}",
            PREFIXES[self.rng.random_range(0..PREFIXES.len())],
            self.rng.random_range(0..100_000_000u32)
        );
        let id = format!("HR-S-{:06}", self.staff.len() + 1);
        self.staff.push(StaffMember {
            id,
            name,
            role,
            position,
            force,
            unit_code: unit.to_owned(),
            covers,
            phone,
            source: "demo".into(),
        });
    }
}

/// The roster over `grids`; `people_per_grid` (addresses per grid code) weighs where part-time
/// workers, volunteers and coordinators go.
pub fn roster(grids: &[Grid], people_per_grid: &BTreeMap<String, usize>, seed: u64) -> Vec<StaffMember> {
    let mut p = People { rng: rng_for(seed, "staff", "", 0), staff: Vec::new() };
    let count = |role: Role| STAFF_COUNTS.iter().find(|r| r.0 == role).map_or(0, |r| r.1);
    let mut by_code: Vec<&Grid> = grids.iter().collect();
    by_code.sort_by(|a, b| a.code.cmp(&b.code));
    let district = by_code.iter().find(|g| g.level == 0).map_or("110116", |g| g.code.as_str()).to_owned();
    let parents: std::collections::BTreeSet<&str> = grids.iter().filter_map(|g| g.parent_code.as_deref()).collect();
    let leaves: Vec<&Grid> =
        by_code.iter().copied().filter(|g| g.level > 0 && !parents.contains(g.code.as_str())).collect();
    let level = |l: u8| -> Vec<&Grid> { by_code.iter().copied().filter(|g| g.level == l).collect() };
    let (l1, l2) = (level(1), level(2));
    // Weight by people under each grid: a leaf by its addresses; a level-2 grid by its leaves'.
    // The square root keeps a dense village's leaf to a handful of workers, as districts staff
    // them (a worker per few hundred households, and no grid without one).
    let leaf_weight: Vec<f64> =
        leaves.iter().map(|g| (1.0 + *people_per_grid.get(&g.code).unwrap_or(&0) as f64).sqrt()).collect();
    let mut l2_weight: BTreeMap<&str, f64> = BTreeMap::new();
    for (g, w) in leaves.iter().zip(&leaf_weight) {
        if let Some(code) = g.code.get(..15) {
            *l2_weight.entry(code).or_default() += w;
        }
    }

    for _ in 0..count(Role::CityFulltime) {
        p.add(Role::CityFulltime, Position::Dispatcher, &district, None, vec![]);
    }

    let mut townships: BTreeMap<String, Vec<&Grid>> = BTreeMap::new();
    for g in &l1 {
        if let Some(t) = &g.township_code {
            townships.entry(t.clone()).or_default().push(g);
        }
    }
    for g in &l1 {
        p.add(Role::Coordinator, Position::GridLeader, &g.code, None, vec![]);
    }
    for t in townships.keys() {
        for _ in 0..TOWNSHIP_DISPATCHERS {
            p.add(Role::Coordinator, Position::Dispatcher, t, None, vec![]);
        }
    }
    let rest = count(Role::Coordinator) - l1.len() - TOWNSHIP_DISPATCHERS * townships.len();
    let w: Vec<f64> = l2.iter().map(|g| *l2_weight.get(g.code.as_str()).unwrap_or(&1.0)).collect();
    for (g, n) in l2.iter().zip(allocate(rest, &w, L2_COORDINATORS)) {
        for _ in 0..n {
            p.add(Role::Coordinator, Position::GridCoordinator, &g.code, None, vec![]);
        }
    }

    for (g, n) in leaves.iter().zip(allocate(count(Role::PartTime), &leaf_weight, 1)) {
        for _ in 0..n {
            p.add(Role::PartTime, Position::GridWorker, &g.code, None, vec![]);
        }
    }
    for (g, n) in leaves.iter().zip(allocate(count(Role::Volunteer), &leaf_weight, 0)) {
        for _ in 0..n {
            p.add(Role::Volunteer, Position::Volunteer, &g.code, None, vec![]);
        }
    }

    // Forces: every (township, force) gets members in proportion to the township's level-1
    // grids, at least one; member j answers for the j-th run of those grids.
    let units: Vec<(&String, Force)> = townships.keys().flat_map(|t| Force::ALL.map(|f| (t, f))).collect();
    let w: Vec<f64> = units.iter().map(|(t, _)| townships[*t].len() as f64).collect();
    for ((t, force), n) in units.iter().zip(allocate(count(Role::Professional), &w, 1)) {
        let grids = &townships[*t];
        for j in 0..n {
            let covers: Vec<String> = if n >= grids.len() {
                vec![grids[j % grids.len()].code.clone()]
            } else {
                grids[j * grids.len() / n..(j + 1) * grids.len() / n].iter().map(|g| g.code.clone()).collect()
            };
            p.add(Role::Professional, Position::ForceMember, t, Some(*force), covers);
        }
    }
    p.staff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_hits_the_total_and_the_minimum() {
        let a = allocate(100, &[1.0, 2.0, 3.0, 0.5], 5);
        assert_eq!(a.iter().sum::<usize>(), 100);
        assert!(a.iter().all(|&n| n >= 5));
        assert!(a[2] > a[1] && a[1] > a[0]);
    }
}
