//! Case counts per grid and time window: the command-centre map's choropleth and the monthly
//! report.

use gridgis_engine::{GridId, Hierarchy};

use crate::log::{CaseIndex, Entry};

/// A category filter: a class (`市容环境`), a subclass (`暴露垃圾`), `class/subclass`, or none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CategoryFilter(Option<String>);

impl CategoryFilter {
    /// A filter on `name`; `None` or blank passes every case.
    pub fn new(name: Option<&str>) -> Self {
        Self(name.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned))
    }

    /// The filter's text.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// True when a case of this class and subclass passes.
    pub fn passes(&self, class: Option<&str>, sub: Option<&str>) -> bool {
        let Some(f) = self.0.as_deref() else { return true };
        match f.split_once('/') {
            Some((c, s)) => class == Some(c) && sub == Some(s),
            None => class == Some(f) || sub == Some(f),
        }
    }
}

/// Cases per grid of one level.
#[derive(Clone, Debug, PartialEq)]
pub struct GridCounts {
    /// The level's grids, in code order.
    pub grids: Vec<GridId>,
    /// Cases in each (same order).
    pub counts: Vec<u32>,
    /// Cases counted (those whose grid lies at or below the level).
    pub total: u64,
}

/// The grids of `level` in code order.
pub fn level_grids(h: &Hierarchy, level: u8) -> Vec<GridId> {
    let mut ids: Vec<GridId> = (0..h.len()).map(|i| i as GridId).filter(|&g| h.grid(g).level == level).collect();
    ids.sort_by(|&a, &b| h.grid(a).code.cmp(&h.grid(b).code));
    ids
}

/// Counts the cases of `window` that pass `filter` per grid of `level`. A case counts in the
/// grid of that level containing its grid; a case placed only at a coarser level (a
/// village-level address, counted at level 1) does not count at finer levels.
pub fn grid_counts(
    index: &CaseIndex,
    h: &Hierarchy,
    level: u8,
    window: &[Entry],
    filter: &CategoryFilter,
) -> GridCounts {
    let grids = level_grids(h, level);
    let mut pos = vec![u32::MAX; h.len()];
    for (i, &g) in grids.iter().enumerate() {
        pos[g as usize] = i as u32;
    }
    let mut counts = vec![0u32; grids.len()];
    let mut total = 0;
    for e in window {
        let Some(g) = e.grid else { continue };
        if !index.passes(e, filter) {
            continue;
        }
        if let Some(a) = h.ancestor_at(g, level) {
            let p = pos[a as usize];
            if p != u32::MAX {
                counts[p as usize] += 1;
                total += 1;
            }
        }
    }
    GridCounts { grids, counts, total }
}

/// The cases of `window` in `grid` (at any depth below it), and how many per class, most first.
pub fn grid_summary(index: &CaseIndex, h: &Hierarchy, grid: GridId, window: &[Entry]) -> (u64, Vec<(String, u64)>) {
    let level = h.grid(grid).level;
    let mut by_class: Vec<u64> = Vec::new();
    let mut total = 0;
    for e in window {
        let Some(g) = e.grid else { continue };
        if h.ancestor_at(g, level) != Some(grid) {
            continue;
        }
        total += 1;
        let c = usize::from(e.class);
        if by_class.len() <= c {
            by_class.resize(c + 1, 0);
        }
        by_class[c] += 1;
    }
    let mut out: Vec<(String, u64)> = by_class
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n > 0)
        .map(|(c, &n)| (index.name(c as u16).unwrap_or("未分类").to_owned(), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (total, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_matches_a_class_a_subclass_or_both() {
        let f = CategoryFilter::new(Some("市容环境"));
        assert!(f.passes(Some("市容环境"), Some("暴露垃圾")));
        assert!(!f.passes(Some("宣传广告"), None));
        assert!(CategoryFilter::new(Some("暴露垃圾")).passes(Some("市容环境"), Some("暴露垃圾")));
        assert!(CategoryFilter::new(Some("市容环境/暴露垃圾")).passes(Some("市容环境"), Some("暴露垃圾")));
        assert!(!CategoryFilter::new(Some("宣传广告/暴露垃圾")).passes(Some("市容环境"), Some("暴露垃圾")));
        assert!(CategoryFilter::new(Some("  ")).passes(None, None));
    }
}
