//! The grid hierarchy: one or more districts (level 0, each the root of its own tree) and the
//! nested grid levels below them, with the township-level units (街道/镇/乡/地区/开发区) that
//! every level-1 grid belongs to.

use std::collections::HashMap;

use geo_types::MultiPolygon;

/// Index of a grid inside a [`Hierarchy`]; stable for the lifetime of that hierarchy.
pub type GridId = u32;

/// One grid: a cell of one level of the partition.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Digits only; level 0 has 6, level 1 has 12, and each deeper level adds 3 to its parent's.
    pub code: String,
    /// Display name (Chinese).
    pub name: String,
    /// 0 for a district, 1–4 below it.
    pub level: u8,
    /// What the grid is: `district`, `community`, `village`, `city_street`, `dev_zone`,
    /// `compound`, `building`, …
    pub kind: String,
    /// Code of the parent grid; `None` only for level 0.
    pub parent_code: Option<String>,
    /// Code (9 digits) of the township-level unit; `None` only for level 0.
    pub township_code: Option<String>,
    /// Outline, lon/lat degrees (WGS84).
    pub geometry: MultiPolygon<f64>,
}

/// A township-level unit (a sub-command-centre). Not a grid level, but on every answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Township {
    /// 9-digit statistical code.
    pub code: String,
    /// Chinese name, e.g. `泉河街道`.
    pub name: String,
    /// `subdistrict`, `area`, `town`, `ethnic_township` or `dev_zone`.
    pub kind: String,
    /// Outline, lon/lat degrees (WGS84).
    pub geometry: MultiPolygon<f64>,
}

/// Why a set of grids does not form a hierarchy.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HierarchyError {
    /// Two grids share a code.
    #[error("grid code {code} appears more than once")]
    DuplicateCode {
        /// The repeated code.
        code: String,
    },
    /// A code is not digits of the length its level requires.
    #[error("grid {code}: a level-{level} code must be {expected} digits")]
    BadCode {
        /// The offending code.
        code: String,
        /// Its level.
        level: u8,
        /// The number of digits the level requires.
        expected: usize,
    },
    /// There is no level-0 grid: a hierarchy needs at least one district.
    #[error("expected at least one level-0 grid (a district), found {found}")]
    Root {
        /// Number of level-0 grids found.
        found: usize,
    },
    /// A grid names a parent that is missing, on the wrong level, or whose code is not a prefix.
    #[error("grid {code}: parent {parent:?} is missing, not one level up, or not a prefix of the code")]
    BadParent {
        /// The grid.
        code: String,
        /// The parent it names.
        parent: Option<String>,
    },
    /// A grid names a township that is not in the township table, or one whose code is not a
    /// prefix of a level-1 code.
    #[error("grid {code}: township {township:?} is unknown or inconsistent with the code")]
    BadTownship {
        /// The grid.
        code: String,
        /// The township it names.
        township: Option<String>,
    },
}

/// A validated grid hierarchy with parent and child tables.
///
/// Guarantees: at least one level-0 grid (a district; a city has several, each the root of
/// its own tree); every other grid has a parent exactly one level up whose code is a prefix of
/// its own, so every grid has exactly one district above it; every grid below level 0 names a
/// known township, the same one as its parent, so a township's grids all lie in one district.
/// Grid ids are positions in the order the grids were given.
#[derive(Debug)]
pub struct Hierarchy {
    grids: Vec<Grid>,
    parents: Vec<Option<GridId>>,
    children: Vec<Vec<GridId>>,
    township_of: Vec<Option<u32>>,
    by_code: HashMap<String, GridId>,
    townships: Vec<Township>,
    township_by_code: HashMap<String, u32>,
    leaves: Vec<GridId>,
    /// The level-0 grids, in id order.
    roots: Vec<GridId>,
    /// Per grid: its level-0 ancestor (itself for a district).
    root_of: Vec<GridId>,
    /// Per township: the district of its level-1 grids (`None` when no grid names it).
    township_root: Vec<Option<GridId>>,
}

/// Number of digits in a code of `level`: 6 for the district, 12 for level 1, +3 per level.
fn code_len(level: u8) -> usize {
    if level == 0 { 6 } else { 12 + 3 * (usize::from(level) - 1) }
}

impl Hierarchy {
    /// Builds the parent and child tables and checks every rule in the type's guarantees.
    pub fn new(grids: Vec<Grid>, townships: Vec<Township>) -> Result<Self, HierarchyError> {
        let mut by_code = HashMap::with_capacity(grids.len());
        for (i, g) in grids.iter().enumerate() {
            let expected = code_len(g.level);
            if g.code.len() != expected || !g.code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(HierarchyError::BadCode { code: g.code.clone(), level: g.level, expected });
            }
            if by_code.insert(g.code.clone(), i as GridId).is_some() {
                return Err(HierarchyError::DuplicateCode { code: g.code.clone() });
            }
        }
        let roots: Vec<GridId> = (0..grids.len()).filter(|&i| grids[i].level == 0).map(|i| i as GridId).collect();
        if roots.is_empty() {
            return Err(HierarchyError::Root { found: 0 });
        }
        let township_by_code: HashMap<String, u32> =
            townships.iter().enumerate().map(|(i, t)| (t.code.clone(), i as u32)).collect();

        let mut parents = vec![None; grids.len()];
        let mut children = vec![Vec::new(); grids.len()];
        let mut township_of = vec![None; grids.len()];
        for (i, g) in grids.iter().enumerate() {
            if g.level == 0 {
                continue;
            }
            let bad_parent = || HierarchyError::BadParent { code: g.code.clone(), parent: g.parent_code.clone() };
            let pid = *g.parent_code.as_ref().and_then(|p| by_code.get(p)).ok_or_else(bad_parent)?;
            let parent = &grids[pid as usize];
            if parent.level + 1 != g.level || !g.code.starts_with(&parent.code) {
                return Err(bad_parent());
            }
            parents[i] = Some(pid);
            children[pid as usize].push(i as GridId);

            let bad_township =
                || HierarchyError::BadTownship { code: g.code.clone(), township: g.township_code.clone() };
            let tid = *g.township_code.as_ref().and_then(|t| township_by_code.get(t)).ok_or_else(bad_township)?;
            let consistent = if g.level == 1 {
                g.code.starts_with(&townships[tid as usize].code)
            } else {
                parent.township_code == g.township_code
            };
            if !consistent {
                return Err(bad_township());
            }
            township_of[i] = Some(tid);
        }
        for list in &mut children {
            list.sort_by(|&a, &b| grids[a as usize].code.cmp(&grids[b as usize].code));
        }
        let leaves = (0..grids.len() as GridId).filter(|&i| children[i as usize].is_empty()).collect();
        // Every parent is one level up, so a walk up ends at level 0 within five steps.
        let root_of: Vec<GridId> = (0..grids.len())
            .map(|i| {
                let mut cur = i as GridId;
                while let Some(p) = parents[cur as usize] {
                    cur = p;
                }
                cur
            })
            .collect();
        let mut township_root = vec![None; townships.len()];
        for (i, g) in grids.iter().enumerate() {
            if let (1, Some(t)) = (g.level, township_of[i]) {
                township_root[t as usize] = Some(root_of[i]);
            }
        }
        Ok(Self {
            grids,
            parents,
            children,
            township_of,
            by_code,
            townships,
            township_by_code,
            leaves,
            roots,
            root_of,
            township_root,
        })
    }

    /// Number of grids, all levels.
    pub fn len(&self) -> usize {
        self.grids.len()
    }

    /// True when there are no grids (never, for a hierarchy built by [`Hierarchy::new`]).
    pub fn is_empty(&self) -> bool {
        self.grids.is_empty()
    }

    /// The grid with this id.
    ///
    /// # Panics
    /// If `id` did not come from this hierarchy.
    pub fn grid(&self, id: GridId) -> &Grid {
        &self.grids[id as usize]
    }

    /// All grids in id order.
    pub fn grids(&self) -> &[Grid] {
        &self.grids
    }

    /// The grid with this code, if any.
    pub fn by_code(&self, code: &str) -> Option<GridId> {
        self.by_code.get(code).copied()
    }

    /// The level-0 grids (the districts), in id order; never empty.
    pub fn roots(&self) -> &[GridId] {
        &self.roots
    }

    /// The first district: in a one-district hierarchy, the district.
    ///
    /// Code that may see several districts asks [`Hierarchy::root_of`] (the district of a
    /// grid) or [`Hierarchy::roots`] (all of them) instead.
    pub fn root(&self) -> GridId {
        self.roots[0]
    }

    /// The district (level-0 grid) `id` lies in; `id` itself for a district.
    ///
    /// # Panics
    /// If `id` did not come from this hierarchy.
    pub fn root_of(&self, id: GridId) -> GridId {
        self.root_of[id as usize]
    }

    /// The district of the township with this code: the one its level-1 grids lie in; `None`
    /// for an unknown code or a township no grid names.
    pub fn township_root(&self, code: &str) -> Option<GridId> {
        self.township_by_code.get(code).and_then(|&t| self.township_root[t as usize])
    }

    /// The parent of `id`, `None` for a district.
    pub fn parent(&self, id: GridId) -> Option<GridId> {
        self.parents[id as usize]
    }

    /// The children of `id`, sorted by code.
    pub fn children(&self, id: GridId) -> &[GridId] {
        &self.children[id as usize]
    }

    /// Grids without children: the finest grid at every point of every district.
    pub fn leaves(&self) -> &[GridId] {
        &self.leaves
    }

    /// `id` and its ancestors, from its district (level 0) down to `id`.
    pub fn chain(&self, id: GridId) -> Vec<GridId> {
        let mut chain = Vec::with_capacity(5);
        let mut cur = Some(id);
        while let Some(c) = cur {
            chain.push(c);
            cur = self.parents[c as usize];
        }
        chain.reverse();
        chain
    }

    /// The ancestor of `id` at `level` (or `id` itself), if `id` is at that level or deeper.
    pub fn ancestor_at(&self, id: GridId, level: u8) -> Option<GridId> {
        let mut cur = id;
        loop {
            let g = &self.grids[cur as usize];
            if g.level == level {
                return Some(cur);
            }
            if g.level < level {
                return None;
            }
            cur = self.parents[cur as usize]?;
        }
    }

    /// The township of `id`; `None` for a district.
    pub fn township(&self, id: GridId) -> Option<&Township> {
        self.township_of[id as usize].map(|t| &self.townships[t as usize])
    }

    /// All township-level units, in the order given.
    pub fn townships(&self) -> &[Township] {
        &self.townships
    }

    /// The township with this code, if any.
    pub fn township_by_code(&self, code: &str) -> Option<&Township> {
        self.township_by_code.get(code).map(|&t| &self.townships[t as usize])
    }

    /// Number of grids per level over every district, index = level.
    pub fn counts_per_level(&self) -> Vec<usize> {
        let max = self.grids.iter().map(|g| g.level).max().unwrap_or(0);
        let mut counts = vec![0; usize::from(max) + 1];
        for g in &self.grids {
            counts[usize::from(g.level)] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{MultiPolygon, polygon};

    fn square(x: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 1.0, y: 1.0), (x: x, y: 1.0)]])
    }

    fn grid(code: &str, level: u8, parent: Option<&str>, township: Option<&str>) -> Grid {
        Grid {
            code: code.into(),
            name: code.into(),
            level,
            kind: "test".into(),
            parent_code: parent.map(Into::into),
            township_code: township.map(Into::into),
            geometry: square(0.0),
        }
    }

    fn townships() -> Vec<Township> {
        vec![Township {
            code: "110116001".into(),
            name: "泉河街道".into(),
            kind: "subdistrict".into(),
            geometry: square(0.0),
        }]
    }

    #[test]
    fn builds_tables() {
        let t = Some("110116001");
        let h = Hierarchy::new(
            vec![
                grid("110116", 0, None, None),
                grid("110116001001", 1, Some("110116"), t),
                grid("110116001001002", 2, Some("110116001001"), t),
                grid("110116001001001", 2, Some("110116001001"), t),
            ],
            townships(),
        )
        .unwrap();
        assert_eq!(h.roots(), &[0]);
        assert_eq!(h.root(), 0);
        assert_eq!((h.root_of(0), h.root_of(2)), (0, 0));
        assert_eq!(h.township_root("110116001"), Some(0));
        assert_eq!(h.township_root("110116009"), None);
        assert_eq!(h.children(1), &[3, 2]);
        assert_eq!(h.chain(2), vec![0, 1, 2]);
        assert_eq!(h.leaves(), &[2, 3]);
        assert_eq!(h.ancestor_at(2, 1), Some(1));
        assert_eq!(h.ancestor_at(1, 2), None);
        assert_eq!(h.township(2).map(|t| t.name.as_str()), Some("泉河街道"));
        assert!(h.township(0).is_none());
        assert_eq!(h.counts_per_level(), vec![1, 1, 2]);
    }

    #[test]
    fn several_districts_are_several_trees() {
        let mut towns = townships();
        towns.push(Township { code: "110105001".into(), name: "建外街道".into(), ..towns[0].clone() });
        let (t1, t2) = (Some("110116001"), Some("110105001"));
        let h = Hierarchy::new(
            vec![
                grid("110116001001", 1, Some("110116"), t1),
                grid("110116", 0, None, None),
                grid("110105", 0, None, None),
                grid("110105001001", 1, Some("110105"), t2),
                grid("110105001001001", 2, Some("110105001001"), t2),
            ],
            towns,
        )
        .unwrap();
        assert_eq!(h.roots(), &[1, 2]);
        assert_eq!(h.root(), 1);
        assert_eq!([0, 1, 2, 3, 4].map(|g| h.root_of(g)), [1, 1, 2, 2, 2]);
        assert_eq!(h.chain(4), vec![2, 3, 4]);
        assert_eq!(h.township_root("110105001"), Some(2));
        assert_eq!(h.township_root("110116001"), Some(1));
        assert_eq!(h.counts_per_level(), vec![2, 2, 1]);
        // A township of one district cannot hold a level-1 grid of another.
        let err = Hierarchy::new(
            vec![
                grid("110116", 0, None, None),
                grid("110105", 0, None, None),
                grid("110105001001", 1, Some("110105"), Some("110116001")),
            ],
            townships(),
        )
        .unwrap_err();
        assert!(matches!(err, HierarchyError::BadTownship { .. }));
    }

    #[test]
    fn rejects_bad_input() {
        let t = Some("110116001");
        let err = |grids| Hierarchy::new(grids, townships()).unwrap_err();
        assert!(matches!(
            err(vec![grid("110116", 0, None, None), grid("110116", 0, None, None)]),
            HierarchyError::DuplicateCode { .. }
        ));
        assert!(matches!(err(vec![grid("11011", 0, None, None)]), HierarchyError::BadCode { .. }));
        assert!(matches!(err(vec![grid("110116001001", 1, Some("110116"), t)]), HierarchyError::Root { found: 0 }));
        assert!(matches!(
            err(vec![grid("110116", 0, None, None), grid("110117001001", 1, Some("110116"), t)]),
            HierarchyError::BadParent { .. }
        ));
        assert!(matches!(
            err(vec![grid("110116", 0, None, None), grid("110116002001", 1, Some("110116"), t)]),
            HierarchyError::BadTownship { .. }
        ));
        assert!(matches!(
            err(vec![grid("110116", 0, None, None), grid("110116001001", 1, Some("110116"), Some("110116009"))]),
            HierarchyError::BadTownship { .. }
        ));
    }
}
