//! Codes, names and kinds of generated grids, and the order in which siblings are numbered.

use geo_types::Coord;

/// The 19 city-street grids (城市街巷) of the two 街道, named after real streets of the
/// district seat: ten in 泉河街道, nine in 龙山街道.
pub const CITY_STREETS: [(&str, &[&str]); 2] = [
    (
        "110116001",
        &["青春路", "府前街", "南大街", "北大街", "开放路", "湖光路", "富乐大街", "东关路", "西关路", "兴怀大街"],
    ),
    ("110116002", &["迎宾路", "商业街", "车站路", "龙山路", "南华大街", "望怀路", "建设街", "永泰路", "丽湖路"]),
];

/// First sequence number of generated level-1 codes: NBS codes use 0xx for communities, 2xx
/// for villages and 4xx for virtual units, so 5xx never collides with a real code.
pub const CITY_STREET_FIRST_SEQUENCE: u32 = 501;

/// Kind of the children of a grid of kind `parent`.
pub fn child_kind(parent: &str) -> &'static str {
    match parent {
        "community" => "compound",
        "village" => "village_group",
        "city_street" => "street_block",
        "dev_zone" => "park_block",
        "compound" => "building",
        "village_group" => "party_member_household",
        "street_block" => "street_segment",
        "park_block" => "enterprise",
        "building" => "building_unit",
        "party_member_household" => "household_group",
        "street_segment" => "shop_front",
        _ => "workshop",
    }
}

/// Name of the `seq`-th (1-based) child of kind `kind` of the grid named `parent`.
pub fn child_name(parent: &str, kind: &str, seq: u32) -> String {
    match kind {
        "compound" | "village_group" | "street_block" | "park_block" => {
            format!("{parent}第{}网格", chinese_number(seq))
        }
        "building" => format!("{parent}{seq}号楼"),
        "party_member_household" => format!("{parent}{seq}号党员中心户"),
        "street_segment" => format!("{parent}{seq}号街巷段"),
        "enterprise" => format!("{parent}{seq}号企业"),
        "building_unit" => format!("{parent}{seq}单元"),
        "household_group" => format!("{parent}{seq}号联户"),
        "shop_front" => format!("{parent}{seq}号门店"),
        _ => format!("{parent}{seq}号车间"),
    }
}

/// The everyday name of a village-level unit: `富乐社区居委会` → `富乐社区`,
/// `桥梓村委会` → `桥梓村`, `东四村村委会` → `东四村`.
pub fn short_name(official: &str) -> String {
    if let Some(community) = official.strip_suffix("居委会") {
        community.to_string()
    } else if let Some(village) = official.strip_suffix("村委会") {
        if village.ends_with('村') { village.to_string() } else { format!("{village}村") }
    } else {
        official.to_string()
    }
}

/// The kind of a township-level unit from its name.
pub fn township_kind(name: &str) -> &'static str {
    if name.ends_with("街道") {
        "subdistrict"
    } else if name.ends_with("地区") {
        "area"
    } else if name.ends_with("开发区") {
        "dev_zone"
    } else if name.ends_with("乡") {
        "ethnic_township"
    } else {
        "town"
    }
}

/// Chinese numerals for 1–99 (一, 十一, 二十三…), as grids are named on signboards.
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[(n - 10) as usize] }),
        20..=99 => {
            format!(
                "{}十{}",
                DIGITS[(n / 10) as usize],
                if n.is_multiple_of(10) { "" } else { DIGITS[(n % 10) as usize] }
            )
        }
        _ => n.to_string(),
    }
}

/// The numbering order of siblings: "west→east, then north→south". Siblings are split by
/// centroid latitude into ⌈√n⌉ rows of equal size (north first; earlier rows take the
/// remainder), and each row is read from west to east by centroid longitude.
pub fn reading_order(centroids: &[Coord<f64>]) -> Vec<usize> {
    let n = centroids.len();
    let mut by_lat: Vec<usize> = (0..n).collect();
    by_lat.sort_by(|&a, &b| centroids[b].y.total_cmp(&centroids[a].y).then(a.cmp(&b)));
    let rows = (n as f64).sqrt().ceil().max(1.0) as usize;
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for r in 0..rows {
        let len = n / rows + usize::from(r < n % rows);
        let mut row = by_lat[start..start + len].to_vec();
        row.sort_by(|&a, &b| centroids[a].x.total_cmp(&centroids[b].x).then(a.cmp(&b)));
        out.extend(row);
        start += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        let cases = [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"), (99, "九十九")];
        for (n, s) in cases {
            assert_eq!(chinese_number(n), s);
        }
    }

    #[test]
    fn names() {
        assert_eq!(short_name("富乐社区居委会"), "富乐社区");
        assert_eq!(short_name("西三村委会"), "西三村");
        assert_eq!(short_name("东四村村委会"), "东四村");
        assert_eq!(short_name("北京雁栖经济开发区虚拟社区"), "北京雁栖经济开发区虚拟社区");
        assert_eq!(child_name("富乐社区", "compound", 3), "富乐社区第三网格");
        assert_eq!(township_kind("喇叭沟门满族乡"), "ethnic_township");
        assert_eq!(township_kind("怀柔地区"), "area");
    }

    #[test]
    fn reading_order_is_rows_north_to_south_each_west_to_east() {
        // A 2×2 arrangement plus one: rows of 2 (⌈√5⌉ = 3 rows: 2, 2, 1).
        let c = |x: f64, y: f64| Coord { x, y };
        let pts = [c(1.0, 1.0), c(0.0, 1.1), c(0.1, 0.0), c(1.0, 0.1), c(0.5, -1.0)];
        assert_eq!(reading_order(&pts), vec![1, 0, 2, 3, 4]);
    }
}
