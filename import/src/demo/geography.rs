//! The shape of the district the demo imitates: where people live (a relative density of
//! grids), and where each township lies and how large it is.
//!
//! Figures are approximate public knowledge of Huairou: the district seat (泉河/龙山街道) at
//! about 116.637E 40.324N; dense plain towns around it in the south; mountains with scattered
//! villages to the north.

use geo_types::Coord;

use super::mesh::KM_PER_DEG;

/// A township's anchor (roughly its seat) and approximate area in km².
pub struct TownshipPlace {
    /// 9-digit code.
    pub code: &'static str,
    /// Longitude, latitude of the anchor.
    pub anchor: (f64, f64),
    /// Approximate area, km² (only the ratios matter: they are scaled to the district).
    pub area_km2: f64,
}

/// The 17 township-level units.
pub const TOWNSHIPS: [TownshipPlace; 17] = [
    TownshipPlace { code: "110116001", anchor: (116.627, 40.323), area_km2: 6.0 }, // 泉河街道
    TownshipPlace { code: "110116002", anchor: (116.646, 40.311), area_km2: 9.0 }, // 龙山街道
    TownshipPlace { code: "110116003", anchor: (116.600, 40.345), area_km2: 60.0 }, // 怀柔地区
    TownshipPlace { code: "110116004", anchor: (116.665, 40.400), area_km2: 150.0 }, // 雁栖地区
    TownshipPlace { code: "110116005", anchor: (116.610, 40.283), area_km2: 35.0 }, // 庙城地区
    TownshipPlace { code: "110116102", anchor: (116.705, 40.310), area_km2: 44.0 }, // 北房镇
    TownshipPlace { code: "110116103", anchor: (116.700, 40.262), area_km2: 63.0 }, // 杨宋镇
    TownshipPlace { code: "110116105", anchor: (116.545, 40.320), area_km2: 68.0 }, // 桥梓镇
    TownshipPlace { code: "110116106", anchor: (116.690, 40.445), area_km2: 118.0 }, // 怀北镇
    TownshipPlace { code: "110116107", anchor: (116.630, 40.700), area_km2: 347.0 }, // 汤河口镇
    TownshipPlace { code: "110116108", anchor: (116.500, 40.430), area_km2: 193.0 }, // 渤海镇
    TownshipPlace { code: "110116109", anchor: (116.400, 40.380), area_km2: 267.0 }, // 九渡河镇
    TownshipPlace { code: "110116110", anchor: (116.600, 40.570), area_km2: 232.0 }, // 琉璃庙镇
    TownshipPlace { code: "110116111", anchor: (116.500, 40.850), area_km2: 251.0 }, // 宝山镇
    TownshipPlace { code: "110116211", anchor: (116.760, 40.740), area_km2: 300.0 }, // 长哨营满族乡
    TownshipPlace { code: "110116213", anchor: (116.640, 40.980), area_km2: 467.0 }, // 喇叭沟门满族乡
    TownshipPlace { code: "110116400", anchor: (116.672, 40.365), area_km2: 14.0 }, // 北京雁栖经济开发区
];

/// The district seat.
pub const CITY: (f64, f64) = (116.637, 40.322);

/// Plain town seats: smaller peaks of density (in the order of [`TOWN_NAMES`]).
pub const TOWNS: [(f64, f64); 7] = [
    (116.610, 40.283), // 庙城
    (116.705, 40.310), // 北房
    (116.700, 40.262), // 杨宋
    (116.545, 40.320), // 桥梓
    (116.665, 40.400), // 雁栖
    (116.690, 40.445), // 怀北
    (116.630, 40.700), // 汤河口
];

/// The towns of [`TOWNS`], by the name their streets carry.
pub const TOWN_NAMES: [&str; 7] = ["庙城", "北房", "杨宋", "桥梓", "雁栖", "怀北", "汤河口"];

/// Relative density of grids (and of people) at `p`: 1 in the mountains, about 3 on the
/// southern plain, peaks at the plain towns and a large peak at the district seat.
pub fn density(p: Coord<f64>) -> f64 {
    // The bumps span a few kilometres, where the cosine of the district's mean latitude is as
    // good as the local one; it is evaluated millions of times during generation.
    const KX: f64 = 0.7585; // cos(40.67°)
    let bump = |centre: (f64, f64), sigma_km: f64, height: f64| {
        let (dx, dy) = ((p.x - centre.0) * KX * KM_PER_DEG, (p.y - centre.1) * KM_PER_DEG);
        let d2 = dx * dx + dy * dy;
        if d2 > 50.0 * sigma_km * sigma_km {
            return 0.0;
        }
        height * (-d2 / (2.0 * sigma_km * sigma_km)).exp()
    };
    // The plain ends around 40.42N; a smooth step avoids a visible seam in grid sizes.
    let plain = 2.0 / (1.0 + ((p.y - 40.42) / 0.015).exp());
    let towns: f64 = TOWNS.iter().map(|&t| bump(t, 1.3, 7.0)).sum();
    1.0 + plain + towns + bump(CITY, 2.0, 70.0) + bump(CITY, 5.0, 6.0)
}
