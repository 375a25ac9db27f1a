//! Components (部件): one point layer per GB/T 30428.2 subclass, coded the way the standard
//! codes them: district code, big class, subclass, six-digit sequence.

use geo_types::Geometry;
use gridgis_layers::Feature;
use rand::Rng;

use super::names::{CARRIERS, Dept, SUBCLASSES, class_name};
use super::network::Network;
use super::world::World;
use super::{CATEGORY_COMPONENTS, Layer, meta, place, stream, text};

/// States of a component and their weights: most are in good order. The shares are the
/// demo's, of the order of magnitude city-management component surveys report (a few percent
/// damaged, under one percent missing).
const STATES: [(&str, f64); 4] = [("完好", 0.936), ("破损", 0.041), ("丢失", 0.006), ("占用", 0.017)];

/// The district code, first six digits of every component code.
const DISTRICT_CODE: &str = "110116";

/// The component layers, in code order.
pub fn layers(world: &World, net: &Network, seed: u64) -> Vec<Layer> {
    SUBCLASSES
        .iter()
        .map(|s| {
            let mut rng = stream(seed, "components", s.slug);
            let mut spots = place::spots(world, net, s.place, s.count, &mut rng);
            // Numbered grid by grid, west to east within a grid, as a survey team walks them.
            spots.sort_by(|a, b| world.code(a.leaf).cmp(world.code(b.leaf)).then(a.at.x.total_cmp(&b.at.x)));
            let features = spots
                .iter()
                .enumerate()
                .map(|(i, spot)| {
                    let unit = world.unit(spot.leaf);
                    let dept = match s.dept {
                        Dept::Fixed(d) => d.to_string(),
                        Dept::Telecom => CARRIERS[rng.random_range(0..CARRIERS.len())].to_string(),
                        Dept::Committee => unit.committee(),
                    };
                    let u: f64 = rng.random();
                    let mut acc = 0.0;
                    let state = STATES.iter().find(|(_, w)| {
                        acc += w;
                        u < acc
                    });
                    Feature {
                        geometry: Geometry::Point(spot.at.into()),
                        properties: vec![
                            ("code".into(), text(&format!("{DISTRICT_CODE}{:02}{:02}{:06}", s.class, s.sub, i + 1))),
                            ("name".into(), text(s.name)),
                            ("class".into(), text(class_name(s.class))),
                            ("subclass".into(), text(s.name)),
                            ("dept".into(), text(&dept)),
                            ("state".into(), text(state.map_or("完好", |s| s.0))),
                            ("grid_code".into(), text(world.code(spot.leaf))),
                            ("township".into(), text(&unit.township)),
                        ],
                    }
                })
                .collect();
            let id = format!("hr_comp_{:02}{:02}_{}", s.class, s.sub, s.slug);
            Layer { meta: meta(&id, s.name, CATEGORY_COMPONENTS), features }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_weights_sum_to_one() {
        assert!((STATES.iter().map(|s| s.1).sum::<f64>() - 1.0).abs() < 1e-9);
    }
}
