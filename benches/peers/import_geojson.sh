#!/usr/bin/env bash
# Import of 1,000,000 point features from GeoJSON, side by side: `gridgis import` (read,
# validate, publish a FlatGeobuf version with its R-tree, catalog swap) against `ogr2ogr`
# converting the same file to FlatGeobuf (with its spatial index). Prints both and the ratio.
#   benches/peers/import_geojson.sh [N_FEATURES]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/target/release/gridgis"
n=${1:-1000000}
work=$(mktemp -d /tmp/gridgis-import.XXXXXX)
trap 'rm -rf "$work"' EXIT
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --bin gridgis)
"$root/scripts/install-deps.sh" --test
command -v bc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bc >/dev/null; }

python3 - "$work/points.geojson" "$n" <<'PY'
import sys, random
out, n = sys.argv[1], int(sys.argv[2])
random.seed(5)
states = ["完好", "破损", "丢失", "占用"]
with open(out, "w", encoding="utf-8") as f:
    f.write('{"type":"FeatureCollection","features":[\n')
    for i in range(n):
        lon, lat = random.uniform(116.3, 116.88), random.uniform(40.25, 41.05)
        f.write(('' if i == 0 else ',\n') + '{"type":"Feature","properties":{"code":"1101160101%06d","name":"上水井盖","state":"%s","n":%d},'
                '"geometry":{"type":"Point","coordinates":[%.7f,%.7f]}}' % (i % 1000000, states[i % 4], i, lon, lat))
    f.write('\n]}\n')
PY
size_mb=$(( $(stat -c %s "$work/points.geojson") / 1000000 ))
"$bin" demo --out "$work/data" 2>/dev/null
cat "$work/points.geojson" > /dev/null

s=$(date +%s.%N); "$bin" --data "$work/data" import "$work/points.geojson" --layer bench_points 2> "$work/import.log"; e=$(date +%s.%N)
t_gridgis=$(echo "$e - $s" | bc)
s=$(date +%s.%N); ogr2ogr -f FlatGeobuf "$work/ogr.fgb" "$work/points.geojson" 2>/dev/null; e=$(date +%s.%N)
t_ogr=$(echo "$e - $s" | bc)
tail -1 "$work/import.log"
printf '\n%-46s %8s %12s\n' "$n points from GeoJSON (${size_mb} MB)" "seconds" "gridgis is"
printf '%-46s %8.2f %12s\n' "gridgis import (validated, versioned, indexed)" "$t_gridgis" "1x"
printf '%-46s %8.2f %11.2fx\n' "ogr2ogr -f FlatGeobuf (spatial index)" "$t_ogr" "$(echo "$t_ogr / $t_gridgis" | bc -l)"
