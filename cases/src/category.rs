//! Case categories: the event classes of GB/T 30428.3 (events: 市容环境, 宣传广告, 施工管理,
//! 街面秩序, 突发事件) and the component classes of GB/T 30428.2 (a component case names the
//! component's subclass, e.g. 路灯). Each category says which professional force handles it and
//! which facilities from the layers a dispatcher wants next to the case.

use std::collections::BTreeMap;

use gridgis_layers::{LayerSet, Value};
use serde::Serialize;

/// The category of the components' layers in the catalog.
pub const COMPONENT_LAYER_CATEGORY: &str = "部件";

/// A professional force (专业力量): the departments whose staff handle a kind of case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Force {
    /// 城管执法: street order, advertising, illegal building.
    Enforcement,
    /// 环境卫生: rubbish, street cleaning.
    Sanitation,
    /// 市政设施: manholes, lamps, utilities.
    Municipal,
    /// 交通管理: traffic facilities and parking.
    Traffic,
    /// 消防救援: fire and fire hazards.
    Fire,
    /// 住房建设: construction sites.
    Construction,
    /// 园林绿化: trees and green space.
    Greening,
    /// 水务: water supply, drainage, rivers.
    Water,
    /// 应急管理: emergencies and hazardous sites.
    Emergency,
    /// 市场监管: unlicensed trading.
    Market,
}

impl Force {
    /// Every force, in order.
    pub const ALL: [Force; 10] = [
        Force::Enforcement,
        Force::Sanitation,
        Force::Municipal,
        Force::Traffic,
        Force::Fire,
        Force::Construction,
        Force::Greening,
        Force::Water,
        Force::Emergency,
        Force::Market,
    ];

    /// The snake_case name used in files and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Force::Enforcement => "enforcement",
            Force::Sanitation => "sanitation",
            Force::Municipal => "municipal",
            Force::Traffic => "traffic",
            Force::Fire => "fire",
            Force::Construction => "construction",
            Force::Greening => "greening",
            Force::Water => "water",
            Force::Emergency => "emergency",
            Force::Market => "market",
        }
    }

    /// The Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Force::Enforcement => "城管执法",
            Force::Sanitation => "环境卫生",
            Force::Municipal => "市政设施",
            Force::Traffic => "交通管理",
            Force::Fire => "消防救援",
            Force::Construction => "住房建设",
            Force::Greening => "园林绿化",
            Force::Water => "水务",
            Force::Emergency => "应急管理",
            Force::Market => "市场监管",
        }
    }

    /// Parses [`Force::as_str`] or the Chinese name.
    pub fn parse(s: &str) -> Option<Force> {
        Force::ALL.into_iter().find(|f| f.as_str() == s || f.name_zh() == s)
    }
}

/// Events or components.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 事件 (GB/T 30428.3).
    Event,
    /// 部件 (GB/T 30428.2): a problem with one physical component.
    Component,
}

/// Facilities a dispatcher wants beside a case: the nearest features of some layers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Facilities {
    /// Layer ids to search.
    pub layers: &'static [&'static str],
    /// How many, nearest first, over all the layers.
    pub k: usize,
    /// Searched within this many metres.
    pub radius_m: f64,
}

/// One event subclass of the table.
#[derive(Clone, Copy, Debug)]
struct EventSub {
    name: &'static str,
    force: Force,
    facilities: Option<Facilities>,
}

const HYDRANTS: &str = "hr_comp_0113_xiaofangshuan";
const fn near(layers: &'static [&'static str], k: usize, radius_m: f64) -> Option<Facilities> {
    Some(Facilities { layers, k, radius_m })
}
const fn ev(name: &'static str, force: Force, facilities: Option<Facilities>) -> EventSub {
    EventSub { name, force, facilities }
}

/// The event classes and their subclasses, after GB/T 30428.3-2016 (the subclasses this
/// district's cases use), each with its force and facilities; the class's own force is the
/// one a case naming only the class goes to.
const EVENTS: [(&str, Force, &[EventSub]); 5] = [
    (
        "市容环境",
        Force::Sanitation,
        &[
            ev("私搭乱建", Force::Enforcement, None),
            ev("暴露垃圾", Force::Sanitation, near(&["hr_comp_0304_lajixiang", "hr_comp_0303_lajijian"], 3, 500.0)),
            ev("积存垃圾渣土", Force::Sanitation, near(&["hr_comp_0303_lajijian"], 2, 1_000.0)),
            ev("道路不洁", Force::Sanitation, None),
            ev("水域不洁", Force::Water, None),
            ev("绿地脏乱", Force::Greening, None),
            ev("废弃家具设备", Force::Sanitation, near(&["hr_comp_0309_zaisheng_ziyuan"], 1, 3_000.0)),
            ev("焚烧垃圾树叶", Force::Enforcement, near(&[HYDRANTS], 2, 500.0)),
            ev("露天烧烤", Force::Enforcement, None),
            ev("油烟污染", Force::Enforcement, None),
        ],
    ),
    (
        "宣传广告",
        Force::Enforcement,
        &[
            ev("非法小广告", Force::Enforcement, None),
            ev("违章张贴悬挂广告", Force::Enforcement, None),
            ev("占道广告牌", Force::Enforcement, None),
            ev("街头散发广告", Force::Enforcement, None),
            ev("广告招牌破损", Force::Enforcement, near(&["hr_comp_0306_guanggao_paibian"], 1, 50.0)),
        ],
    ),
    (
        "施工管理",
        Force::Construction,
        &[
            ev("施工扰民", Force::Construction, near(&["hr_comp_0605_gongdi"], 1, 2_000.0)),
            ev("工地扬尘", Force::Construction, near(&["hr_comp_0605_gongdi"], 1, 2_000.0)),
            ev("道路遗撒", Force::Enforcement, None),
            ev("施工占道", Force::Traffic, None),
            ev("无证掘路", Force::Enforcement, None),
            ev("施工废弃料", Force::Construction, near(&["hr_comp_0605_gongdi"], 1, 2_000.0)),
        ],
    ),
    (
        "街面秩序",
        Force::Enforcement,
        &[
            ev("无照经营游商", Force::Market, None),
            ev("店外经营", Force::Enforcement, None),
            ev("占道经营", Force::Enforcement, None),
            ev("机动车乱停放", Force::Traffic, near(&["hr_comp_0201_tingchechang"], 3, 1_000.0)),
            ev("非机动车乱停放", Force::Enforcement, near(&["hr_comp_0212_gonggong_zixingche"], 2, 500.0)),
            ev("黑车拉客", Force::Traffic, None),
            ev("乞讨卖艺", Force::Enforcement, None),
        ],
    ),
    (
        "突发事件",
        Force::Emergency,
        &[
            ev("火灾", Force::Fire, near(&[HYDRANTS], 3, 1_000.0)),
            ev("火灾隐患", Force::Fire, near(&[HYDRANTS], 3, 1_000.0)),
            ev("道路积水", Force::Water, near(&["hr_comp_0104_yushui_bizi", "hr_comp_0103_yushui_jinggai"], 3, 300.0)),
            ev("自来水管爆裂", Force::Water, near(&["hr_comp_0101_shangshui_jinggai"], 3, 300.0)),
            ev("燃气泄漏", Force::Emergency, near(&["hr_comp_0110_ranqi_jinggai", HYDRANTS], 3, 300.0)),
            ev("路面塌陷", Force::Municipal, None),
            ev("危险源隐患", Force::Emergency, near(&["hr_comp_0604_zhongda_weixianyuan"], 1, 2_000.0)),
        ],
    ),
];

/// The force of a component class: the department that keeps that kind of component.
fn component_class_force(class: &str) -> Force {
    match class {
        "公用设施" => Force::Municipal,
        "道路交通" => Force::Traffic,
        "市容环境" => Force::Sanitation,
        "园林绿化" => Force::Greening,
        _ => Force::Enforcement,
    }
}

/// How far from a component case's point the component itself is looked for, metres: phone
/// GPS is good to 5–20 m in a street; 50 m keeps the neighbour lamp out more often than not
/// and still finds the one meant when GPS is poor.
pub const COMPONENT_RADIUS_M: f64 = 50.0;

/// A category a case can carry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Category {
    /// Events or components.
    pub kind: Kind,
    /// The big class (大类).
    pub class: String,
    /// The subclass (小类); `None` when the case names only the class.
    pub subclass: Option<String>,
    /// The force that handles it.
    pub force: Force,
    /// Facilities to look up, if any.
    #[serde(skip)]
    pub facilities: Option<FacilitySearch>,
}

/// Which features to return beside a case.
#[derive(Clone, Debug, PartialEq)]
pub enum FacilitySearch {
    /// The nearest features of some layers.
    Nearest(Facilities),
    /// The component itself: the nearest feature of this component layer.
    Component {
        /// The component layer's id.
        layer: String,
    },
}

/// Every category a case can carry: the event table and one component subclass per component
/// layer of the catalog (category `部件`), so that a component layer GIS staff add becomes a
/// category at once.
#[derive(Clone, Debug, Default)]
pub struct Categories {
    by_name: BTreeMap<String, Category>,
    /// Classes in order, with their subclasses, for listing.
    classes: Vec<ClassListing>,
}

/// A class and its subclasses, as `GET /cases/categories` lists them.
#[derive(Clone, Debug, Serialize)]
pub struct ClassListing {
    /// Events or components.
    pub kind: Kind,
    /// The class.
    pub class: String,
    /// Its force.
    pub force: Force,
    /// Its subclasses.
    pub subclasses: Vec<String>,
}

impl Categories {
    /// The event table plus the component layers of `layers`.
    pub fn new(layers: &LayerSet) -> Self {
        let mut out = Categories::default();
        for (class, force, subs) in EVENTS {
            out.add_class(Kind::Event, class, force);
            for s in subs {
                let facilities = s.facilities.map(FacilitySearch::Nearest);
                out.add(Kind::Event, class, s.name, s.force, facilities);
            }
        }
        let mut components: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for layer in layers.iter().filter(|l| l.entry().category == COMPONENT_LAYER_CATEGORY) {
            let class_col = layer.columns().iter().position(|c| c == "class");
            let class = class_col
                .and_then(|c| (!layer.is_empty()).then(|| layer.record(0).values.get(c).cloned()))
                .flatten()
                .and_then(|v| if let Value::String(s) = v { Some(s) } else { None })
                .unwrap_or_else(|| "其他设施".to_owned());
            components.entry(class).or_default().push((layer.entry().name.clone(), layer.entry().id.clone()));
        }
        for (class, subs) in components {
            let force = component_class_force(&class);
            out.add_class(Kind::Component, &class, force);
            for (name, id) in subs {
                out.add(Kind::Component, &class, &name, force, Some(FacilitySearch::Component { layer: id }));
            }
        }
        out
    }

    fn add_class(&mut self, kind: Kind, class: &str, force: Force) {
        self.classes.push(ClassListing { kind, class: class.to_owned(), force, subclasses: Vec::new() });
        let cat = Category { kind, class: class.to_owned(), subclass: None, force, facilities: None };
        // An event class and a component class may share a name (市容环境, 园林绿化): the
        // event class wins for the bare name; `部件/市容环境` names the component class.
        let key = match kind {
            Kind::Event => class.to_owned(),
            Kind::Component => format!("部件/{class}"),
        };
        self.by_name.entry(key).or_insert(cat);
    }

    fn add(&mut self, kind: Kind, class: &str, sub: &str, force: Force, facilities: Option<FacilitySearch>) {
        if let Some(listing) = self.classes.last_mut() {
            listing.subclasses.push(sub.to_owned());
        }
        let cat = Category { kind, class: class.to_owned(), subclass: Some(sub.to_owned()), force, facilities };
        self.by_name.insert(format!("{class}/{sub}"), cat.clone());
        self.by_name.entry(sub.to_owned()).or_insert(cat);
    }

    /// The category `name` names: a subclass (`暴露垃圾`, `路灯`), a class (`市容环境`), or
    /// `class/subclass` (`公用设施/路灯`); surrounding space ignored.
    pub fn get(&self, name: &str) -> Option<&Category> {
        let name = name.trim();
        self.by_name.get(name).or_else(|| {
            // Full-width or spaced separators, as typed by hand.
            let cleaned: String =
                name.chars().filter(|c| !c.is_whitespace()).map(|c| if c == '／' { '/' } else { c }).collect();
            self.by_name.get(&cleaned)
        })
    }

    /// Classes in order (events first), with their subclasses.
    pub fn classes(&self) -> &[ClassListing] {
        &self.classes
    }

    /// True when `category` (a class or subclass name) covers a case of class `class` and
    /// subclass `sub`: the filter of the statistics.
    pub fn covers(filter: &str, class: &str, sub: Option<&str>) -> bool {
        filter == class || Some(filter) == sub || sub.is_some_and(|s| filter.split_once('/') == Some((class, s)))
    }
}

/// The event classes and subclasses, for the demo generator: `(class, [subclass…])`.
pub fn event_table() -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    EVENTS.iter().map(|(class, _, subs)| (*class, subs.iter().map(|s| s.name).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_name_resolves_to_its_class() {
        let cats = Categories::new(&LayerSet::default());
        for (class, subs) in event_table() {
            assert_eq!(cats.get(class).map(|c| c.class.as_str()), Some(class));
            for s in subs {
                let c = cats.get(s).expect(s);
                assert_eq!((c.class.as_str(), c.subclass.as_deref()), (class, Some(s)));
                assert_eq!(cats.get(&format!("{class}/{s}")), Some(c));
                assert_eq!(cats.get(&format!(" {class} ／ {s} ")), Some(c));
            }
        }
        assert_eq!(cats.get("火灾").map(|c| c.force), Some(Force::Fire));
        assert!(cats.get("不存在的类别").is_none());
    }

    #[test]
    fn the_filter_matches_class_subclass_or_both() {
        assert!(Categories::covers("市容环境", "市容环境", Some("暴露垃圾")));
        assert!(Categories::covers("暴露垃圾", "市容环境", Some("暴露垃圾")));
        assert!(Categories::covers("市容环境/暴露垃圾", "市容环境", Some("暴露垃圾")));
        assert!(!Categories::covers("宣传广告", "市容环境", Some("暴露垃圾")));
    }

    #[test]
    fn forces_parse_both_names() {
        for f in Force::ALL {
            assert_eq!(Force::parse(f.as_str()), Some(f));
            assert_eq!(Force::parse(f.name_zh()), Some(f));
        }
    }
}
