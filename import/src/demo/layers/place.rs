//! Drawing the points of a family where such things stand.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::names::Place;
use super::network::{Network, RIVER};
use super::world::{Spot, World, round};

/// `n` points placed by `place`. Points along roads stand a few metres off the carriageway's
/// edge; along rivers, on the bank.
pub fn spots(world: &World, net: &Network, place: Place, n: usize, rng: &mut ChaCha8Rng) -> Vec<Spot> {
    let mut out = Vec::with_capacity(n);
    match place {
        Place::Density(alpha) => {
            let s = world.sampler(alpha);
            out.extend((0..n).map(|_| world.sample(&s, rng)));
        }
        Place::Along { mask, share, alpha } => {
            let lines = net.along(mask, world.scale);
            let s = world.sampler(alpha);
            let offset = if mask == RIVER { 15.0 } else { 12.0 };
            for _ in 0..n {
                let along = !lines.is_empty() && rng.random::<f64>() < share;
                let spot = if along {
                    (0..50)
                        .find_map(|_| {
                            let off = offset + rng.random::<f64>() * 6.0;
                            let (c, _) = lines.sample(rng, off, world.scale)?;
                            world.spot(round(c))
                        })
                        .unwrap_or_else(|| world.sample(&s, rng))
                } else {
                    world.sample(&s, rng)
                };
                out.push(spot);
            }
        }
        Place::Villages => {
            let mut units: Vec<usize> =
                (0..world.units.len()).filter(|&i| world.units[i].kind != "city_street").collect();
            units.shuffle(rng);
            for k in 0..n {
                let unit = &world.units[units[k % units.len()]];
                out.push(world.near_anchor(unit, 120.0, rng));
            }
        }
        Place::Crossings => {
            let mut bridges: Vec<Spot> = net.crossings().into_iter().filter_map(|c| world.spot(c)).collect();
            bridges.shuffle(rng);
            bridges.truncate(n);
            out.extend(bridges);
            let lines = net.along(RIVER, world.scale);
            let s = world.sampler(1.0);
            while out.len() < n {
                let spot = lines.sample(rng, 0.0, world.scale).and_then(|(c, _)| world.spot(round(c)));
                out.push(spot.unwrap_or_else(|| world.sample(&s, rng)));
            }
        }
    }
    out
}
