//! Splitting a connected set of mesh cells into a given number of connected regions.
//!
//! Regions grow from seeds over the cell adjacency graph; at each step the region furthest
//! below its target share claims its cheapest frontier cell. A region only grows from cells
//! it owns, so every region is connected, and since regions take turns by share, their sizes
//! follow the targets. Seeds are spread by farthest-point sampling and then moved to their
//! region's centre a few times (Lloyd's method on the graph), which makes regions compact.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use geo_types::Coord;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::mesh::{Mesh, NONE};

/// Reusable scratch space sized to the mesh.
pub struct Grower<'m> {
    mesh: &'m Mesh,
    /// Region of each cell during a split; `NONE` when unclaimed or not in the set.
    owner: Vec<u32>,
    /// Marks the cells of the set being split.
    member: Vec<u32>,
    stamp: u32,
    hops: Vec<u32>,
}

/// A total order on non-negative costs (their IEEE bits are monotone).
fn cost_key(c: f64) -> u64 {
    c.max(0.0).to_bits()
}

/// A deterministic value in [0, 1) for an unordered cell pair and a salt (splitmix64).
pub fn pair_noise(a: u32, b: u32, salt: u64) -> f64 {
    let (a, b) = (a.min(b) as u64, a.max(b) as u64);
    let mut z = (a << 32 | b) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Smooth value noise in [0, 1) at `(x, y)` (lattice spacing 1): random values at integer
/// lattice points, blended with a smoothstep. Gives region boundaries bends at the lattice
/// scale instead of the uniform wobble of per-edge noise.
pub fn value_noise(x: f64, y: f64, salt: u64) -> f64 {
    let (xf, yf) = (x.floor(), y.floor());
    let (tx, ty) = (x - xf, y - yf);
    let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
    let at = |i: f64, j: f64| pair_noise((i as i64 as u32) ^ 0x5555_5555, j as i64 as u32, salt);
    let (a, b) = (at(xf, yf), at(xf + 1.0, yf));
    let (c, d) = (at(xf, yf + 1.0), at(xf + 1.0, yf + 1.0));
    let top = a + (b - a) * sx;
    let bottom = c + (d - c) * sx;
    top + (bottom - top) * sy
}

impl<'m> Grower<'m> {
    /// Scratch space for `mesh`.
    pub fn new(mesh: &'m Mesh) -> Self {
        let n = mesh.len();
        Self { mesh, owner: vec![NONE; n], member: vec![0; n], stamp: 0, hops: vec![u32::MAX; n] }
    }

    fn mark(&mut self, cells: &[u32]) {
        self.stamp += 1;
        for &c in cells {
            self.member[c as usize] = self.stamp;
            self.owner[c as usize] = NONE;
        }
    }

    fn is_member(&self, c: u32) -> bool {
        self.member[c as usize] == self.stamp
    }

    /// Splits `cells` (connected) into regions grown from `seeds`, region `r` aiming at a share
    /// `targets[r]` of the total `measure`. `weight(a, b)` is the cost of stepping between
    /// adjacent cells. Returns the region of each cell of `cells`, in order.
    pub fn grow(
        &mut self,
        cells: &[u32],
        seeds: &[u32],
        targets: &[f64],
        measure: &dyn Fn(u32) -> f64,
        weight: &dyn Fn(u32, u32) -> f64,
    ) -> Vec<u32> {
        self.mark(cells);
        let k = seeds.len();
        let mut frontier: Vec<BinaryHeap<Reverse<(u64, u32)>>> = vec![BinaryHeap::new(); k];
        let mut claimed = vec![0.0f64; k];
        let mut turns: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
        let total: f64 = targets.iter().sum();
        let share = |r: usize, claimed: &[f64]| cost_key(claimed[r] / (targets[r] / total).max(1e-12));
        for (r, &s) in seeds.iter().enumerate() {
            if self.owner[s as usize] == NONE {
                frontier[r].push(Reverse((cost_key(0.0), s)));
            }
            turns.push(Reverse((0, r as u32)));
        }
        // A cell's path cost travels in its heap entry; the cost it was claimed at is final.
        while let Some(Reverse((_, r))) = turns.pop() {
            let r = r as usize;
            let mut took = None;
            while let Some(Reverse((c_key, c))) = frontier[r].pop() {
                if self.owner[c as usize] == NONE {
                    took = Some((f64::from_bits(c_key), c));
                    break;
                }
            }
            let Some((c_cost, c)) = took else { continue };
            self.owner[c as usize] = r as u32;
            claimed[r] += measure(c);
            for &nb in self.mesh.adjacent(c) {
                if self.is_member(nb) && self.owner[nb as usize] == NONE {
                    frontier[r].push(Reverse((cost_key(c_cost + weight(c, nb)), nb)));
                }
            }
            turns.push(Reverse((share(r, &claimed), r as u32)));
        }
        cells.iter().map(|&c| self.owner[c as usize]).collect()
    }

    /// `k` seeds in `cells` spread by farthest-point sampling in hops, starting from the cell
    /// farthest from a random one.
    pub fn spread_seeds(&mut self, cells: &[u32], k: usize, rng: &mut ChaCha8Rng) -> Vec<u32> {
        self.mark(cells);
        let start = cells[rng.random_range(0..cells.len())];
        for &c in cells {
            self.hops[c as usize] = u32::MAX;
        }
        self.bfs_update(start);
        let first = self.farthest(cells);
        for &c in cells {
            self.hops[c as usize] = u32::MAX;
        }
        let mut seeds = vec![first];
        self.bfs_update(first);
        while seeds.len() < k {
            let next = self.farthest(cells);
            seeds.push(next);
            self.bfs_update(next);
        }
        seeds
    }

    fn farthest(&self, cells: &[u32]) -> u32 {
        let mut best = cells[0];
        for &c in cells {
            if self.hops[c as usize] > self.hops[best as usize] {
                best = c;
            }
        }
        best
    }

    /// Lowers `hops` to the BFS distance from `from` where that is smaller.
    fn bfs_update(&mut self, from: u32) {
        let mut queue = VecDeque::new();
        self.hops[from as usize] = 0;
        queue.push_back(from);
        while let Some(c) = queue.pop_front() {
            let d = self.hops[c as usize] + 1;
            for &nb in self.mesh.adjacent(c) {
                if self.is_member(nb) && self.hops[nb as usize] > d {
                    self.hops[nb as usize] = d;
                    queue.push_back(nb);
                }
            }
        }
    }
}

/// For each region, the cell nearest the measure-weighted mean position of its cells (in a
/// plane with longitude scaled by `kx`): the seed for the next Lloyd round.
pub fn centres(
    mesh: &Mesh,
    cells: &[u32],
    regions: &[u32],
    k: usize,
    kx: f64,
    measure: &dyn Fn(u32) -> f64,
) -> Vec<u32> {
    let mut sum = vec![(0.0f64, 0.0f64, 0.0f64); k];
    for (&c, &r) in cells.iter().zip(regions) {
        let p = mesh.points[c as usize];
        let w = measure(c).max(1e-12);
        let s = &mut sum[r as usize];
        s.0 += p.x * w;
        s.1 += p.y * w;
        s.2 += w;
    }
    let mean: Vec<Coord<f64>> = sum.iter().map(|s| Coord { x: s.0 / s.2, y: s.1 / s.2 }).collect();
    let mut best = vec![(f64::INFINITY, NONE); k];
    for (&c, &r) in cells.iter().zip(regions) {
        let p = mesh.points[c as usize];
        let m = mean[r as usize];
        let d = ((p.x - m.x) * kx).powi(2) + (p.y - m.y).powi(2);
        if d < best[r as usize].0 {
            best[r as usize] = (d, c);
        }
    }
    best.into_iter().map(|(_, c)| c).collect()
}
