#!/usr/bin/env python3
"""Independent checks of gridgis against GEOS (through shapely 2).

Usage: tests/oracle/run.py path/to/gridgis [--points N]

1. Topology of the demo grids, as GEOS sees them: exact counts per level, every polygon
   valid, levels 1-4 within 20-300 vertices, codes consistent with parents, no overlaps
   within a level, children covering their parent exactly, and level 1 covering the district
   outline as shapely itself repairs it.
2. Point location: N (default 1,000,000) random points over the district's bounding box,
   located by `gridgis locate --input`, compared with shapely's STRtree `within` query at
   every level.
3. The stored FlatGeobuf files, read by GDAL (ogr2ogr): same features, same geometries as
   gridgis exports, and GDAL's bbox filter through the file's packed R-tree finds exactly the
   grids shapely finds.
4. Import of what GDAL writes: a GBK shapefile in CGCS2000 Gauss-Krüger (EPSG:4548), zipped,
   imports with the same Chinese text and coordinates equal to pyproj's to 1e-7°, and GDAL
   reads the layer file gridgis stored.

Exits non-zero on the first failed check, printing what failed.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import shapely
from shapely.geometry import shape

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LEVEL_COUNTS = [1, 340, 1221, 4571, 1452]
CODE_LEN = {0: 6, 1: 12, 2: 15, 3: 18, 4: 21}
# Relative area tolerance for "equal" coverages: floating-point noise of unions, far below
# one square metre over the district (2,123 km² → 1e-9 is ~2 m²).
AREA_TOL = 1e-9

failures = []


def check(ok, what):
    print(("  ok    " if ok else "  FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def load_grids(binary, data):
    path = os.path.join(data, "grids.geojson")
    run([binary, "--data", data, "export", "grids", "--format", "geojson", "--out", path], stderr=subprocess.DEVNULL)
    with open(path, encoding="utf-8") as f:
        fc = json.load(f)
    props = [f["properties"] for f in fc["features"]]
    geoms = np.array([shape(f["geometry"]) for f in fc["features"]], dtype=object)
    return props, geoms


def repaired_outline():
    with open(os.path.join(ROOT, "data", "huairou_outline.geojson"), encoding="utf-8") as f:
        g = shape(json.load(f)["features"][0]["geometry"])
    fixed = shapely.make_valid(g)
    # make_valid keeps the collapsed spike as a LineString: only the areal part is the district.
    return shapely.union_all([p for p in shapely.get_parts(fixed) if p.geom_type in ("Polygon", "MultiPolygon")])


def same_area(a, b, total):
    return shapely.area(shapely.symmetric_difference(a, b)) <= AREA_TOL * total


def check_topology(props, geoms):
    print("topology (GEOS):")
    levels = np.array([p["level"] for p in props])
    codes = [p["code"] for p in props]
    counts = [int((levels == k).sum()) for k in range(5)]
    check(counts == LEVEL_COUNTS, f"grids per level {counts} == {LEVEL_COUNTS}, total {len(props)}")
    valid = shapely.is_valid(geoms)
    bad = [codes[i] + ": " + shapely.is_valid_reason(geoms[i]) for i in np.nonzero(~valid)[0][:5]]
    check(bool(valid.all()), f"all {len(geoms)} polygons valid {bad}")
    nverts = shapely.get_num_coordinates(geoms) - shapely.get_num_geometries(geoms) - np.array(
        [sum(len(p.interiors) for p in shapely.get_parts(g)) for g in geoms])
    sub = levels >= 1
    check(bool(((nverts[sub] >= 20) & (nverts[sub] <= 300)).all()),
          f"levels 1-4 have 20-300 vertices (min {nverts[sub].min()}, max {nverts[sub].max()})")

    by_code = {c: i for i, c in enumerate(codes)}
    code_ok = all(len(p["code"]) == CODE_LEN[p["level"]] and p["code"].isdigit() for p in props)
    parent_ok = all(
        p["level"] == 0 or (p["parent_code"] in by_code and p["code"].startswith(p["parent_code"])
                            and props[by_code[p["parent_code"]]]["level"] == p["level"] - 1)
        for p in props)
    town_ok = all(p["level"] == 0 or p["township_code"] == p["code"][:9] for p in props)
    check(code_ok and parent_ok and town_ok, "codes: digits of the level's length, parent prefix, township prefix")

    district = repaired_outline()
    total = district.area
    level0 = geoms[levels == 0][0]
    check(same_area(level0, district, total), "level 0 equals the outline as shapely repairs it")
    for k in range(1, 5):
        layer = geoms[levels == k]
        tree = shapely.STRtree(layer)
        left, right = tree.query(layer, predicate="overlaps")
        check(len(left) == 0, f"level {k}: no two grids overlap ({len(left)} pairs)")
        if k == 1:
            union = shapely.coverage_union_all(layer)
            check(same_area(union, district, total), "level 1 covers the repaired outline exactly")
    # Children cover their parent exactly (and the overlap check above rules out double cover).
    children = {}
    for i, p in enumerate(props):
        if p["level"] > 0:
            children.setdefault(p["parent_code"], []).append(i)
    worst = 0.0
    for parent, kids in children.items():
        pg = geoms[by_code[parent]]
        union = shapely.coverage_union_all(geoms[kids])
        worst = max(worst, shapely.area(shapely.symmetric_difference(union, pg)) / pg.area)
    check(worst <= AREA_TOL * 10, f"children cover each of {len(children)} parents exactly (worst relative gap {worst:.2e})")


def check_locate(binary, data, props, geoms, n):
    print(f"locate vs GEOS on {n:,} random points:")
    levels = np.array([p["level"] for p in props])
    codes = np.array([p["code"] for p in props], dtype=object)
    minx, miny, maxx, maxy = shapely.bounds(geoms[levels == 0][0])
    rng = np.random.default_rng(20261124)
    xs = rng.uniform(minx, maxx, n)
    ys = rng.uniform(miny, maxy, n)
    pts_path = os.path.join(data, "points.csv")
    with open(pts_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lon", "lat"])
        for i in range(n):
            w.writerow([i, repr(float(xs[i])), repr(float(ys[i]))])
    started = time.time()
    out = run([binary, "--data", data, "locate", "--input", pts_path, "--max-distance", "0"],
              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    print(f"  gridgis located {n:,} points in {time.time() - started:.2f} s (whole process)")
    rows = list(csv.reader(out.splitlines()))
    check(rows[0] == ["id", "code", "level", "l1_code", "township_code", "inside", "distance_m"], "CSV header")
    rows = rows[1:]
    check(len(rows) == n and all(int(r[0]) == i for i, r in enumerate(rows)), "one answer per point, in order")
    ours = np.array([r[1] for r in rows], dtype=object)

    points = shapely.points(xs, ys)
    mismatches = 0
    for k in range(0, 5):
        layer_idx = np.nonzero(levels == k)[0]
        tree = shapely.STRtree(geoms[layer_idx])
        pi, gi = tree.query(points, predicate="within")
        truth = np.full(n, "", dtype=object)
        truth[pi] = codes[layer_idx[gi]]
        counts = np.bincount(pi, minlength=n)
        check(counts.max() <= 1, f"level {k}: GEOS puts no point in two grids")
        want = truth
        got = np.array([c[:CODE_LEN[k]] if len(c) >= CODE_LEN[k] else "" for c in ours], dtype=object)
        diff = int((got != want).sum())
        mismatches += diff
        example = ""
        if diff:
            j = int(np.nonzero(got != want)[0][0])
            example = f" e.g. point {j} ({xs[j]!r}, {ys[j]!r}): gridgis {ours[j]!r}, GEOS {want[j]!r}"
        check(diff == 0, f"level {k}: {int((want != '').sum()):,} points inside, {diff} disagree{example}")
    inside = int((ours != "").sum())
    print(f"  {inside:,} of {n:,} points inside the district; {mismatches} disagreements over all levels")


def check_gdal(data, props, geoms):
    print("stored FlatGeobuf read by GDAL:")
    with open(os.path.join(data, "catalog.json"), encoding="utf-8") as f:
        catalog = {layer["id"]: layer for layer in json.load(f)["layers"]}
    fgb = os.path.join(data, catalog["grids"]["file"])
    out = os.path.join(data, "gdal.geojson")
    run(["ogr2ogr", "-f", "GeoJSON", out, fgb], stderr=subprocess.DEVNULL)
    with open(out, encoding="utf-8") as f:
        gdal = json.load(f)["features"]
    check(len(gdal) == len(props), f"GDAL reads {len(gdal)} grids")
    keys = list(gdal[0]["properties"].keys())
    check(keys == ["code", "name", "level", "parent_code", "township_code", "kind"], f"fields {keys}")
    ours = {p["code"]: (p, g) for p, g in zip(props, geoms)}

    def single(g):
        # GDAL writes the layer's type (MultiPolygon); gridgis writes one-part ones as Polygon.
        return g.geoms[0] if g.geom_type == "MultiPolygon" and len(g.geoms) == 1 else g

    # GDAL leaves null properties out of GeoJSON; gridgis writes them as null. GDAL's GeoJSON
    # writer prints coordinates to 15 decimals: equal to 1e-12° (0.1 µm).
    bad_props = sum(1 for f in gdal
                    if {k: v for k, v in ours[f["properties"]["code"]][0].items() if v is not None} != f["properties"])
    bad_geoms = sum(1 for f in gdal
                    if not shapely.equals_exact(single(shape(f["geometry"])), ours[f["properties"]["code"]][1], tolerance=1e-12))
    check(bad_props == 0 and bad_geoms == 0,
          f"every GDAL feature equals gridgis' export ({bad_props} properties, {bad_geoms} geometries differ)")
    # A spatial filter through GDAL, which reads the file's packed R-tree, against GEOS.
    bbox = (116.60, 40.29, 116.68, 40.35)
    info = run(["ogrinfo", "-so", "-spat", *map(str, bbox), fgb, "grids"], stdout=subprocess.PIPE,
               stderr=subprocess.DEVNULL).stdout.decode()
    count = int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("Feature Count")))
    expected = int(shapely.intersects(geoms, shapely.box(*bbox)).sum())
    check(count == expected, f"GDAL's spatial filter finds {count} grids in the city, GEOS finds {expected}")


def check_import_gdal(binary, data):
    print("import of a GBK shapefile in EPSG:4548 written by GDAL:")
    from pyproj import Transformer
    import zipfile
    work = os.path.join(data, "gdal-import")
    os.makedirs(work)
    rng = np.random.default_rng(3)
    names = ["怀柔区雁栖镇", "桥梓镇北宅村", "泉河街道富乐社区", "喇叭沟门满族乡", "琉璃庙镇"]
    features = []
    for i in range(300):
        lon, lat = 116.45 + rng.uniform(0, 0.35), 40.28 + rng.uniform(0, 0.6)
        if i % 3 == 2:
            d = 0.002
            geom = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]}
        else:
            geom = {"type": "Point", "coordinates": [lon, lat]}
        features.append({"type": "Feature", "properties": {"name": f"{names[i % 5]}{i}号井盖", "n": i}, "geometry": geom})
    src = os.path.join(work, "src.geojson")
    # Points and polygons go to two shapefiles (a shapefile holds one type).
    for kind in ("Point", "Polygon"):
        with open(src, "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": [x for x in features if x["geometry"]["type"] == kind]}, f,
                      ensure_ascii=False)
        shp = os.path.join(work, f"井盖_{kind}.shp")
        run(["ogr2ogr", "-f", "ESRI Shapefile", shp, src, "-t_srs", "EPSG:4548", "-lco", "ENCODING=GBK"],
            stderr=subprocess.DEVNULL)
        zpath = os.path.join(work, f"{kind}.zip")
        with zipfile.ZipFile(zpath, "w") as z:
            for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                z.write(shp[:-3] + ext, f"data/井盖_{kind}.{ext}")
        layer = f"gbk_{kind.lower()}"
        out = run([binary, "--data", data, "import", zpath, "--layer", layer, "--json"], stdout=subprocess.PIPE,
                  stderr=subprocess.DEVNULL).stdout.decode()
        report = json.loads(out)
        expected = [x for x in features if x["geometry"]["type"] == kind]
        check(report["published"] == len(expected) and report["rejected"] == 0,
              f"{kind}: imported {report['published']} of {len(expected)} (encoding {report['encoding']}, crs {report['source_crs']})")
        # The projected coordinates GDAL wrote, converted by pyproj, against what gridgis stored.
        projected = os.path.join(work, f"{kind}_projected.geojson")
        run(["ogr2ogr", "-f", "GeoJSON", projected, shp], stderr=subprocess.DEVNULL)
        with open(projected, encoding="utf-8") as f:
            theirs = {x["properties"]["n"]: x for x in json.load(f)["features"]}
        exported = os.path.join(work, f"{kind}_gridgis.geojson")
        run([binary, "--data", data, "export", layer, "--format", "geojson", "--out", exported], stderr=subprocess.DEVNULL)
        with open(exported, encoding="utf-8") as f:
            ours = {x["properties"]["n"]: x for x in json.load(f)["features"]}
        to_wgs = Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True)
        worst, bad_names = 0.0, 0
        for n, x in theirs.items():
            g = shape(x["geometry"])
            mine = shape(ours[n]["geometry"])
            xs, ys = np.array(shapely.get_coordinates(g)).T
            lon, lat = to_wgs.transform(xs, ys)
            expect = shapely.set_coordinates(g, np.column_stack([lon, lat]))
            worst = max(worst, shapely.hausdorff_distance(shapely.normalize(expect), shapely.normalize(mine)))
            bad_names += ours[n]["properties"]["name"] != x["properties"]["name"]
            bad_names += ours[n]["properties"]["name"] != next(f for f in expected if f["properties"]["n"] == n)["properties"]["name"]
        check(worst < 1e-7, f"{kind}: coordinates equal pyproj's to 1e-7° (worst {worst:.1e}°)")
        check(bad_names == 0, f"{kind}: Chinese names identical after GBK ({bad_names} differ)")
        with open(os.path.join(data, "catalog.json"), encoding="utf-8") as f:
            entry = next(x for x in json.load(f)["layers"] if x["id"] == layer)
        info = run(["ogrinfo", "-so", "-al", os.path.join(data, entry["file"])], stdout=subprocess.PIPE,
                   stderr=subprocess.DEVNULL).stdout.decode()
        count = int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("Feature Count")))
        check(count == len(expected), f"{kind}: GDAL reads {count} features from gridgis' layer file")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--points", type=int, default=1_000_000)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    with tempfile.TemporaryDirectory(prefix="gridgis-oracle-") as tmp:
        data = os.path.join(tmp, "data")
        run([binary, "demo", "--out", data], stderr=subprocess.DEVNULL)
        props, geoms = load_grids(binary, data)
        check_topology(props, geoms)
        check_locate(binary, data, props, geoms, args.points)
        check_gdal(data, props, geoms)
        check_import_gdal(binary, data)
    if failures:
        print(f"{len(failures)} oracle check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all oracle checks passed")


if __name__ == "__main__":
    main()
