#!/usr/bin/env bash
# Geocoding, side by side: the labelled evaluation set through gridgis and through jionlp (PyPI),
# element accuracy and addresses/s on one core, with the ratios; then GET /geocode under loopback
# load (wrk, random queries of the same set): requests/s and the latency percentiles.
#   benches/peers/geocode.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/target/release/gridgis"
secs=${1:-15}
conns=${2:-64}
port=18081
work=$(mktemp -d /tmp/gridgis-geocode.XXXXXX)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --bin gridgis)
"$root/scripts/install-deps.sh" --test
python3 -c 'import jionlp' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check 'jionlp==1.5.31'
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
"$bin" demo --out "$work/data" 2>/dev/null

python3 "$root/benches/peers/geocode.py" "$bin" "$work/data" 2>/dev/null

# The same queries, URL-encoded, one a line, for wrk to pick from at random.
ROOT="$root" python3 - "$bin" "$work/data" "$work/queries.txt" <<'PY'
import os, sys, urllib.parse
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "geocode"))
import make_eval
rows, villages, pois = make_eval.load(sys.argv[1], sys.argv[2])
cases = make_eval.Maker(rows, villages, pois, 2026).cases(200)
with open(sys.argv[3], "w") as f:
    for c in cases:
        f.write(urllib.parse.quote(c[1]) + "\n")
PY
RUST_LOG=warn "$bin" --data "$work/data" serve --listen "127.0.0.1:$port" &
pid=$!
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.05; done
cat > "$work/geocode.lua" <<LUA
local queries = {}
for line in io.lines("$work/queries.txt") do queries[#queries + 1] = line end
math.randomseed(42)
request = function()
  return wrk.format("GET", "/geocode?limit=5&q=" .. queries[math.random(#queries)])
end
LUA
wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$work/geocode.lua" "http://127.0.0.1:$port" > "$work/wrk.txt"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
errors=$(grep -E "Non-2xx|Socket errors" "$work/wrk.txt" || true)
echo "GET /geocode, wrk 1 thread, ${conns} connections, ${secs} s, random queries of the evaluation set: ${rps} requests/s, p50 ${p50}, p99 ${p99}"
[[ -n "$errors" ]] && echo "errors: $errors"
cat "$work/wrk.txt" >&2
