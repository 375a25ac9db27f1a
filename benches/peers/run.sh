#!/usr/bin/env bash
# Point-in-grid, side by side: 1,000,000 random points over the district's bounding box, CSV in
# → CSV out, through gridgis, shapely 2 and PostgreSQL + PostGIS, in one run; prints the times
# and the ratios. Installs shapely and PostGIS if missing and starts a throwaway PostgreSQL.
#   benches/peers/run.sh [N_POINTS]          (run from anywhere; `make peers` builds first)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/target/release/gridgis"
n=${1:-1000000}
work=$(mktemp -d /tmp/gridgis-peers.XXXXXX)
trap 'if [[ -n "${pgdata:-}" ]]; then runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -m fast stop >/dev/null 2>&1 || true; fi; rm -rf "$work"' EXIT

[[ -x "$bin" ]] || (cd "$root" && cargo build --release --bin gridgis)
"$root/scripts/install-deps.sh" --test
if ! dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1; then
  echo "peers: apt-get install postgresql-15-postgis-3" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3 bc >/dev/null
fi
command -v bc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bc >/dev/null

echo "peers: demo data, grids export, $n random points" >&2
"$bin" demo --out "$work/data" 2>/dev/null
"$bin" --data "$work/data" export grids --format geojson --out "$work/grids.geojson" 2>/dev/null
"$bin" --data "$work/data" export grids --format csv --out "$work/grids.csv" 2>/dev/null
python3 - "$work/points.csv" "$n" "$work/data/grids.bbox" <<'PY'
import sys, json, numpy as np
out, n = sys.argv[1], int(sys.argv[2])
# Huairou's bounding box (from the outline; about 45% of it is inside the district).
minx, miny, maxx, maxy = 116.2841796875, 40.234375, 116.8876953125, 41.0615234375
rng = np.random.default_rng(7)
xs, ys = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
with open(out, "w") as f:
    f.write("id,lon,lat\n")
    f.writelines(f"{i},{x!r},{y!r}\n" for i, (x, y) in enumerate(zip(xs.tolist(), ys.tolist())))
PY

time_cmd() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc; }

# Warm the page cache so no one pays for the first read.
cat "$work/points.csv" "$work/data/layers/grids/"* >/dev/null

echo "peers: gridgis" >&2
t_gridgis=$(time_cmd sh -c "GRIDGIS_TIMINGS=1 '$bin' --data '$work/data' locate --input '$work/points.csv' --max-distance 0 > '$work/out_gridgis.csv' 2> '$work/gridgis.err'")
lookup_gridgis=$(sed -n 's/.*locate_s=\([0-9.]*\).*/\1/p' "$work/gridgis.err")

echo "peers: shapely" >&2
t_shapely=$(time_cmd sh -c "python3 '$root/benches/peers/locate_shapely.py' '$work/grids.geojson' '$work/points.csv' '$work/out_shapely.csv' 2> '$work/shapely.err'")
lookup_shapely=$(sed -n 's/lookup_s=//p' "$work/shapely.err")

echo "peers: PostGIS" >&2
pgdata="$work/pg"
mkdir -p "$pgdata" && chown postgres "$pgdata" "$work" && chmod 755 "$work"
chmod 644 "$work"/*.csv
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$pgdata" -A trust >/dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -o "-k /tmp -p 55439 -c shared_buffers=1GB -c work_mem=256MB -c max_parallel_workers_per_gather=2" -w start >/dev/null
export PGHOST=/tmp PGPORT=55439 PGUSER=postgres PGDATABASE=postgres
t_postgis=$("$root/benches/peers/locate_postgis.sh" "$work/grids.csv" "$work/points.csv" "$work/out_postgis.csv")

# The three must agree on every point.
python3 - "$work" <<'PY'
import csv, sys
w = sys.argv[1]
g = {r[0]: r[1] for r in csv.reader(open(f"{w}/out_gridgis.csv")) if r[0] != "id"}
s = {r[0]: r[1] for r in csv.reader(open(f"{w}/out_shapely.csv")) if r[0] != "id"}
p = {r[0]: r[1] for r in csv.reader(open(f"{w}/out_postgis.csv"))}
bad_s = sum(1 for k in g if g[k] != s.get(k))
bad_p = sum(1 for k in g if g[k] != p.get(k))
print(f"agreement: {len(g):,} points; differ from shapely: {bad_s}, from PostGIS: {bad_p}")
PY

printf '\n%-34s %10s %12s\n' "1M points, CSV -> CSV" "seconds" "gridgis is"
printf '%-34s %10.2f %12s\n' "gridgis locate --input" "$t_gridgis" "1x"
printf '%-34s %10.2f %11.1fx\n' "shapely 2 (STRtree, vectorized)" "$t_shapely" "$(echo "$t_shapely / $t_gridgis" | bc -l)"
printf '%-34s %10.2f %11.1fx\n' "PostGIS (GiST, ST_Contains)" "$t_postgis" "$(echo "$t_postgis / $t_gridgis" | bc -l)"
printf '\n%-34s %10s %12s\n' "lookup alone" "seconds" "gridgis is"
printf '%-34s %10.4f %12s\n' "gridgis (index, 1 core)" "$lookup_gridgis" "1x"
printf '%-34s %10.4f %11.1fx\n' "shapely STRtree.query(within)" "$lookup_shapely" "$(echo "$lookup_shapely / $lookup_gridgis" | bc -l)"
