//! Geometries on the tile's integer grid, and their command streams.

use super::proto::zigzag;

/// A point in tile coordinates: x to the right, y down, `0..extent` inside the tile (a buffer
/// reaches beyond on every side).
pub type TilePoint = (i32, i32);

/// A geometry in tile coordinates, as one MVT feature holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum TileGeometry {
    /// One or more points.
    Points(Vec<TilePoint>),
    /// One or more line strings.
    Lines(Vec<Vec<TilePoint>>),
    /// One or more polygons, each its exterior ring then its holes (rings not closed: the
    /// last point is not the first again). Orientation is fixed on encoding.
    Polygons(Vec<Vec<Vec<TilePoint>>>),
}

/// MVT `GeomType`.
pub(crate) const POINT: u64 = 1;
pub(crate) const LINESTRING: u64 = 2;
pub(crate) const POLYGON: u64 = 3;

const MOVE_TO: u32 = 1;
const LINE_TO: u32 = 2;
const CLOSE_PATH: u32 = 7;

fn command(id: u32, count: usize) -> u32 {
    (id & 0x7) | ((count as u32) << 3)
}

/// Twice the signed area by the surveyor's formula in tile coordinates (positive: clockwise
/// on screen, y down; what the spec calls an exterior ring).
pub(crate) fn area2(ring: &[TilePoint]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1)
        })
        .sum()
}

/// Cleans a ring for encoding, in place: no repeated points, no closing repeat of the first
/// point, no spikes (`a b a`). False when fewer than three points or no area remain.
fn clean_ring(ring: &mut Vec<TilePoint>) -> bool {
    let mut n = 0;
    for i in 0..ring.len() {
        let p = ring[i];
        if n > 0 && ring[n - 1] == p {
            continue;
        }
        // A spike: going out and straight back adds nothing but a zero-width sliver.
        if n >= 2 && ring[n - 2] == p {
            n -= 1;
            continue;
        }
        ring[n] = p;
        n += 1;
    }
    ring.truncate(n);
    // The same at the seam where the ring closes.
    loop {
        let n = ring.len();
        if n >= 2 && ring[0] == ring[n - 1] {
            ring.pop();
        } else if n >= 3 && ring[n - 2] == ring[0] {
            ring.truncate(n - 2);
        } else if n >= 3 && ring[1] == ring[n - 1] {
            ring.remove(0);
            ring.pop();
        } else {
            break;
        }
    }
    ring.len() >= 3 && area2(ring) != 0
}

/// Appends `geometry`'s commands to `out` and returns its `GeomType`, or `None` (nothing
/// appended) when nothing of it survives cleaning.
/// Polygon rings are cleaned in place on the way.
pub(crate) fn commands(geometry: &mut TileGeometry, out: &mut Vec<u32>) -> Option<u64> {
    let start = out.len();
    let mut cursor = (0i32, 0i32);
    let mut param = |out: &mut Vec<u32>, p: TilePoint| {
        out.push(zigzag(p.0 - cursor.0));
        out.push(zigzag(p.1 - cursor.1));
        cursor = p;
    };
    let kind = match geometry {
        TileGeometry::Points(points) => {
            if points.is_empty() {
                return None;
            }
            out.push(command(MOVE_TO, points.len()));
            for &p in points.iter() {
                param(out, p);
            }
            POINT
        }
        TileGeometry::Lines(lines) => {
            for line in lines {
                let mut pts: Vec<TilePoint> = Vec::with_capacity(line.len());
                for &p in line.iter() {
                    if pts.last() != Some(&p) {
                        pts.push(p);
                    }
                }
                if pts.len() < 2 {
                    continue;
                }
                out.push(command(MOVE_TO, 1));
                param(out, pts[0]);
                out.push(command(LINE_TO, pts.len() - 1));
                for &p in &pts[1..] {
                    param(out, p);
                }
            }
            LINESTRING
        }
        TileGeometry::Polygons(polygons) => {
            for polygon in polygons.iter_mut() {
                let Some((exterior, holes)) = polygon.split_first_mut() else { continue };
                if !clean_ring(exterior) {
                    continue;
                }
                if area2(exterior) < 0 {
                    exterior.reverse();
                }
                for ring in std::iter::once(&*exterior).chain(holes.iter_mut().filter_map(|h| {
                    if !clean_ring(h) {
                        return None;
                    }
                    if area2(h) > 0 {
                        h.reverse();
                    }
                    Some(&*h)
                })) {
                    out.push(command(MOVE_TO, 1));
                    param(out, ring[0]);
                    out.push(command(LINE_TO, ring.len() - 1));
                    for &p in &ring[1..] {
                        param(out, p);
                    }
                    out.push(command(CLOSE_PATH, 1));
                }
            }
            POLYGON
        }
    };
    (out.len() > start).then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(g: &TileGeometry) -> (Option<u64>, Vec<u32>) {
        let mut out = Vec::new();
        let k = commands(&mut g.clone(), &mut out);
        (k, out)
    }

    #[test]
    fn spec_examples() {
        // The MVT 2.1 spec's examples (4.3.5).
        assert_eq!(encode(&TileGeometry::Points(vec![(25, 17)])), (Some(POINT), vec![9, 50, 34]));
        assert_eq!(encode(&TileGeometry::Points(vec![(5, 7), (3, 2)])), (Some(POINT), vec![17, 10, 14, 3, 9]));
        assert_eq!(
            encode(&TileGeometry::Lines(vec![vec![(2, 2), (2, 10), (10, 10)]])),
            (Some(LINESTRING), vec![9, 4, 4, 18, 0, 16, 16, 0])
        );
        assert_eq!(
            encode(&TileGeometry::Polygons(vec![vec![vec![(3, 6), (8, 12), (20, 34)]]])),
            (Some(POLYGON), vec![9, 6, 12, 18, 10, 12, 24, 44, 15])
        );
    }

    #[test]
    fn rings_are_cleaned_and_oriented() {
        // Counter-clockwise on screen (negative area in y-down coordinates), closed, with a
        // repeated point and a spike: encoded clockwise, three corners plus one.
        let ring = vec![(0, 0), (0, 10), (0, 10), (10, 10), (15, 10), (10, 10), (10, 0), (0, 0)];
        let (k, cmds) = encode(&TileGeometry::Polygons(vec![vec![ring]]));
        assert_eq!(k, Some(POLYGON));
        // MoveTo 1, LineTo 3, ClosePath.
        assert_eq!((cmds[0], cmds[3], cmds[10]), (9, 26, 15));
        let mut pts = vec![];
        let (mut x, mut y) = (0, 0);
        for pair in [(1, 2), (4, 5), (6, 7), (8, 9)] {
            let dz = |v: u32| ((v >> 1) as i32) ^ -((v & 1) as i32);
            x += dz(cmds[pair.0]);
            y += dz(cmds[pair.1]);
            pts.push((x, y));
        }
        assert!(area2(&pts) > 0, "{pts:?}");
        // A hole given clockwise is reversed; a degenerate ring is dropped.
        let outer = vec![(0, 0), (100, 0), (100, 100), (0, 100)];
        let hole = vec![(10, 10), (20, 10), (20, 20), (10, 20)];
        let flat = vec![(0, 0), (5, 5), (10, 10)];
        let (_, cmds) = encode(&TileGeometry::Polygons(vec![vec![outer, hole, flat]]));
        assert_eq!(cmds.iter().filter(|&&c| c == 15).count(), 2, "two rings closed");
        // Nothing left: nothing encoded.
        assert_eq!(encode(&TileGeometry::Polygons(vec![vec![vec![(1, 1), (1, 1), (1, 1)]]])).0, None);
        assert_eq!(encode(&TileGeometry::Lines(vec![vec![(3, 3), (3, 3)]])).0, None);
        assert_eq!(encode(&TileGeometry::Points(vec![])).0, None);
    }
}
