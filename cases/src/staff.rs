//! The staff roster (网格力量): who works in which grid, township sub-centre or force, read
//! from `staff.csv` in the data dir.
//!
//! Columns: `id,name,role,position,force,unit_code,covers,phone,source`. `unit_code` is the
//! grid (12–21 digits), township (9) or district (6) the person belongs to; `covers` lists,
//! `;`-separated, the level-1 grids a professional force member answers for.

use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::category::Force;
use crate::error::CasesError;

/// The roster's file name in the data dir.
pub const STAFF_FILE: &str = "staff.csv";

const HEADER: [&str; 9] = ["id", "name", "role", "position", "force", "unit_code", "covers", "phone", "source"];

/// The five kinds of grid staff the district counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 专业力量: staff of the professional forces.
    Professional,
    /// 市级专职: the city's full-time staff at the district command centre.
    CityFulltime,
    /// 协调员: grid leaders, township dispatchers and level-2 coordinators.
    Coordinator,
    /// 兼职网格员: the part-time grid workers of the leaf grids.
    PartTime,
    /// 志愿者.
    Volunteer,
}

impl Role {
    /// Every role, in order.
    pub const ALL: [Role; 5] =
        [Role::Professional, Role::CityFulltime, Role::Coordinator, Role::PartTime, Role::Volunteer];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Professional => "professional",
            Role::CityFulltime => "city_fulltime",
            Role::Coordinator => "coordinator",
            Role::PartTime => "part_time",
            Role::Volunteer => "volunteer",
        }
    }

    /// The Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Professional => "专业力量",
            Role::CityFulltime => "市级专职",
            Role::Coordinator => "协调员",
            Role::PartTime => "兼职网格员",
            Role::Volunteer => "志愿者",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What a person does in their unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// 网格长: heads a level-1 grid.
    GridLeader,
    /// 网格员: works a leaf grid.
    GridWorker,
    /// 网格协调员: coordinates a level-2 grid.
    GridCoordinator,
    /// 调度员: dispatches at a township sub-centre or the district centre.
    Dispatcher,
    /// 专业力量队员: a professional force's member.
    ForceMember,
    /// 志愿者.
    Volunteer,
}

impl Position {
    const ALL: [Position; 6] = [
        Position::GridLeader,
        Position::GridWorker,
        Position::GridCoordinator,
        Position::Dispatcher,
        Position::ForceMember,
        Position::Volunteer,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Position::GridLeader => "grid_leader",
            Position::GridWorker => "grid_worker",
            Position::GridCoordinator => "grid_coordinator",
            Position::Dispatcher => "dispatcher",
            Position::ForceMember => "force_member",
            Position::Volunteer => "volunteer",
        }
    }

    /// The Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Position::GridLeader => "网格长",
            Position::GridWorker => "网格员",
            Position::GridCoordinator => "网格协调员",
            Position::Dispatcher => "调度员",
            Position::ForceMember => "专业力量队员",
            Position::Volunteer => "志愿者",
        }
    }

    fn parse(s: &str) -> Option<Position> {
        Position::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// One person of the roster.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffMember {
    /// Unique id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Which of the five kinds.
    pub role: Role,
    /// What they do.
    pub position: Position,
    /// Their force, for a force member.
    pub force: Option<Force>,
    /// The grid, township or district they belong to.
    pub unit_code: String,
    /// The level-1 grids a force member answers for.
    pub covers: Vec<String>,
    /// Phone number.
    pub phone: String,
    /// Where the record comes from (`demo` for the demo dataset's invented people).
    pub source: String,
}

/// The roster, indexed by unit and by force and level-1 grid.
#[derive(Clone, Debug, Default)]
pub struct Roster {
    staff: Vec<StaffMember>,
    by_unit: FxHashMap<String, Vec<u32>>,
    by_force_grid: FxHashMap<(Force, String), Vec<u32>>,
}

impl Roster {
    /// A roster over `staff`, in that order.
    pub fn new(staff: Vec<StaffMember>) -> Self {
        let mut by_unit: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut by_force_grid: FxHashMap<(Force, String), Vec<u32>> = FxHashMap::default();
        for (i, s) in staff.iter().enumerate() {
            let i = i as u32;
            by_unit.entry(s.unit_code.clone()).or_default().push(i);
            if let Some(force) = s.force {
                for g in &s.covers {
                    by_force_grid.entry((force, g.clone())).or_default().push(i);
                }
            }
        }
        Self { staff, by_unit, by_force_grid }
    }

    /// Reads `staff.csv` from the data dir `dir`; an empty roster when the file is missing (a
    /// data dir without staff still routes cases to grids). Any bad row fails the whole read,
    /// naming the file and line.
    pub fn load(dir: &Path) -> Result<Self, CasesError> {
        let path = dir.join(STAFF_FILE);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(CasesError::Io { path, source }),
        };
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(std::io::BufReader::new(file));
        let bad = |line: u64, message: String| CasesError::Roster { path: path.clone(), line, message };
        let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
        let col =
            |name: &str| headers.iter().position(|h| h == name).ok_or_else(|| bad(1, format!("no `{name}` column")));
        let cols: Vec<usize> = HEADER.iter().map(|h| col(h)).collect::<Result<_, _>>()?;
        let mut staff = Vec::new();
        let mut seen = rustc_hash::FxHashSet::default();
        for (i, row) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let row = row.map_err(|e| bad(line, e.to_string()))?;
            let get = |k: usize| row.get(cols[k]).unwrap_or("").trim();
            let role = Role::parse(get(2)).ok_or_else(|| bad(line, format!("unknown role `{}`", get(2))))?;
            let position =
                Position::parse(get(3)).ok_or_else(|| bad(line, format!("unknown position `{}`", get(3))))?;
            let force = match get(4) {
                "" => None,
                f => Some(Force::parse(f).ok_or_else(|| bad(line, format!("unknown force `{f}`")))?),
            };
            let id = get(0).to_owned();
            if id.is_empty() {
                return Err(bad(line, "empty id".into()));
            }
            if !seen.insert(id.clone()) {
                return Err(bad(line, format!("id `{id}` appears twice")));
            }
            if get(5).is_empty() || !get(5).bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(line, format!("unit_code `{}` is not a grid, township or district code", get(5))));
            }
            staff.push(StaffMember {
                id,
                name: get(1).to_owned(),
                role,
                position,
                force,
                unit_code: get(5).to_owned(),
                covers: get(6).split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                phone: get(7).to_owned(),
                source: get(8).to_owned(),
            });
        }
        Ok(Self::new(staff))
    }

    /// Writes `staff` as `staff.csv` into `dir`: to a temporary file, fsynced, renamed into place.
    pub fn write(dir: &Path, staff: &[StaffMember]) -> Result<(), CasesError> {
        let mut out = csv::Writer::from_writer(Vec::with_capacity(staff.len() * 96));
        let csv_err = |e: csv::Error| CasesError::Io { path: dir.join(STAFF_FILE), source: std::io::Error::other(e) };
        out.write_record(HEADER).map_err(csv_err)?;
        for s in staff {
            let covers = s.covers.join(";");
            out.write_record([
                s.id.as_str(),
                &s.name,
                s.role.as_str(),
                s.position.as_str(),
                s.force.map_or("", Force::as_str),
                &s.unit_code,
                &covers,
                &s.phone,
                &s.source,
            ])
            .map_err(csv_err)?;
        }
        let bytes = out.into_inner().map_err(|e| csv_err(e.into_error().into()))?;
        crate::write_atomic(&dir.join(STAFF_FILE), &bytes)
    }

    /// Everyone, in file order.
    pub fn staff(&self) -> &[StaffMember] {
        &self.staff
    }

    /// The person at index `i` of [`Roster::staff`].
    pub fn get(&self, i: u32) -> &StaffMember {
        &self.staff[i as usize]
    }

    /// The people of a unit (grid, township or district code), in file order.
    pub fn at_unit(&self, code: &str) -> &[u32] {
        self.by_unit.get(code).map_or(&[], Vec::as_slice)
    }

    /// The members of `force` who answer for the level-1 grid `l1_code`.
    pub fn force_for(&self, force: Force, l1_code: &str) -> &[u32] {
        self.by_force_grid.get(&(force, l1_code.to_owned())).map_or(&[], Vec::as_slice)
    }

    /// How many people of each role.
    pub fn counts(&self) -> [(Role, usize); 5] {
        Role::ALL.map(|r| (r, self.staff.iter().filter(|s| s.role == r).count()))
    }

    /// Number of people.
    pub fn len(&self) -> usize {
        self.staff.len()
    }

    /// True when nobody is on the roster.
    pub fn is_empty(&self) -> bool {
        self.staff.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, position: Position, unit: &str) -> StaffMember {
        StaffMember {
            id: id.into(),
            name: "王伟".into(),
            role: Role::Coordinator,
            position,
            force: None,
            unit_code: unit.into(),
            covers: vec![],
            phone: "13800000000".into(),
            source: "demo".into(),
        }
    }

    #[test]
    fn writes_and_reads_back_the_same_roster() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut f = member("s2", Position::ForceMember, "110116001");
        f.role = Role::Professional;
        f.force = Some(Force::Fire);
        f.covers = vec!["110116001001".into(), "110116001002".into()];
        let staff = vec![member("s1", Position::GridLeader, "110116001001"), f];
        Roster::write(dir.path(), &staff).expect("write");
        let r = Roster::load(dir.path()).expect("load");
        assert_eq!(r.staff(), &staff[..]);
        assert_eq!(r.at_unit("110116001001"), &[0]);
        assert_eq!(r.force_for(Force::Fire, "110116001002"), &[1]);
        assert!(r.force_for(Force::Water, "110116001002").is_empty());
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(STAFF_FILE),
            "id,name,role,position,force,unit_code,covers,phone,source\n\
             a,王伟,coordinator,grid_leader,,110116001001,,1,demo\n\
             b,李娜,boss,grid_leader,,110116001001,,1,demo\n",
        )
        .expect("write");
        let e = Roster::load(dir.path()).expect_err("bad role");
        assert!(e.to_string().contains("line 3") && e.to_string().contains("boss"), "{e}");
    }

    #[test]
    fn a_missing_file_is_an_empty_roster() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(Roster::load(dir.path()).expect("load").is_empty());
    }
}
