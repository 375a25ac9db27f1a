#!/usr/bin/env bash
# A replica on the PostGIS store against one on the data dir's files, in one run, on the
# demo dataset: the whole demo published into PostGIS; start-up to ready (median of 3 each);
# GET /grids/locate and cached z14 grid tiles under wrk (interleaved runs, medians, ratio);
# 100,000 points located by POST /grids/locate against PostGIS's own ST_Contains join on the
# same points; and how soon a second replica serves what the first published.
#   benches/peers/replica.sh [SECONDS] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:-$root/target/release/gridgis}
secs=${1:-10}
runs=${2:-3}
port=18090
pgport=55434
work=$(mktemp -d /tmp/gridgis-replica.XXXXXX)
chmod 755 "$work"
trap 'kill ${pids:-} 2>/dev/null || true; "$root/scripts/pg-cluster.sh" stop "$work/pg" immediate; rm -rf "$work"' EXIT
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --bin gridgis)
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v bc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bc >/dev/null; }

admin=$("$root/scripts/pg-cluster.sh" start "$work/pg" "$pgport")
url=${admin%/*}/city
psql "$admin" -qc "CREATE DATABASE city"
"$bin" demo --out "$work/data" 2>/dev/null
mkdir -p "$work/pgdata"
cp "$work/data/staff.csv" "$work/pgdata/"
s=$(date +%s.%N)
"$bin" --data "$work/data" store copy --to "$url" 2>/dev/null
copy_s=$(echo "$(date +%s.%N) - $s" | bc)
db_mb=$(psql "$admin" -Atc "SELECT pg_database_size('city') / 1000000")
echo "publish the whole demo (1,151 layers, one transaction) into PostGIS: ${copy_s} s; database ${db_mb} MB"

# start STORE-ARGS…: starts a server on $port; its pid in $pid (and $pids), ms to ready in $ready_ms.
start() {
  local s e
  s=$(date +%s%N)
  RUST_LOG=warn "$bin" "$@" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  pids="$pid"
  until curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "replica bench: the server on port $port exited (port taken?)" >&2; exit 1; }
    sleep 0.02
  done
  e=$(date +%s%N)
  ready_ms=$(( (e - s) / 1000000 ))
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pids=""; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
files=(--data "$work/data")
pg=(--data "$work/pgdata" --store "$url")

ready_files=() ready_pg=()
for _ in 1 2 3; do
  start "${files[@]}"; ready_files+=("$ready_ms"); rss_files=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"); stop
  start "${pg[@]}"; ready_pg+=("$ready_ms"); rss_pg=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"); stop
done
rf=$(printf '%s\n' "${ready_files[@]}" | median)
rp=$(printf '%s\n' "${ready_pg[@]}" | median)
echo "start-up to ready, median of 3: files ${rf} ms (${ready_files[*]}), PostGIS ${rp} ms (${ready_pg[*]}): ratio $(echo "scale=2; $rp / $rf" | bc); RSS files ${rss_files} MB, PostGIS ${rss_pg} MB"

cat > "$work/locate.lua" <<'LUA'
math.randomseed(42)
request = function()
  local lon = 116.2841796875 + math.random() * (116.8876953125 - 116.2841796875)
  local lat = 40.234375 + math.random() * (41.0615234375 - 40.234375)
  return wrk.format("GET", string.format("/grids/locate?lon=%.7f&lat=%.7f&max_distance_m=50000", lon, lat))
end
LUA
# Non-empty z14 grid tiles, from the tile list the files server answers.
python3 - "$work/paths.txt" <<'PY'
import math, random, sys
random.seed(7)
def tile(lon, lat, z=14):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
paths = sorted({"/tiles/grids/14/%d/%d" % tile(random.uniform(116.45, 116.75), random.uniform(40.28, 40.6)) for _ in range(3000)})
open(sys.argv[1], "w").write("\n".join(paths) + "\n")
PY
cat > "$work/tiles.lua" <<LUA
local paths = {}
for line in io.lines("$work/paths.txt") do paths[#paths + 1] = line end
math.randomseed(42)
request = function()
  return wrk.format("GET", paths[math.random(#paths)], { ["Accept-Encoding"] = "gzip" })
end
LUA
load() { # SCRIPT → requests/s, p99
  wrk -t1 -c64 -d"${secs}s" --latency -s "$1" "http://127.0.0.1:$port" > "$work/wrk.txt"
  if grep -qE "Non-2xx|Socket errors" "$work/wrk.txt"; then cat "$work/wrk.txt" >&2; echo "errors under load" >&2; exit 1; fi
  echo "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt") $(awk '$1=="99%" {print $2}' "$work/wrk.txt")"
}
declare -A rps p99
for store in files pg; do rps[$store-locate]=""; rps[$store-tiles]=""; p99[$store-locate]=""; p99[$store-tiles]=""; done
for _ in $(seq "$runs"); do
  for store in files pg; do
    if [[ $store == files ]]; then start "${files[@]}"; else start "${pg[@]}"; fi
    while read -r p; do curl -s -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$p"; done < "$work/paths.txt"
    read -r r l <<<"$(load "$work/locate.lua")"; rps[$store-locate]+="$r "; p99[$store-locate]+="$l "
    read -r r l <<<"$(load "$work/tiles.lua")"; rps[$store-tiles]+="$r "; p99[$store-tiles]+="$l "
    stop
  done
done
for what in locate tiles; do
  f=$(echo "${rps[files-$what]}" | tr ' ' '\n' | grep . | median)
  p=$(echo "${rps[pg-$what]}" | tr ' ' '\n' | grep . | median)
  echo "$what under wrk (1 thread, 64 connections, ${secs} s, median of $runs): files ${f} req/s (${rps[files-$what]% }; p99 ${p99[files-$what]% }), PostGIS-backed ${p} req/s (${rps[pg-$what]% }; p99 ${p99[pg-$what]% }): ratio $(echo "scale=3; $p / $f" | bc)"
done

# 100,000 random points: the PostGIS-backed replica's POST /grids/locate against PostGIS's own
# point-in-polygon join over the same grids (GiST; the deepest level holding each point).
python3 - "$work/batch.json" "$work/points.csv" <<'PY'
import json, random, sys
random.seed(7)
pts = [{"id": i, "lon": random.uniform(116.2841796875, 116.8876953125), "lat": random.uniform(40.234375, 41.0615234375)}
       for i in range(100_000)]
json.dump({"points": pts, "max_distance_m": 0}, open(sys.argv[1], "w"))
with open(sys.argv[2], "w") as f:
    f.writelines(f"{p['id']},{p['lon']!r},{p['lat']!r}\n" for p in pts)
PY
start "${pg[@]}"
best_http=$(for _ in 1 2 3; do curl -s -o "$work/batch.out" -w '%{time_total}\n' -H 'content-type: application/json' --data-binary @"$work/batch.json" "http://127.0.0.1:$port/grids/locate"; done | sort -n | head -1)
inside_http=$(python3 -c "import json; print(sum(1 for r in json.load(open('$work/batch.out'))['results'] if r.get('inside')))")
psql "$url" -q <<SQL
CREATE TABLE pts (id integer, lon float8, lat float8);
\copy pts FROM '$work/points.csv' CSV
ALTER TABLE pts ADD COLUMN geom geometry(Point, 4326);
UPDATE pts SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326);
VACUUM ANALYZE pts;
SQL
sql_times=()
for _ in 1 2 3; do
  s=$(date +%s.%N)
  inside_sql=$(psql "$url" -Atc "SELECT count(*) FROM (SELECT DISTINCT ON (p.id) p.id, g.code FROM pts p JOIN layers.grids g ON ST_Contains(g.geom, p.geom) ORDER BY p.id, g.level DESC) t")
  sql_times+=("$(echo "$(date +%s.%N) - $s" | bc)")
done
best_sql=$(printf '%s\n' "${sql_times[@]}" | sort -n | head -1)
echo "100,000 points: POST /grids/locate on the PostGIS-backed replica ${best_http} s (best of 3; ${inside_http} inside) vs PostGIS ST_Contains join ${best_sql} s (best of 3: ${sql_times[*]}; ${inside_sql} inside): $(echo "scale=1; $best_sql / $best_http" | bc)x"
stop

# Two replicas: an upload through the first, polled on the second until served.
port2=$((port + 1))
RUST_LOG=warn GRIDGIS_API_KEYS=gis_staff:bench-key-0123456789 "$bin" "${pg[@]}" serve --listen "127.0.0.1:$port2" >/dev/null 2>&1 &
pid2=$!
pids="$pid2"
export GRIDGIS_API_KEYS=gis_staff:bench-key-0123456789
start "${pg[@]}"
pids="$pid $pid2"
until curl -sf "http://127.0.0.1:$port2/ready" >/dev/null; do sleep 0.05; done
python3 - "$port" "$port2" <<'PY'
import json, statistics, sys, time, urllib.request
a, b = sys.argv[1], sys.argv[2]
lags = []
for v in range(1, 8):
    body = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"n": i}, "geometry": {"type": "Point", "coordinates": [116.6 + i * 1e-4, 40.32]}}
        for i in range(1000 + v)]}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{a}/layers/bench_lag", data=body, method="POST",
                                 headers={"Authorization": "Bearer bench-key-0123456789", "Content-Type": "application/geo+json"})
    urllib.request.urlopen(req).read()
    done = time.monotonic()
    while True:
        try:
            got = json.load(urllib.request.urlopen(f"http://127.0.0.1:{b}/layers/bench_lag"))
            if got["version"] == v:
                break
        except Exception:
            pass
        time.sleep(0.002)
    lags.append((time.monotonic() - done) * 1000)
print(f"a version published through one replica, served by the other: median {statistics.median(lags):.0f} ms after the upload was answered (runs: {', '.join(f'{x:.0f}' for x in lags)} ms)")
PY
