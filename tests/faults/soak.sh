#!/usr/bin/env bash
# Soak: one server on a fresh demo data dir under a mixed loopback load for SECONDS (default
# 600): GET /grids/locate at random points of the district's bounds, GET /geocode of real
# addresses, the tiles a map asks for (grids and a thematic layer, z10-z16), POST
# /cases/route?record=false with the demo's intake bodies (wrk -t1: the other core is the
# server's). Checks: no error (non-2xx/3xx or socket error), memory flat after the warm-up
# (VmRSS sampled every 5 s into rss.csv, the tile cache's bytes beside it), the server alive
# at the end and no panic in its log.
#   tests/faults/soak.sh BIN [SECONDS]          (KEEP=1 keeps the work dir; CONNS=32)
set -euo pipefail
BIN=$(realpath "${1:?usage: soak.sh BIN [SECONDS]}")
secs=${2:-600}
conns=${CONNS:-32}
weights=${SOAK_WEIGHTS:-locate=30,geocode=15,tile_grids=25,tile_layer=20,case=10}
source "$(dirname "$0")/lib.sh"
[[ -x $BIN ]] || { echo "FAIL  soak: $BIN is not executable"; exit 2; }

work=$(mktemp -d /tmp/gridgis-soak.XXXXXX)
cleanup() {
  if [[ -n ${sampler_pid:-} ]]; then kill "$sampler_pid" 2>/dev/null || true; fi
  if [[ -n ${server_pid:-} ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "INFO  work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_wrk
make_demo "$work/data"
port=$(free_port)
start_server "$work/data" "$port" "$work/server.log"
rss_idle=$(rss_kb "$server_pid")
echo "INFO  soak: demo data dir in ${demo_ms} ms (${demo_from}); server ready in ${ready_ms} ms, RSS $((rss_idle / 1024)) MB loaded and idle; ${secs} s, wrk -t1 -c${conns}, mix ${weights}"

python3 "$faults_dir/soak_prep.py" "$BIN" "$work/data" "$port" "$work/pools" | sed 's/^/INFO  /'

# VmRSS and the tile cache's bytes every 5 s, from the start of the load.
sample() {
  local t0 t rss cache
  t0=$(date +%s.%N)
  echo "t_s,rss_kb,tile_cache_bytes" > "$work/rss.csv"
  while kill -0 "$server_pid" 2>/dev/null; do
    t=$(echo "$(date +%s.%N) - $t0" | bc)
    rss=$(rss_kb "$server_pid")
    cache=$(curl -s --max-time 4 "http://127.0.0.1:$port/metrics" | awk '$1=="gridgis_tile_cache_bytes" {print $2}')
    printf '%.1f,%s,%s\n' "$t" "$rss" "${cache:-}" >> "$work/rss.csv"
    sleep 5
  done
}
sample &
sampler_pid=$!

set +e
SOAK_DATA="$work/pools" SOAK_WEIGHTS="$weights" SOAK_SEED=7 \
  wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$faults_dir/soak.lua" \
  "http://127.0.0.1:$port" > "$work/wrk.txt" 2>&1
wrk_rc=$?
set -e
sleep 1
# One last sample at the end of the load.
t_end=$(awk -F, 'NR>1 {t=$1} END {print t+0}' "$work/rss.csv")
kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null || true
sampler_pid=
printf '%.1f,%s,%s\n' "$(echo "$t_end + 1" | bc)" "$(rss_kb "$server_pid")" \
  "$(curl -s --max-time 4 "http://127.0.0.1:$port/metrics" | awk '$1=="gridgis_tile_cache_bytes" {print $2}')" >> "$work/rss.csv"
curl -s "http://127.0.0.1:$port/metrics" > "$work/metrics.txt" || true

# Alive at the end: the process, /health, a locate, a tile.
alive=OK
figs=""
kill -0 "$server_pid" 2>/dev/null || { alive=FAIL; figs="process gone;"; }
for path in /health "/grids/locate?lon=116.6312&lat=40.3195" /tiles/grids/14/13500/6183; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port$path" || true)
  figs+=" $path $code"
  [[ $code == 200 ]] || alive=FAIL
done
panics=$(no_panic_in "$work/server.log" | head -3 || true)

python3 "$faults_dir/soak_report.py" "$work" "$secs" "$rss_idle" "$wrk_rc"
report_rc=$?

check "soak: server alive at the end" "$alive" "$figs"
if [[ -z $panics ]]; then
  check "soak: no panic in the server log" OK "$(wc -l < "$work/server.log") log lines, $(grep -c ' WARN' "$work/server.log" || true) WARN, $(grep -c 'ERROR' "$work/server.log" || true) ERROR"
else
  check "soak: no panic in the server log" FAIL "$panics"
fi
[[ ${KEEP:-0} == 1 ]] || cp "$work/rss.csv" "${SOAK_RSS_OUT:-/tmp/gridgis-soak-rss.csv}" 2>/dev/null || true
echo "INFO  soak: RSS samples in ${SOAK_RSS_OUT:-/tmp/gridgis-soak-rss.csv}"
(( checks_failed == 0 && report_rc == 0 ))
