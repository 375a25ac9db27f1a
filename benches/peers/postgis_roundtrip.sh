#!/usr/bin/env bash
# Spike for issue 7 (PostGIS as the system of record): how long a replica would take to read
# every layer of the demo back from PostgreSQL 15 + PostGIS 3. Loads each layer's current
# FlatGeobuf version into its own table (`layers.<id>`, SRID 4326, GiST; ogr2ogr, as a GIS
# engineer would), then times reading all of them back with binary COPY — geometry only, whole
# rows, and rows as jsonb — over one connection, three runs each.
#   benches/peers/postgis_roundtrip.sh [DATA_DIR]   (default: a fresh demo)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/target/release/gridgis"
work=$(mktemp -d /tmp/gridgis-pgrt.XXXXXX)
port=55451
cleanup() {
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
if ! dpkg -s postgresql-15-postgis-3 gdal-bin >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3 gdal-bin >/dev/null
fi
data=${1:-}
if [[ -z "$data" ]]; then
  [[ -x "$bin" ]] || (cd "$root" && cargo build --release --bin gridgis)
  data="$work/data"
  "$bin" demo --out "$data" 2>/dev/null
fi
mkdir -p "$work/pg" && chown postgres "$work/pg" && chmod 755 "$work"
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$work/pg" -A trust >/dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$work/pg" -o "-k /tmp -p $port -c shared_buffers=1GB" -w start >/dev/null
export PGHOST=/tmp PGPORT=$port PGUSER=postgres PGDATABASE=postgres
psql -qc "CREATE EXTENSION postgis; CREATE SCHEMA layers"
started=$(date +%s.%N)
python3 - "$data" "$port" <<'PY'
import json, subprocess, sys
data, port = sys.argv[1], sys.argv[2]
for l in json.load(open(f"{data}/catalog.json"))["layers"]:
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:host=/tmp port={port} user=postgres dbname=postgres",
                    f"{data}/{l['file']}", "-nln", f"layers.{l['id']}", "-lco", "GEOMETRY_NAME=geom",
                    "-lco", "SPATIAL_INDEX=GIST", "-nlt", "GEOMETRY", "--config", "PG_USE_COPY", "YES"],
                   check=True, stderr=subprocess.DEVNULL)
PY
echo "loaded $(psql -Atc "select count(*) from information_schema.tables where table_schema='layers'") tables," \
  "$(psql -Atc "select sum(n_live_tup) from pg_stat_user_tables where schemaname='layers'") rows," \
  "$(psql -Atc "select pg_size_pretty(pg_database_size('postgres'))") in $(echo "$(date +%s.%N) - $started" | bc) s (ogr2ogr per layer)"
psql -Atc "select table_name from information_schema.tables where table_schema='layers'" > "$work/tables"
for kind in geometry rows jsonb; do
  case $kind in
    geometry) sel='ST_AsBinary(geom)' ;;
    rows) sel='*' ;;
    jsonb) sel="ST_AsBinary(geom), to_jsonb(t) - 'geom'" ;;
  esac
  awk -v sel="$sel" '{printf "COPY (SELECT %s FROM layers.\"%s\" t) TO STDOUT (FORMAT binary);\n", sel, $1}' "$work/tables" > "$work/$kind.sql"
  runs=()
  for _ in 1 2 3; do
    t0=$(date +%s.%N)
    psql -q -f "$work/$kind.sql" > "$work/out.bin"
    runs+=("$(printf '%.2f' "$(echo "$(date +%s.%N) - $t0" | bc)")")
  done
  echo "read back, binary COPY of $kind: ${runs[*]} s ($(( $(stat -c %s "$work/out.bin") / 1000000 )) MB)"
done
