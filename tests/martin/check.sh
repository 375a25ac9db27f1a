#!/usr/bin/env bash
# martin (from crates.io) and gridgis on one PostGIS store: martin serves the `layers` views
# gridgis keeps (one per layer, at its current version), gridgis serves the same store from
# memory. For a sample of z14 and z16 tiles over the district, both tiles must hold the same
# grids (codes, names, levels), decoded by mapbox-vector-tile; and after a new version is
# published through gridgis, martin's next tile shows it.
#   tests/martin/check.sh [N_TILES]        (installs martin 1.14 with cargo where missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:-$root/target/release/gridgis}
n=${1:-60}
port=18095
martin_port=18096
pgport=55435
work=$(mktemp -d /tmp/gridgis-martin.XXXXXX)
chmod 755 "$work"
trap 'status=$?; [[ $status -ne 0 ]] && tail -n 20 "$work/martin.log" "$work/gridgis.log" >&2 2>/dev/null; kill ${pids:-} 2>/dev/null || true; "$root/scripts/pg-cluster.sh" stop "$work/pg" immediate; rm -rf "$work"' EXIT
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --bin gridgis)
martin=${MARTIN:-$(command -v martin || echo "$root/target/tools/bin/martin")}
if [[ ! -x "$martin" ]]; then
  # martin 1.14 is the newest that builds with Rust 1.95; only its PostgreSQL source (the default
  # rendering feature clones maplibre-native from GitHub at build time).
  echo "martin: cargo install martin@1.14.0 into target/tools" >&2
  cargo install martin@1.14.0 --locked --no-default-features --features postgres --root "$root/target/tools" --target-dir "$root/target/tools/build" >&2
  martin="$root/target/tools/bin/martin"
fi
python3 -c 'import mapbox_vector_tile' 2>/dev/null || "$root/scripts/install-deps.sh" --test

admin=$("$root/scripts/pg-cluster.sh" start "$work/pg" "$pgport")
url=${admin%/*}/city
psql "$admin" -qc "CREATE DATABASE city"
"$bin" demo --out "$work/data" 2>/dev/null
"$bin" --data "$work/data" store copy --to "$url" 2>/dev/null
mkdir -p "$work/replica"
RUST_LOG=warn GRIDGIS_API_KEYS=gis_staff:martin-check-key-0123 "$bin" --data "$work/replica" --store "$url" \
  serve --listen "127.0.0.1:$port" >"$work/gridgis.log" 2>&1 &
pids="$!"
# The martin config the README shows: every view of the `layers` schema, `fid` as feature id.
cat > "$work/martin.yaml" <<YAML
listen_addresses: '127.0.0.1:$martin_port'
postgres:
  connection_string: '$url'
  auto_publish:
    from_schemas: layers
    tables:
      id_columns: fid
    functions: false
YAML
"$martin" --config "$work/martin.yaml" >"$work/martin.log" 2>&1 &
pids="$pids $!"
for p in "$port/ready" "$martin_port/health"; do
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$p" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$p" >/dev/null || { cat "$work/martin.log" "$work/gridgis.log" >&2; echo "martin check: http://127.0.0.1:$p not up" >&2; exit 1; }
done
python3 - "$port" "$martin_port" "$n" "$url" <<'PY'
import gzip, json, math, random, subprocess, sys, urllib.request
import mapbox_vector_tile

gridgis, martin, n, url = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def fetch(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as r:
        data = r.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data

def inside(feature, extent):
    """True when some vertex lies strictly inside the tile (not only in the buffer)."""
    def walk(c):
        if isinstance(c[0], (int, float)):
            yield c
        else:
            for x in c:
                yield from walk(x)
    return any(0 < x < extent and 0 < y < extent for x, y in walk(feature["geometry"]["coordinates"]))

def grids(tile, names, min_level=1):
    out = {}
    for name, layer in mapbox_vector_tile.decode(tile).items():
        if name not in names:
            continue
        extent = layer.get("extent", 4096)
        for f in layer["features"]:
            p = f["properties"]
            if int(p["level"]) >= min_level and inside(f, extent):
                out[p["code"]] = (p["name"], int(p["level"]))
    return out

def xy(lon, lat, z):
    k = 2 ** z
    return int((lon + 180) / 360 * k), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * k)

random.seed(11)
tiles = set()
while len(tiles) < n:
    z = random.choice([14, 14, 16])
    tiles.add((z, *xy(random.uniform(116.35, 116.85), random.uniform(40.25, 41.0), z)))
ours_names = {"grid_l1", "grid_l2", "grid_l3", "grid_l4"}
compared = features = 0
for z, x, y in sorted(tiles):
    ours = grids(fetch(gridgis, f"/tiles/grids/{z}/{x}/{y}"), ours_names)
    theirs = grids(fetch(martin, f"/grids/{z}/{x}/{y}"), {"grids"})
    if ours != theirs:
        only_ours = sorted(set(ours) - set(theirs))[:5]
        only_theirs = sorted(set(theirs) - set(ours))[:5]
        differ = sorted(c for c in set(ours) & set(theirs) if ours[c] != theirs[c])[:5]
        sys.exit(f"martin check: tile {z}/{x}/{y} differs: only gridgis {only_ours}, only martin {only_theirs}, properties {differ}")
    compared += 1
    features += len(ours)
print(f"martin check: {compared} tiles (z14, z16) hold the same {features} grids from martin and gridgis")

# A new version of a layer martin serves, published through gridgis: martin's next tile is of it
# (its view now reads the new version's table). A version that changes the fields needs martin
# restarted: martin fixes each source's columns when it starts.
layers = json.load(urllib.request.urlopen(f"http://127.0.0.1:{gridgis}/layers"))
layers = layers.get("layers", layers) if isinstance(layers, dict) else layers
lid = next(l["id"] for l in layers if l.get("geometry_type") == "Point" and l["id"] not in ("addresses",))
# The same fields (martin fixes each source's columns when it starts).
fields = json.load(urllib.request.urlopen(f"http://127.0.0.1:{gridgis}/layers/{lid}"))["fields"]
sample = {"string": "新版本", "int": 7, "float": 1.5, "bool": True}
props = {f["name"]: sample[f["type"]] for f in fields}
body = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [116.6 + i * 1e-4, 40.32]}}
    for i in range(25)]}).encode()
req = urllib.request.Request(f"http://127.0.0.1:{gridgis}/layers/{lid}", data=body, method="POST",
                             headers={"Authorization": "Bearer martin-check-key-0123", "Content-Type": "application/geo+json"})
urllib.request.urlopen(req).read()
z, x, y = 14, *xy(116.601, 40.32, 14)
ours = mapbox_vector_tile.decode(fetch(gridgis, f"/tiles/{lid}/{z}/{x}/{y}"))
theirs = mapbox_vector_tile.decode(fetch(martin, f"/{lid}/{z}/{x}/{y}"))
values = {v for l in theirs.values() for f in l["features"] for v in f["properties"].values()}
if "新版本" not in values and any(f["type"] == "string" for f in fields):
    sys.exit(f"martin check: martin's tile of {lid} does not hold the new version's values: {sorted(map(str, values))[:5]}")
n_ours = sum(len(l["features"]) for l in ours.values())
n_theirs = sum(len(l["features"]) for l in theirs.values())
if (n_ours, n_theirs) != (25, 25):
    sys.exit(f"martin check: after publishing 25 points as {lid}, gridgis's tile holds {n_ours}, martin's {n_theirs}")
print(f"martin check: a new version of {lid} published through gridgis is what martin serves next (25 points)")
PY
