//! A case as the intake system sends it: the body of `POST /cases/route`, one line of the
//! NDJSON `gridgis route` reads, and the `case` of each case-log line.

use serde::{Deserialize, Serialize};

/// A point in some coordinate system.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct PointIn {
    /// Longitude, or easting in a projected EPSG system.
    pub lon: f64,
    /// Latitude, or northing.
    pub lat: f64,
    /// `wgs84` (default), `cgcs2000`, `gcj02`, `bd09` or `EPSG:NNNN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
}

/// One case. Unknown members are ignored (intake systems send more than routing needs).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct CaseRequest {
    /// The caller's case id (string or integer), echoed.
    pub id: CaseId,
    /// The category: a class (`市容环境`), a subclass (`暴露垃圾`, `路灯`) or `class/subclass`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where, if the phone or the patrol sent coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<PointIn>,
    /// Where, as address text (used when there is no usable location).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// When it was reported (RFC 3339, or a Beijing-time date-time); default: when routed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_at: Option<String>,
    /// The channel: 12345热线, 网格员巡查, 随手拍, 视频监控…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// How far outside the border a point may be and still go to the nearest grid, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_distance_m: Option<f64>,
}

/// A case id: text or an integer, echoed as given.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(untagged)]
pub enum CaseId {
    /// An integer id.
    Int(i64),
    /// A text id.
    Text(String),
}

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaseId::Int(i) => write!(f, "{i}"),
            CaseId::Text(s) => f.write_str(s),
        }
    }
}

/// Longest description accepted, characters: a hotline operator's notes fit many times over.
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;

impl CaseRequest {
    /// Parses one case from JSON; the message names the member that is wrong.
    pub fn from_json(bytes: &[u8]) -> Result<Self, crate::RouteError> {
        // serde would read a JSON array as the fields in order; a case is an object.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&b| b != b'{') {
            return Err(crate::RouteError::InvalidRequest("a case is a JSON object".into()));
        }
        let req: CaseRequest = serde_json::from_slice(bytes).map_err(|e| {
            let message = e.to_string();
            if e.is_syntax() || e.is_eof() {
                crate::RouteError::InvalidJson(message)
            } else {
                crate::RouteError::InvalidRequest(message)
            }
        })?;
        if let CaseId::Text(s) = &req.id
            && s.trim().is_empty()
        {
            return Err(crate::RouteError::InvalidRequest("`id` is empty".into()));
        }
        if req.description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS) {
            return Err(crate::RouteError::TooLong(format!(
                "`description` is longer than {MAX_DESCRIPTION_CHARS} characters"
            )));
        }
        Ok(req)
    }
}
