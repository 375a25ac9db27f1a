#!/usr/bin/env bash
# The PostgreSQL 15 + PostGIS 3 cluster of `make test`, under target/test-pg: started fresh,
# with the demo's layers copied into a template database (`demo_template`, which no one
# connects to, so that tests copy it with CREATE DATABASE … TEMPLATE) and into `demo` (what
# the PostGIS pass reads). Prints the variables the tests read, as shell exports.
#   tests/pg/setup.sh DEMO_DIR      start, load, print the exports
#   tests/pg/setup.sh --stop        stop the cluster
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$PWD/target/test-pg
port=${GRIDGIS_TEST_PG_PORT:-55433}
bin=${BIN:-target/release/gridgis}
if [[ "${1:-}" == "--stop" ]]; then
  scripts/pg-cluster.sh stop "$dir"
  exit 0
fi
demo=${1:?usage: setup.sh DEMO_DIR | --stop}
scripts/pg-cluster.sh stop "$dir" immediate
rm -rf "$dir"
admin=$(scripts/pg-cluster.sh start "$dir" "$port")
base=${admin%/*}
psql "$admin" -qc "CREATE DATABASE demo_template"
started=$(date +%s)
"$bin" --data "$demo" store copy --to "$base/demo_template" >&2
psql "$admin" -qc "CREATE DATABASE demo TEMPLATE demo_template STRATEGY FILE_COPY"
echo "pg setup: the demo's layers loaded in $(( $(date +%s) - started )) s" >&2
cat <<VARS
export GRIDGIS_TEST_PG='$admin'
export GRIDGIS_TEST_PG_DIR='$dir'
export GRIDGIS_TEST_TEMPLATE='$base/demo_template'
export GRIDGIS_TEST_DEMO_DB='$base/demo'
VARS
