#!/usr/bin/env python3
"""The vector tiles, read by independent tools: `mapbox-vector-tile` (PyPI) decodes them,
shapely (GEOS) clips the source geometries to compare with, and a protocol-buffer walker
written here reads the raw command streams for what a decoder forgives.

    check.py GRIDGIS_BIN [--data DIR]

Against a running `gridgis serve` on the demo data:
- every `grids` tile over the district at z10, z12 and z14, and 200 z16 tiles: layer version 2
  and extent 4096, unique layer names, keys and values de-duplicated, feature ids, commands
  well formed (MoveTo/LineTo/ClosePath with their counts, no zero-length LineTo, a ring's first
  point not repeated), every exterior ring of positive area in tile coordinates (y down) and
  its holes after it with negative area, every polygon OGC-valid (GEOS), properties the
  grid's own;
- each feature's geometry within one tile unit of the grid's outline clipped by shapely to
  the buffered tile (where shapes are drawn as stored, z ≥ 13), within a pixel (8 units)
  where they are simplified for the zoom (z ≤ 12);
- every grid of the levels drawn at z14 is in exactly the z14 tiles whose buffered square its
  outline overlaps (an overlap under 4 square units, a quarter pixel, is allowed either way:
  rounding decides);
- a thematic layer of points and one of polygons, the same checks against their features
  (within one unit for points, half a pixel and one unit for areas, which are simplified);
- `gridgis tiles` archives: the MBTiles read with Python's sqlite3 (every tile, gunzipped,
  byte for byte the server's tile at that z/x/y, rows counted from the south), the PMTiles
  read with the npm `pmtiles` reader and decoded by `@mapbox/vector-tile` (the same tiles,
  layers and feature counts as the MBTiles, the header's zooms, type and compression).
"""

import argparse
import gzip
import sqlite3
import warnings
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import mapbox_vector_tile
import shapely
import shapely.ops
from shapely.geometry import box, shape

# shapely 2 deprecates ops.transform for the vectorized API; the per-vertex function here
# (lon/lat → tile units) reads more plainly.
warnings.filterwarnings("ignore", category=DeprecationWarning)

EXTENT, BUFFER = 4096, 64
failures = []


def fail(msg):
    failures.append(msg)
    if len(failures) <= 20:
        print("FAIL", msg, file=sys.stderr)


def world(lon, lat):
    s = min(max(math.sin(math.radians(lat)), -0.9999999), 0.9999999)
    return (lon + 180.0) / 360.0, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


def to_tile(geom, z, x, y):
    n = 2 ** z

    def f(xs, ys, zs=None):
        out_x, out_y = [], []
        for lon, lat in zip(xs, ys):
            wx, wy = world(lon, lat)
            out_x.append((wx * n - x) * EXTENT)
            out_y.append((wy * n - y) * EXTENT)
        return out_x, out_y

    return shapely.ops.transform(f, geom)


def tiles_over(bounds, z):
    w, s, e, n = bounds
    (x0, y0), (x1, y1) = world(w, n), world(e, s)
    k = 2 ** z
    return [(z, x, y) for x in range(int(x0 * k), int(x1 * k) + 1) for y in range(int(y0 * k), int(y1 * k) + 1)]


# ---- a protocol-buffer walker for the raw tile ----

def varint(buf, i):
    shift = v = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, i
        shift += 7


def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
        elif wire == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield num, v


def packed(buf):
    out, i = [], 0
    while i < len(buf):
        v, i = varint(buf, i)
        out.append(v)
    return out


def unzigzag(v):
    return (v >> 1) ^ -(v & 1)


def check_raw(raw, where):
    """Layer version/extent, unique names, de-duplicated keys/values, ids, command streams."""
    names = []
    for num, layer in fields(raw):
        if num != 3:
            fail(f"{where}: tile field {num}")
            continue
        version = extent = name = None
        keys, values, feats = [], [], []
        for n, v in fields(layer):
            if n == 15:
                version = v
            elif n == 1:
                name = v.decode()
            elif n == 5:
                extent = v
            elif n == 3:
                keys.append(v)
            elif n == 4:
                values.append(v)
            elif n == 2:
                feats.append(v)
        names.append(name)
        if version != 2 or extent != EXTENT:
            fail(f"{where} {name}: version {version} extent {extent}")
        if len(set(keys)) != len(keys) or len(set(values)) != len(values):
            fail(f"{where} {name}: keys or values repeated")
        for f in feats:
            fid = gtype = geom = None
            for n, v in fields(f):
                if n == 1:
                    fid = v
                elif n == 3:
                    gtype = v
                elif n == 4:
                    geom = packed(v)
            if fid is None:
                fail(f"{where} {name}: a feature without id")
            check_commands(geom or [], gtype, f"{where} {name} #{fid}")
    if len(set(names)) != len(names):
        fail(f"{where}: layer names repeated {names}")


def check_commands(cmds, gtype, where):
    i, cx, cy = 0, 0, 0
    rings = []
    ring = None
    while i < len(cmds):
        c = cmds[i]
        i += 1
        cid, count = c & 7, c >> 3
        if cid == 1:
            if gtype != 1 and count != 1:
                fail(f"{where}: MoveTo count {count}")
            for _ in range(count):
                cx += unzigzag(cmds[i]); cy += unzigzag(cmds[i + 1]); i += 2
                ring = [(cx, cy)]
        elif cid == 2:
            if count == 0:
                fail(f"{where}: LineTo with no point")
            for _ in range(count):
                dx, dy = unzigzag(cmds[i]), unzigzag(cmds[i + 1]); i += 2
                if dx == 0 and dy == 0:
                    fail(f"{where}: zero-length LineTo")
                cx += dx; cy += dy
                ring.append((cx, cy))
        elif cid == 7:
            if count != 1 or gtype != 3:
                fail(f"{where}: ClosePath count {count} in type {gtype}")
            if ring and ring[0] == ring[-1]:
                fail(f"{where}: ring repeats its first point")
            rings.append(ring)
            ring = None
        else:
            fail(f"{where}: command {cid}")
            return
    if gtype == 3:
        if not rings:
            fail(f"{where}: polygon without rings")
            return
        areas = [sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(r, r[1:] + r[:1])) for r in rings]
        if areas[0] <= 0:
            fail(f"{where}: first ring is not an exterior (area {areas[0] / 2})")
        if any(a == 0 for a in areas):
            fail(f"{where}: ring without area")


def fetch(port, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        body = r.read()
        if r.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return r.status, body


def decoded_geometry(feature):
    g = shape(feature["geometry"])
    return shapely.make_valid(g) if not g.is_valid else g


def compare(feature, expected, z, x, y, tol, where):
    """Every vertex of ours within `tol` of shapely's clip of the source, and every vertex of
    that clip within `tol` of ours; vertices on the buffer's edge are left out on both sides
    (where an edge meets the cut is where rounding slides a corner along it)."""
    if expected is None:
        fail(f"{where}: no source feature")
        return
    lo, hi = -BUFFER, EXTENT + BUFFER
    ours = decoded_geometry(feature)
    want = shapely.clip_by_rect(to_tile(expected, z, x, y), lo, lo, hi, hi)
    if want.is_empty:
        if ours.area > 1.0 or ours.length > 2.0:
            fail(f"{where}: drawn where shapely's clip is empty")
        return

    def off_edge(g):
        pts = shapely.get_coordinates(g)
        return [p for p in pts if min(abs(p[0] - lo), abs(p[0] - hi), abs(p[1] - lo), abs(p[1] - hi)) > 0.5]

    a_line, b_line = ours.boundary if ours.area > 0 else ours, want.boundary if want.area > 0 else want
    worst = 0.0
    for pts, other in ((off_edge(ours), b_line), (off_edge(want), a_line)):
        if pts:
            worst = max(worst, float(shapely.distance(shapely.points(pts), other).max()))
    if worst > tol:
        fail(f"{where}: {worst:.2f} units from shapely's clip (allowed {tol})")


def fetch_plain(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as r:
        return r.status, r.read()


def archives(port, data, bin_path, tmp):
    here = os.path.dirname(os.path.abspath(__file__))
    if not os.path.isdir(os.path.join(here, "node_modules")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=here, check=True)
    sources = "grids,hr_poi_food"
    paths = {ext: os.path.join(tmp, f"check.{ext}") for ext in ("pmtiles", "mbtiles")}
    for p in paths.values():
        subprocess.run([bin_path, "--data", data, "tiles", sources, "--out", p, "--maxzoom", "13"], check=True,
                       stderr=subprocess.DEVNULL)
    db = sqlite3.connect(paths["mbtiles"])
    meta = dict(db.execute("SELECT name, value FROM metadata"))
    if meta.get("format") != "pbf" or "vector_layers" not in json.loads(meta.get("json", "{}")):
        fail(f"mbtiles metadata {meta}")
    rows = db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles").fetchall()
    coords, counts = [], {}
    for z, x, row, blob in rows:
        y = (1 << z) - 1 - row
        status, served = fetch_plain(port, f"/tiles/{sources}/{z}/{x}/{y}")
        if status != 200 or gzip.decompress(blob) != served:
            fail(f"mbtiles {z}/{x}/{y}: not the server's tile (status {status})")
        layers = mapbox_vector_tile.decode(gzip.decompress(blob))
        counts[f"{z}/{x}/{y}"] = {name: len(l["features"]) for name, l in layers.items()}
        coords.append([z, x, y])
    out = subprocess.run(["node", os.path.join(here, "archives.mjs"), paths["pmtiles"]], input=json.dumps(coords),
                         capture_output=True, text=True, check=True)
    pm = json.loads(out.stdout)
    h = pm["header"]
    if (h["minZoom"], h["maxZoom"], h["tileType"], h["tileCompression"]) != (8, 13, 1, 2):
        fail(f"pmtiles header {h}")
    if h["addressed"] != len(rows):
        fail(f"pmtiles addresses {h['addressed']} tiles, the mbtiles holds {len(rows)}")
    for key, want in counts.items():
        got = pm["tiles"].get(key)
        if got is None or {n: l["features"] for n, l in got.items()} != want:
            fail(f"pmtiles {key}: {got and {n: l['features'] for n, l in got.items()}} vs mbtiles {want}")
    print(f"tiles check: archives of {sources} to z13, {len(rows)} tiles, the same in the MBTiles (sqlite3), "
          f"the PMTiles (npm pmtiles) and from the server")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--data")
    a = ap.parse_args()
    random.seed(5)
    with tempfile.TemporaryDirectory() as tmp:
        data = a.data or os.path.join(tmp, "data")
        if not a.data:
            subprocess.run([a.bin, "demo", "--out", data], check=True, stderr=subprocess.DEVNULL)
        grids_file = os.path.join(tmp, "grids.geojson")
        subprocess.run([a.bin, "--data", data, "export", "grids", "--format", "geojson", "--out", grids_file],
                       check=True, stderr=subprocess.DEVNULL)
        grids = {f["properties"]["code"]: f for f in json.load(open(grids_file, encoding="utf-8"))["features"]}
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        server = subprocess.Popen([a.bin, "--data", data, "serve", "--listen", f"127.0.0.1:{port}"],
                                  stderr=subprocess.DEVNULL, env=dict(os.environ, RUST_LOG="warn"))
        try:
            for _ in range(600):
                try:
                    fetch(port, "/health")
                    break
                except OSError:
                    time.sleep(0.1)
            run(port, grids, data, a.bin, tmp)
            archives(port, data, a.bin, tmp)
        finally:
            server.terminate()
            server.wait()
    if failures:
        print(f"tiles check FAILED: {len(failures)} problems", file=sys.stderr)
        sys.exit(1)


def run(port, grids, data, bin_path, tmp):
    tj = json.loads(fetch(port, "/tiles/grids")[1])
    assert tj["tilejson"] == "3.0.0", tj
    minzoom = {l["id"]: l["minzoom"] for l in tj["vector_layers"]}
    bounds = tj["bounds"]
    shapes = {code: shape(f["geometry"]) for code, f in grids.items()}
    checked = 0
    # Geometry and encoding, tile by tile.
    z14_codes = {}
    plan = tiles_over(bounds, 10) + tiles_over(bounds, 12) + tiles_over(bounds, 14)
    z16 = tiles_over(bounds, 16)
    plan += random.sample(z16, 200)
    geometry_sample = set(random.sample(tiles_over(bounds, 14), 300)) | set(tiles_over(bounds, 10)) | set(tiles_over(bounds, 12))
    for (z, x, y) in plan:
        status, raw = fetch(port, f"/tiles/grids/{z}/{x}/{y}")
        where = f"grids {z}/{x}/{y}"
        if status == 204:
            if z == 14:
                z14_codes[(x, y)] = set()
            continue
        check_raw(raw, where)
        tile = mapbox_vector_tile.decode(raw, default_options={"y_coord_down": True})
        codes = set()
        for name, layer in tile.items():
            if minzoom.get(name, 99) > z:
                fail(f"{where}: {name} below its minzoom")
            for feat in layer["features"]:
                p = feat["properties"]
                g = grids.get(p.get("code"))
                if g is None or {k: g["properties"][k] for k in ("code", "name", "level", "kind")} != p:
                    fail(f"{where}: properties {p}")
                    continue
                if f"grid_l{p['level']}" != name:
                    fail(f"{where}: level {p['level']} in {name}")
                codes.add(p["code"])
                g_ours = shape(feat["geometry"])
                if not g_ours.is_valid:
                    from shapely.validation import explain_validity
                    fail(f"{where} {p['code']}: not OGC-valid ({explain_validity(g_ours)})")
                if z >= 16 or (z, x, y) in geometry_sample:
                    # Simplified for the zoom (z ≤ 12): by half a pixel (4 units) by construction,
                    # under a pixel (8 units) with rounding and the metric's approximations.
                    tol = 1.0 if z >= 13 else 8.0
                    compare(feat, shapes[p["code"]], z, x, y, tol, f"{where} {p['code']}")
                    checked += 1
        if z == 14:
            z14_codes[(x, y)] = codes
    # Membership at z14: each drawn grid in exactly the tiles its outline overlaps.
    drawn = [c for c, f in grids.items() if f["properties"]["level"] >= 1 and minzoom[f"grid_l{f['properties']['level']}"] <= 14]
    tree = shapely.STRtree([shapes[c] for c in drawn])
    n = 2 ** 14
    unit = 1.0 / (n * EXTENT)
    mismatches = 0
    for (x, y), codes in z14_codes.items():
        # The buffered square in lon/lat.
        def lonlat(wx, wy):
            return wx * 360.0 - 180.0, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * wy))))
        (w, nn), (e, s) = lonlat((x * EXTENT - BUFFER) * unit, (y * EXTENT - BUFFER) * unit), \
            lonlat(((x + 1) * EXTENT + BUFFER) * unit, ((y + 1) * EXTENT + BUFFER) * unit)
        square = box(w, s, e, nn)
        near = {drawn[i] for i in tree.query(square)}
        for code in near | codes:
            overlap = to_tile(shapes[code].intersection(square), 14, x, y).area if code in near else 0.0
            inside = code in codes
            either = 0.0 < overlap < 4.0  # a sliver under a quarter pixel: rounding decides
            if inside != (overlap >= 4.0) and not either:
                mismatches += 1
                fail(f"z14 {x}/{y}: grid {code} overlap {overlap:.2f} unit², in tile: {inside}")
    # Thematic layers: points and polygons.
    layers = json.loads(subprocess.run([bin_path, "--data", data, "layers", "--json"], check=True,
                                       capture_output=True, text=True).stdout)
    picks = [l for l in layers if l["kind"] == "thematic" and l["geometry_type"] in ("Point", "MultiPoint")][:1]
    picks += [l for l in layers if l["kind"] == "thematic" and "Polygon" in l["geometry_type"]][:1]
    for layer in picks:
        out = os.path.join(tmp, layer["id"] + ".geojson")
        subprocess.run([bin_path, "--data", data, "export", layer["id"], "--format", "geojson", "--out", out],
                       check=True, stderr=subprocess.DEVNULL)
        feats = json.load(open(out, encoding="utf-8"))["features"]
        tj = json.loads(fetch(port, f"/tiles/{layer['id']}")[1])
        z = max(tj["vector_layers"][0]["minzoom"], 14)
        for (zz, x, y) in random.sample(tiles_over(layer["bbox"], z), 40):
            status, raw = fetch(port, f"/tiles/{layer['id']}/{zz}/{x}/{y}")
            if status == 204:
                continue
            where = f"{layer['id']} {zz}/{x}/{y}"
            check_raw(raw, where)
            for feat in mapbox_vector_tile.decode(raw, default_options={"y_coord_down": True})[layer["id"]]["features"]:
                src = feats[feat["id"] - 1]
                want = {k: v for k, v in src["properties"].items() if v is not None}
                if {k: feat["properties"].get(k) for k in want} != want:
                    fail(f"{where} #{feat['id']}: properties differ")
                # Lines and areas are simplified by half a pixel (4 units) at every zoom.
                tol = 1.0 if "Point" in layer["geometry_type"] else 5.0
                compare(feat, shape(src["geometry"]), zz, x, y, tol, f"{where} #{feat['id']}")
                checked += 1
    print(f"tiles check: {len(plan)} grids tiles ({len(z14_codes)} at z14), {checked} features compared with shapely, "
          f"{mismatches} membership mismatches, {len(failures)} problems")


if __name__ == "__main__":
    main()
