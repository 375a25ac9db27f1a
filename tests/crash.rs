//! Crash safety: `gridgis import` killed with SIGKILL at random moments, many times. After
//! every kill the data dir opens, the layer is at its previous version or the new one (never
//! a part), every layer file the catalog names reads in full, and the server's loader accepts
//! the dir.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use rand::{Rng, SeedableRng};

const BIN: &str = env!("CARGO_BIN_EXE_gridgis");

/// A GeoJSON file of `n` points, large enough that an import takes a while.
fn points(path: &std::path::Path, n: usize, tag: &str) {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let (x, y) = (116.3 + (i % 1000) as f64 * 0.0005, 40.3 + (i / 1000) as f64 * 0.002);
        s.push_str(&format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"n\":{i},\"tag\":\"{tag}\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{x},{y}]}}}}"
        ));
    }
    s.push_str("]}");
    std::fs::write(path, s).unwrap();
}

fn import(data: &std::path::Path, file: &std::path::Path) -> std::process::Child {
    Command::new(BIN)
        .args(["--data", data.to_str().unwrap(), "import", file.to_str().unwrap(), "--layer", "crashy"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The data dir is consistent: it opens, every current file reads in full, and the layer
/// holds one of the expected feature counts, all with the same tag.
fn check(data: &std::path::Path, allowed: &[(u64, &str)]) -> Option<u64> {
    let store = gridgis_layers::Store::open(data).expect("the data dir opens after a kill");
    for entry in &store.catalog().layers {
        let features = store.read(&entry.id).expect("every current file reads");
        assert_eq!(features.len() as u64, entry.feature_count, "layer {} is whole", entry.id);
    }
    let entry = store.catalog().get("crashy")?;
    let features = store.read("crashy").unwrap();
    let tag = features[0].get("tag").and_then(|v| v.as_str()).unwrap().to_string();
    assert!(
        features.iter().all(|f| f.get("tag").and_then(|v| v.as_str()) == Some(tag.as_str())),
        "one version, not a mix"
    );
    assert!(
        allowed.contains(&(entry.feature_count, tag.as_str())),
        "unexpected {} features tagged {tag}",
        entry.feature_count
    );
    Some(entry.version.into())
}

#[test]
fn killed_imports_never_leave_a_half_published_layer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    common::copy_dir(common::demo_dir(), &data);
    let (a, b) = (dir.path().join("a.geojson"), dir.path().join("b.geojson"));
    points(&a, 200_000, "a");
    points(&b, 150_000, "b");
    // The first version lands whole.
    assert!(import(&data, &a).wait().unwrap().success());
    assert_eq!(check(&data, &[(200_000, "a")]), Some(1));
    // How long a full import takes, to spread the kills over it.
    let t = std::time::Instant::now();
    assert!(import(&data, &b).wait().unwrap().success());
    let full = t.elapsed();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut survived = 0;
    for round in 0..30 {
        let file = if round % 2 == 0 { &a } else { &b };
        let mut child = import(&data, file);
        let at = full.mul_f64(rng.random_range(0.05..1.2));
        std::thread::sleep(at);
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        survived += usize::from(finished);
        check(&data, &[(200_000, "a"), (150_000, "b")]).expect("the layer is still there");
        // The server's loader accepts the dir as it is.
        gridgis::data::load(&gridgis::data::Place::files(&data)).expect("a server could start on it");
    }
    // And after all that, an import still works and leaves no temporary files behind.
    assert!(import(&data, &a).wait().unwrap().success());
    let leftovers: Vec<_> = std::fs::read_dir(data.join("layers/crashy"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    eprintln!("{survived} of 30 imports finished before their kill; {} were killed mid-way", 30 - survived);
    std::thread::sleep(Duration::from_millis(1));
}
