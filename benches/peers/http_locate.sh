#!/usr/bin/env bash
# GET /grids/locate under loopback load: starts `gridgis serve` on the demo data, reports its
# start-up (load and index) time and resident memory, then drives it with wrk (random points
# over the district's bounding box) and prints requests/s and the latency percentiles.
#   benches/peers/http_locate.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/target/release/gridgis"
secs=${1:-15}
conns=${2:-64}
port=18080
work=$(mktemp -d /tmp/gridgis-http.XXXXXX)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --bin gridgis)
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
"$bin" demo --out "$work/data" 2>/dev/null

started=$(date +%s%N)
RUST_LOG=warn "$bin" --data "$work/data" serve --listen "127.0.0.1:$port" &
pid=$!
until curl -sf "http://127.0.0.1:$port/health" -o "$work/health.json"; do sleep 0.02; done
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
load_ms=$(python3 -c "import json;print(json.load(open('$work/health.json'))['load_ms'])")
rss_mb=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")

# One batch of 100,000 points (what the case-intake system sends in a year), timed by curl.
python3 - "$work/batch.json" <<'PY'
import json, random, sys
random.seed(7)
pts = [{"id": i, "lon": random.uniform(116.2841796875, 116.8876953125), "lat": random.uniform(40.234375, 41.0615234375)}
       for i in range(100_000)]
json.dump({"points": pts, "max_distance_m": 500}, open(sys.argv[1], "w"))
PY
batch_s=()
for _ in 1 2 3 4 5; do
  batch_s+=("$(curl -s -o "$work/batch.out" -w '%{time_total}' -H 'content-type: application/json' --data-binary @"$work/batch.json" "http://127.0.0.1:$port/grids/locate")")
done
batch_best=$(printf '%s\n' "${batch_s[@]}" | sort -n | head -1)
batch_mb=$(( $(stat -c %s "$work/batch.out") / 1000000 ))

cat > "$work/random.lua" <<'LUA'
math.randomseed(42)
request = function()
  local lon = 116.2841796875 + math.random() * (116.8876953125 - 116.2841796875)
  local lat = 40.234375 + math.random() * (41.0615234375 - 40.234375)
  return wrk.format("GET", string.format("/grids/locate?lon=%.7f&lat=%.7f&max_distance_m=50000", lon, lat))
end
LUA
wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$work/random.lua" "http://127.0.0.1:$port" > "$work/wrk.txt"
rss_after_mb=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
errors=$(grep -E "Non-2xx|Socket errors" "$work/wrk.txt" || true)
echo "start-up: load and index ${load_ms} ms; process ready to answer in ${ready_ms} ms; RSS ${rss_mb} MB at start, ${rss_after_mb} MB after the load test"
echo "POST /grids/locate with 100,000 points: best of 5 ${batch_best} s (answer ${batch_mb} MB; all runs: ${batch_s[*]})"
echo "GET /grids/locate, wrk 1 thread, ${conns} connections, ${secs} s: ${rps} requests/s, p50 ${p50}, p99 ${p99}"
[[ -n "$errors" ]] && echo "errors: $errors"
cat "$work/wrk.txt" >&2
