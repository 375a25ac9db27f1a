//! `/grids`: locate points, and read one grid.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{AppError, ErrorBody};
use super::extract::{Json, Path, Query};
use gridgis_engine::Transformer;

use crate::answer::{self, LocateAnswer};
use crate::state::SharedState;

/// Query of `GET /grids/locate`.
#[derive(Debug, Deserialize)]
pub struct LocateQuery {
    lon: f64,
    lat: f64,
    crs: Option<String>,
    max_distance_m: Option<f64>,
}

/// The tolerance for points outside the district: the caller's, within bounds, or the default.
pub(super) fn max_distance(state: &SharedState, asked: Option<f64>) -> Result<f64, AppError> {
    match asked {
        None => Ok(state.limits().default_max_distance_m),
        Some(d) if d.is_finite() && (0.0..=state.limits().max_max_distance_m).contains(&d) => Ok(d),
        Some(d) => Err(AppError::bad_request(format!(
            "max_distance_m must be between 0 and {} (got {d})",
            state.limits().max_max_distance_m
        ))),
    }
}

/// `GET /grids/locate?lon=&lat=[&crs=][&max_distance_m=]`.
pub async fn locate_get(State(state): State<SharedState>, Query(q): Query<LocateQuery>) -> Result<Response, AppError> {
    let max = max_distance(&state, q.max_distance_m)?;
    let (_, transformer) = answer::parse_crs(q.crs.as_deref())?;
    let (location, wgs84) = answer::locate(&state.engine, &transformer, q.lon, q.lat, max)?;
    Ok(super::json::json_bytes(&answer::answer(&state.engine, location, wgs84)))
}

/// One point of a batch.
#[derive(Debug, Deserialize)]
pub struct BatchPoint {
    #[serde(default)]
    id: Value,
    lon: f64,
    lat: f64,
}

/// Body of `POST /grids/locate`.
#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    crs: Option<String>,
    max_distance_m: Option<f64>,
    #[serde(deserialize_with = "super::extract::objects")]
    points: Vec<BatchPoint>,
}

/// One answer of a batch: the locate answer plus the caller's id, or an error for that point.
#[derive(Serialize)]
#[serde(untagged)]
enum BatchItem<'a> {
    Found {
        id: &'a Value,
        #[serde(flatten)]
        answer: LocateAnswer<'a>,
    },
    Failed {
        id: &'a Value,
        error: ErrorBody,
    },
}

/// `POST /grids/locate`: `{"crs", "max_distance_m"?, "points": [{"id","lon","lat"}…]}` →
/// `{"results": […]}` in the same order. A point that cannot be located gets an `error`
/// member instead of failing the whole batch.
pub async fn locate_post(
    State(state): State<SharedState>,
    Json(body): Json<BatchRequest>,
) -> Result<Response, AppError> {
    if body.points.len() > state.limits().max_batch_points {
        return Err(AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_points",
            format!("{} points in one request; the limit is {}", body.points.len(), state.limits().max_batch_points),
        ));
    }
    let max = max_distance(&state, body.max_distance_m)?;
    let (_, transformer) = answer::parse_crs(body.crs.as_deref())?;
    // Large batches are CPU work: off the async workers, and spread over the cores.
    let points = body.points;
    let bytes = tokio::task::spawn_blocking(move || batch_json(&state, &transformer, &points, max))
        .await
        .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))??;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// `{"results":[…]}` for `points`, on all cores for large batches.
fn batch_json(
    state: &SharedState,
    transformer: &Transformer,
    points: &[BatchPoint],
    max: f64,
) -> Result<Vec<u8>, AppError> {
    let engine = &state.engine;
    // Locating is ~0.1 µs a point: threads pay off only for large batches.
    super::json::results_json(points, 400, 20_000, |p, buf| {
        let item = match answer::locate(engine, transformer, p.lon, p.lat, max) {
            Ok((location, wgs84)) => BatchItem::Found { id: &p.id, answer: answer::answer(engine, location, wgs84) },
            Err(e) => BatchItem::Failed { id: &p.id, error: ErrorBody { code: e.code(), message: e.to_string() } },
        };
        serde_json::to_writer(buf, &item)
    })
}

/// `GET /grids/{code}`: the grid as a GeoJSON Feature with its parent, township and children.
pub async fn grid(State(state): State<SharedState>, Path(code): Path<String>) -> Result<Response, AppError> {
    let h = state.engine.hierarchy();
    let id =
        h.by_code(&code).ok_or_else(|| AppError::not_found("grid_not_found", format!("no grid with code {code}")))?;
    let g = h.grid(id);
    let children: Vec<&str> = h.children(id).iter().map(|&c| h.grid(c).code.as_str()).collect();
    let township = h.township(id);
    let feature = serde_json::json!({
        "type": "Feature",
        "id": g.code,
        "properties": {
            "code": g.code,
            "name": g.name,
            "level": g.level,
            "kind": g.kind,
            "parent_code": g.parent_code,
            "township_code": g.township_code,
            "township_name": township.map(|t| &t.name),
            "children": children,
        },
        "geometry": gridgis_layers::geometry_json(&geo_types::Geometry::MultiPolygon(g.geometry.clone())),
    });
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], feature.to_string()).into_response())
}

/// Query of `GET /grids/stats` and `GET /grids/{code}/overview`.
#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    level: Option<u8>,
    from: Option<String>,
    to: Option<String>,
    category: Option<String>,
}

/// The window `[from, to)` asked for, in seconds; a bound not given is open.
fn window(q: &StatsQuery) -> Result<(Option<i64>, Option<i64>), AppError> {
    let parse = |s: &Option<String>, what: &str| -> Result<Option<i64>, AppError> {
        match s.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => gridgis_cases::parse_time(s)
                .map(Some)
                .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, "invalid_time", format!("{what}: {e}"))),
        }
    };
    let (from, to) = (parse(&q.from, "from")?, parse(&q.to, "to")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_time", "from is after to"));
    }
    Ok((from, to))
}

/// The effective window as RFC 3339: the bounds asked for, else the log's first case and the
/// second after its last.
fn window_json(index: &gridgis_cases::CaseIndex, from: Option<i64>, to: Option<i64>) -> (Value, Value) {
    let span = index.span();
    let f = from.or(span.map(|s| s.0)).map(gridgis_cases::format_time);
    let t = to.or(span.map(|s| s.1 + 1)).map(gridgis_cases::format_time);
    (serde_json::json!(f), serde_json::json!(t))
}

/// `GET /grids/stats?level=1&from=&to=&category=`: cases per grid of a level in a time window
/// (`[from, to)`, RFC 3339 or a Beijing date), optionally of one class or subclass: every grid
/// of the level in code order, with its count, and the total and the largest count.
pub async fn stats(State(state): State<SharedState>, Query(q): Query<StatsQuery>) -> Result<Response, AppError> {
    let level = q.level.unwrap_or(1);
    if !(1..=4).contains(&level) {
        return Err(AppError::bad_request(format!("level must be 1, 2, 3 or 4 (got {level})")));
    }
    let (from, to) = window(&q)?;
    let filter = gridgis_cases::CategoryFilter::new(q.category.as_deref());
    let index = state.cases.read().map_err(|_| AppError::internal("the case index lock is poisoned"))?;
    let h = state.engine.hierarchy();
    let counts = gridgis_cases::grid_counts(&index, h, level, index.window(from, to), &filter);
    let (f, t) = window_json(&index, from, to);
    let grids: Vec<Value> = counts
        .grids
        .iter()
        .zip(&counts.counts)
        .map(|(&g, &n)| {
            let g = h.grid(g);
            serde_json::json!({"code": g.code, "name": g.name, "count": n})
        })
        .collect();
    Ok(super::json::json_bytes(&serde_json::json!({
        "level": level,
        "from": f,
        "to": t,
        "category": filter.as_str(),
        "total": counts.total,
        "max": counts.counts.iter().max().copied().unwrap_or(0),
        "grids": grids,
    })))
}

/// Cases listed on a grid's overview.
const OVERVIEW_LATEST: usize = 5;

/// `GET /grids/{code}/overview?from=&to=`: what the map's grid panel shows: the grid, its
/// chain and township, its staff (its own people; for a grid below level 1 also its level-1
/// grid leader; the force members who answer for its level-1 grid), and its cases in the
/// window (total, per class, the latest few).
pub async fn overview(
    State(state): State<SharedState>,
    Path(code): Path<String>,
    Query(q): Query<StatsQuery>,
) -> Result<Response, AppError> {
    let h = state.engine.hierarchy();
    let id =
        h.by_code(&code).ok_or_else(|| AppError::not_found("grid_not_found", format!("no grid has code {code}")))?;
    let (from, to) = window(&q)?;
    let g = h.grid(id);
    let roster = &state.roster;
    let mut staff: Vec<crate::answer::Person<'_>> =
        roster.at_unit(&g.code).iter().map(|&i| crate::answer::Person::full(roster.get(i))).collect();
    if let Some(l1) = h.ancestor_at(id, 1) {
        let l1_code = &h.grid(l1).code;
        if l1 != id {
            staff.extend(
                roster
                    .at_unit(l1_code)
                    .iter()
                    .filter(|&&i| roster.get(i).position == gridgis_cases::Position::GridLeader)
                    .map(|&i| crate::answer::Person::full(roster.get(i))),
            );
        }
        for force in gridgis_cases::Force::ALL {
            staff.extend(roster.force_for(force, l1_code).iter().map(|&i| crate::answer::Person::full(roster.get(i))));
        }
    }
    let below = roster.staff().iter().filter(|s| s.unit_code.starts_with(&g.code)).count();
    let index = state.cases.read().map_err(|_| AppError::internal("the case index lock is poisoned"))?;
    let in_window = index.window(from, to);
    let (total, by_class) = gridgis_cases::grid_summary(&index, h, id, in_window);
    let latest: Vec<Value> = in_window
        .iter()
        .rev()
        .filter(|e| e.grid.is_some_and(|c| h.ancestor_at(c, g.level) == Some(id)))
        .take(OVERVIEW_LATEST)
        .map(|e| {
            serde_json::json!({
                "id": e.id,
                "reported_at": gridgis_cases::format_time(e.t),
                "class": index.name(e.class),
                "category": index.name(e.subclass).or(index.name(e.class)),
                "status": e.status,
            })
        })
        .collect();
    let (f, t) = window_json(&index, from, to);
    let chain: Vec<Value> = h
        .chain(id)
        .into_iter()
        .map(|c| {
            let c = h.grid(c);
            serde_json::json!({"code": c.code, "name": c.name, "level": c.level})
        })
        .collect();
    Ok(super::json::json_bytes(&serde_json::json!({
        "grid": {"code": g.code, "name": g.name, "level": g.level, "kind": g.kind},
        "chain": chain,
        "township": h.township(id).map(|t| serde_json::json!({"code": t.code, "name": t.name})),
        "children": h.children(id).len(),
        "staff": staff,
        "staff_below": below,
        "cases": {
            "from": f,
            "to": t,
            "total": total,
            "by_class": by_class.iter().map(|(c, n)| serde_json::json!({"class": c, "count": n})).collect::<Vec<_>>(),
            "latest": latest,
        },
    })))
}
