#!/usr/bin/env bash
# How the cost grows with the work: the one-district demo against a generated city of N
# districts (`gridgis demo --districts N`, default 16: N× the grids, layers, addresses, staff
# and cases), each loaded into one replica, in one run:
#  - the data: generation time, size on disk, and in PostGIS (`store copy`, database size);
#  - start-up to ready from the files and from PostGIS (median of RUNS), resident memory;
#  - locate: 1,000,000 random points through `gridgis locate` (the index alone, one core), and
#    GET /grids/locate under wrk;
#  - tiles: z12 and z14 `grids` tiles rendered on first request (latency per tile as a client
#    sees it, curl's connection included), and cached z14 tiles under wrk.
# Points and tiles are drawn the same way for both: a random district, then a random point of
# its bounding box, so the work per request is alike and only the size of the data differs.
#   benches/peers/city.sh [DISTRICTS] [SECONDS] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:-$root/target/release/gridgis}
districts=${1:-16}
secs=${2:-10}
runs=${3:-3}
port=18095
pgport=55435
work=$(mktemp -d /tmp/gridgis-city.XXXXXX)
chmod 755 "$work"
trap 'kill ${pid:-} 2>/dev/null || true; "$root/scripts/pg-cluster.sh" stop "$work/pg" immediate; rm -rf "$work"' EXIT
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --bin gridgis)
for tool in wrk bc; do
  command -v $tool >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool >/dev/null; }
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ratio() { echo "scale=2; $2 / $1" | bc; }
now() { date +%s.%N; }

# start ARGS…: a server on $port; its pid in $pid, ms to ready in $ready_ms, MB resident in
# $rss_mb and at peak in $hwm_mb.
start() {
  local s e
  s=$(date +%s%N)
  RUST_LOG=warn "$bin" "$@" serve --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "city bench: the server exited" >&2; exit 1; }
    sleep 0.05
  done
  e=$(date +%s%N)
  ready_ms=$(( (e - s) / 1000000 ))
  rss_mb=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  hwm_mb=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

admin=$("$root/scripts/pg-cluster.sh" start "$work/pg" "$pgport")
declare -A R
for set in one city; do
  n=1
  [[ $set == city ]] && n=$districts
  d="$work/$set"
  s=$(now)
  echo "city bench: $set: gridgis demo --districts $n" >&2
  "$bin" demo --out "$d" --districts "$n" 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
  R[$set-gen]=$(echo "$(now) - $s" | bc)
  R[$set-disk]=$(du -sm "$d" | cut -f1)
  R[$set-summary]=$(sed 's/ to .* in .*//; s/^gridgis: wrote //' "$work/demo.log")

  # The districts' bounding boxes, from the server; points, wrk scripts and tile lists from them.
  start --data "$d"
  python3 - "$work/$set" "$port" "$n" <<'PY'
import json, math, random, sys, urllib.request
out, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
codes = ["110116", "110101", "110102", "110105", "110106", "110107", "110108", "110109",
         "110111", "110112", "110113", "110114", "110115", "110117", "110118", "110119"][:n]
boxes = []
for c in codes:
    g = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/grids/{c}"))["geometry"]
    pts = [p for poly in g["coordinates"] for ring in poly for p in ring]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    boxes.append((min(xs), min(ys), max(xs), max(ys)))
rnd = random.Random(7)
def point():
    b = boxes[rnd.randrange(len(boxes))]
    return rnd.uniform(b[0], b[2]), rnd.uniform(b[1], b[3])
with open(out + ".points.csv", "w") as f:
    f.write("id,lon,lat\n")
    f.writelines("%d,%r,%r\n" % ((i,) + point()) for i in range(1_000_000))
with open(out + ".locate.txt", "w") as f:
    f.writelines("/grids/locate?lon=%.7f&lat=%.7f&max_distance_m=50000\n" % point() for _ in range(20_000))
def tile(lon, lat, z):
    k = 2 ** z
    return "/tiles/grids/%d/%d/%d" % (z, int((lon + 180) / 360 * k),
                                      int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * k))
# Tiles over the middle of each district (where it has grids): the same share of empty tiles.
def inner():
    b = boxes[rnd.randrange(len(boxes))]
    w, h = b[2] - b[0], b[3] - b[1]
    return rnd.uniform(b[0] + 0.28 * w, b[0] + 0.78 * w), rnd.uniform(b[1] + 0.06 * h, b[1] + 0.44 * h)
for z, count in ((12, 150), (14, 400)):
    paths = sorted({tile(*inner(), z) for _ in range(count)})
    open(out + ".z%d.txt" % z, "w").write("\n".join(paths) + "\n")
PY
  stop
  for what in locate z14; do
    cat > "$work/$set.$what.lua" <<LUA
local paths = {}
for line in io.lines("$work/$set.$what.txt") do paths[#paths + 1] = line end
math.randomseed(42)
request = function()
  return wrk.format("GET", paths[math.random(#paths)], { ["Accept-Encoding"] = "gzip" })
end
LUA
  done

  echo "city bench: $set: start-up, locate, tiles" >&2
  ready=() rss=() hwm=()
  for _ in $(seq "$runs"); do
    start --data "$d"; ready+=("$ready_ms"); rss+=("$rss_mb"); hwm+=("$hwm_mb"); stop
  done
  R[$set-ready]=$(printf '%s\n' "${ready[@]}" | median)
  R[$set-rss]=$(printf '%s\n' "${rss[@]}" | median)
  R[$set-hwm]=$(printf '%s\n' "${hwm[@]}" | median)

  GRIDGIS_TIMINGS=1 "$bin" --data "$d" locate --input "$work/$set.points.csv" --max-distance 0 \
    >"$work/$set.located.csv" 2>"$work/$set.locate.err"
  R[$set-locate_s]=$(sed -n 's/.*locate_s=\([0-9.]*\).*/\1/p' "$work/$set.locate.err")
  R[$set-inside]=$(awk -F, 'NR > 1 && $6 == "true" {n++} END {print n + 0}' "$work/$set.located.csv")

  start --data "$d"
  for z in 12 14; do
    # The server makes each zoom's simplified shapes at its first tile of that zoom: made
    # before the timing starts, on a tile left out of it.
    curl -s -o /dev/null "http://127.0.0.1:$port$(head -1 "$work/$set.z$z.txt")"
    tail -n +2 "$work/$set.z$z.txt" | while read -r p; do
      curl -s -o /dev/null -w '%{time_total}\n' -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$p"
    done | awk '{printf "%.2f\n", $1 * 1000}' | sort -n > "$work/$set.z$z.ms"
    R[$set-z$z-p50]=$(median < "$work/$set.z$z.ms")
    R[$set-z$z-p99]=$(awk '{a[NR]=$1} END {print a[int(NR * 0.99 + 0.5)]}' "$work/$set.z$z.ms")
    R[$set-z$z-n]=$(wc -l < "$work/$set.z$z.ms")
  done
  for what in locate z14; do
    wrk -t1 -c64 -d"${secs}s" --latency -s "$work/$set.$what.lua" "http://127.0.0.1:$port" > "$work/wrk.txt"
    if grep -qE "Non-2xx|Socket errors" "$work/wrk.txt"; then cat "$work/wrk.txt" >&2; echo "errors under load" >&2; exit 1; fi
    R[$set-$what-rps]=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/wrk.txt")
    # wrk writes 812.00us, 1.52ms or 1.02s.
    R[$set-$what-wrk-p99]=$(awk '$1=="99%" {v=$2; m=1; if (v ~ /us$/) m=0.001; else if (v ~ /ms$/) m=1; else if (v ~ /s$/) m=1000;
      gsub(/[a-z]/, "", v); printf "%.2f", v * m}' "$work/wrk.txt")
  done
  stop

  # The same data in PostGIS (layers and case log): copied, then a replica started from it
  # (the staff roster stays in the data dir, as a replica keeps it).
  psql "$admin" -qc "CREATE DATABASE $set"
  url=${admin%/*}/$set
  mkdir -p "$work/$set-pg"
  cp "$d/staff.csv" "$work/$set-pg/"
  s=$(now)
  echo "city bench: $set: store copy into PostGIS" >&2
  "$bin" --data "$d" store copy --to "$url" 2>"$work/copy.log" || { cat "$work/copy.log" >&2; exit 1; }
  R[$set-copy]=$(echo "$(now) - $s" | bc)
  R[$set-db]=$(psql "$admin" -Atc "SELECT pg_database_size('$set') / 1000000")
  ready=() rss=()
  for _ in $(seq "$runs"); do
    start --data "$work/$set-pg" --store "$url"; ready+=("$ready_ms"); rss+=("$rss_mb"); stop
  done
  R[$set-pg-ready]=$(printf '%s\n' "${ready[@]}" | median)
  R[$set-pg-rss]=$(printf '%s\n' "${rss[@]}" | median)
  rm -rf "$work/$set-pg" "$work/$set.points.csv" "$work/$set.located.csv"
  [[ $set == one ]] && rm -rf "$d"
  psql "$admin" -qc "DROP DATABASE $set"
done

printf '\nOne district: %s\n%d districts: %s\n\n' "${R[one-summary]}" "$districts" "${R[city-summary]}"
row() { # LABEL UNIT KEY: one, city, ratio
  printf '%-58s %12s %12s %8s×\n' "$1" "${R[one-$3]} $2" "${R[city-$3]} $2" "$(ratio "${R[one-$3]}" "${R[city-$3]}")"
}
printf '%-58s %12s %12s %9s\n' "" "1 district" "$districts districts" "ratio"
row "demo generation" s gen
row "data dir on disk" MB disk
row "store copy into PostGIS (one transaction)" s copy
row "PostGIS database size" MB db
row "start-up to ready, files (median of $runs)" ms ready
row "start-up to ready, PostGIS (median of $runs)" ms pg-ready
row "resident memory when ready, files" MB rss
row "peak resident memory while loading, files" MB hwm
row "resident memory when ready, PostGIS" MB pg-rss
row "locate 1,000,000 points, index only (one core)" s locate_s
row "  of which inside a district" "" inside
row "GET /grids/locate under wrk (1 thread, 64 conns, ${secs} s)" req/s locate-rps
row "  p99 latency" ms locate-wrk-p99
row "z12 grids tile, first request (render), median" ms z12-p50
row "  p99 (${R[one-z12-n]} and ${R[city-z12-n]} tiles)" ms z12-p99
row "z14 grids tile, first request (render), median" ms z14-p50
row "  p99 (${R[one-z14-n]} and ${R[city-z14-n]} tiles)" ms z14-p99
row "cached z14 tiles under wrk (gzip)" req/s z14-rps
row "  p99 latency" ms z14-wrk-p99
