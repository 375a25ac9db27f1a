#!/usr/bin/env bash
# Fuzzes every reader of untrusted bytes (GeoJSON, zipped Shapefile, CSV, FlatGeobuf,
# GeoPackage) and the geocoder (any text, against the demo's gazetteer) with cargo-fuzz / libFuzzer for a short time each, starting from real files
# written by gridgis and GDAL. Any crash, hang (> 10 s for one input) or allocation over 2 GiB
# fails the run; the input that did it is left in fuzz/artifacts/.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 60)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
"$root/scripts/install-deps.sh" --test
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# libFuzzer's instrumentation flags are nightly-only; use a nightly toolchain when there is
# one, else let the stable compiler accept them (RUSTC_BOOTSTRAP).
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

# Seed corpora: real files of each format.
bin="$root/target/release/gridgis"
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --bin gridgis)
work=$(mktemp -d /tmp/gridgis-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" demo --out "$work/data" 2>/dev/null
corpus="$root/fuzz/corpus"
mkdir -p "$corpus"/{read_geojson,read_csv,read_fgb,read_gpkg,read_shapefile_zip,geocode}
"$bin" --data "$work/data" export townships --format geojson --out "$work/t.geojson" 2>/dev/null
"$bin" --data "$work/data" export townships --format csv --out "$corpus/read_csv/townships.csv" 2>/dev/null
"$bin" --data "$work/data" export townships --format fgb --out "$corpus/read_fgb/townships.fgb" 2>/dev/null
# Small seeds fuzz faster: one township and a few points.
python3 - "$work/t.geojson" "$corpus/read_geojson" <<'PY'
import json, sys
fc = json.load(open(sys.argv[1], encoding="utf-8"))
one = dict(fc, features=fc["features"][:1])
json.dump(one, open(sys.argv[2] + "/one_township.geojson", "w", encoding="utf-8"), ensure_ascii=False)
pts = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}},
       "features": [{"type": "Feature", "properties": {"名称": "井盖%d" % i, "n": i, "ok": True, "x": None},
                     "geometry": {"type": "Point", "coordinates": [116.6 + i / 100, 40.3]}} for i in range(3)]}
json.dump(pts, open(sys.argv[2] + "/points.geojson", "w", encoding="utf-8"), ensure_ascii=False)
open(sys.argv[2] + "/seq.geojsonl", "w").write("\n".join(json.dumps(f) for f in pts["features"]))
PY
ogr2ogr -f GPKG "$corpus/read_gpkg/points.gpkg" "$corpus/read_geojson/points.geojson" -t_srs EPSG:4548
mkdir -p "$work/shp"
ogr2ogr -f "ESRI Shapefile" "$work/shp/井盖.shp" "$corpus/read_geojson/points.geojson" -t_srs EPSG:4548 -lco ENCODING=GBK
(cd "$work/shp" && python3 -c "import zipfile,glob; z=zipfile.ZipFile('$corpus/read_shapefile_zip/points.zip','w'); [z.write(f) for f in glob.glob('*')]")

# Geocoder seeds: a few hundred of the labelled evaluation set's queries, one a file.
python3 "$root/tests/geocode/make_eval.py" "$bin" "$work/data" "$work/eval.csv" --per-kind 20 2>/dev/null
python3 - "$work/eval.csv" "$corpus/geocode" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    open(f"{sys.argv[2]}/{row['id']}.txt", "w", encoding="utf-8").write(row["query"])
PY
export GRIDGIS_FUZZ_DATA="$work/data"

cd "$root/fuzz"
failed=0
for target in read_geojson read_shapefile_zip read_csv read_fgb read_gpkg geocode; do
  echo "fuzz: $target for ${secs}s" >&2
  if ! "${fuzz[@]}" run --sanitizer none "$target" "corpus/$target" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 2> "$work/$target.log"; then
    echo "fuzz: $target FAILED:" >&2
    tail -40 "$work/$target.log" >&2
    failed=1
  else
    grep -E 'stat::number_of_executed_units|Done' "$work/$target.log" | sed "s/^/fuzz: $target: /" >&2 || true
  fi
done
exit $failed
