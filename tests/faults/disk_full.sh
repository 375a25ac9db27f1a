#!/usr/bin/env bash
# A full disk: the data dir on a small tmpfs (the demo data dir plus a few MB), then
#   1. an upload larger than the free space: a clear JSON error (507 insufficient_storage;
#      any 4xx/5xx JSON error is accepted until that lands, and printed), nothing published
#      (catalog.json byte for byte, every version as it was, the layer absent or at its old
#      version), nothing left (no temporary or new file, the free space as before), the server
#      still serving (/health, a locate, a tile);
#   2. the same for a new version of an existing layer, and for uploads whose layer file fits
#      but whose catalog does not (the free space tuned with a ballast file);
#   3. after freeing space (the tmpfs remounted larger), the same upload succeeds;
#   4. `gridgis import` into the full disk: exit status non-zero, a message naming the file,
#      the catalog and free space unchanged.
# Needs `mount -t tmpfs` (root); where it is not permitted: a SKIP line and exit 0.
#   tests/faults/disk_full.sh BIN          (KEEP=1 keeps the work dir; STRICT_507=1 wants 507)
set -euo pipefail
BIN=$(realpath "${1:?usage: disk_full.sh BIN}")
headroom_mb=${HEADROOM_MB:-8}
source "$(dirname "$0")/lib.sh"
[[ -x $BIN ]] || { echo "FAIL  disk_full: $BIN is not executable"; exit 2; }

work=$(mktemp -d /tmp/gridgis-diskfull.XXXXXX)
mnt=$work/mnt
mounted=0
cleanup() {
  if [[ -n ${server_pid:-} ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if (( mounted )); then umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true; fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "INFO  work dir kept: $work (tmpfs unmounted)"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$mnt"
if ! err=$(mount -t tmpfs -o size=512m,mode=0755 tmpfs "$mnt" 2>&1); then
  echo "SKIP  disk_full: cannot mount a tmpfs here ($(id -un), uid $(id -u)): ${err:-mount failed}"
  exit 0
fi
mounted=1

free_b() { python3 -c 'import os,sys; s=os.statvfs(sys.argv[1]); print(s.f_bavail*s.f_frsize)' "$mnt"; }
used_b() { python3 -c 'import os,sys; s=os.statvfs(sys.argv[1]); print((s.f_blocks-s.f_bfree)*s.f_frsize)' "$mnt"; }
mb() { python3 -c "print(f'{$1/1048576:.1f}')"; }
data=$mnt/data
base() { echo "http://127.0.0.1:$port"; }

# The demo, made on disk and copied to the tmpfs; the tmpfs then shrunk to it plus headroom.
make_demo "$work/demo"
cp -a "$work/demo" "$data"
rm -rf "$work/demo"
key=$("$BIN" --data "$data" keys add --role gis_staff --name disk-full 2>/dev/null | tail -1)
port=$(free_port)
start_server "$data" "$port" "$work/server.log"
size=$(( $(used_b) + headroom_mb * 1048576 ))
mount -o remount,size=$size "$mnt"
echo "INFO  disk_full: demo data dir in ${demo_ms} ms (${demo_from}); data dir $(mb "$(used_b)") MB on a tmpfs of $(mb "$size") MB, $(mb "$(free_b)") MB free; server ready in ${ready_ms} ms"

python3 "$faults_dir/gen_points.py" 10000 probe1 "$work/probe1.geojson" 1
python3 "$faults_dir/gen_points.py" 10000 probe2 "$work/probe2.geojson" 1
python3 "$faults_dir/gen_points.py" 200000 big "$work/big.geojson" 2

# upload FILE LAYER: sets $code and writes the answer to $work/answer.json
upload() {
  code=$(curl -s -o "$work/answer.json" -w '%{http_code}' --max-time 300 -H "Authorization: Bearer $key" \
    -H 'content-type: application/geo+json' --data-binary @"$1" "$(base)/layers/$2" || echo 000)
}
versions() { curl -sf "$(base)/layers" | python3 -c 'import json,sys; print(json.dumps({l["id"]: [l["version"], l["feature_count"]] for l in json.load(sys.stdin)["layers"]}, sort_keys=True))'; }
version_of() { curl -s "$(base)/layers/$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("version", "absent"))'; }
files() { (cd "$data" && find . -type f ! -name .lock | sort); }
temps() { (cd "$data" && find . \( -name '*.tmp*' -o -name '.*' \) ! -name .lock ! -name . | sort); }
serving() {
  local out="" ok=OK c
  for path in /health "/grids/locate?lon=116.6312&lat=40.3195" /tiles/grids/14/13500/6183 /tiles/df_probe/14/13500/6183; do
    c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$(base)$path" || echo 000)
    out+="${path%%\?*} $c, "
    [[ $c == 200 || ( $c == 204 && $path == /tiles/df_probe* ) ]] || ok=FAIL
  done
  kill -0 "$server_pid" 2>/dev/null || ok=FAIL
  check "$1: server keeps serving" "$ok" "${out%, }"
}
# The answer must be a JSON error; 507 insufficient_storage is what the server should say.
judge_answer() {
  local name=$1 verdict
  verdict=$(python3 - "$work/answer.json" "$code" "${STRICT_507:-0}" <<'PY'
import json, sys
path, code, strict = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
try:
    e = json.load(open(path, encoding="utf-8"))["error"]
    what = f"{code} {e['code']}: {e['message'][:160]}"
except Exception:
    print(f"FAIL|{code}, not a JSON error: {open(path, 'rb').read()[:160]!r}")
    sys.exit()
if code == 507 and e["code"] == "insufficient_storage":
    print(f"OK|{what}")
elif 400 <= code < 600 and not strict:
    print(f"OK|{what} (accepted until 507 insufficient_storage lands)")
else:
    print(f"FAIL|{what} (507 insufficient_storage expected)")
PY
)
  check "$name: a clear JSON error" "${verdict%%|*}" "${verdict#*|}"
}
# nothing_changed NAME LAYER WANT_VERSION: after a refused write, against the snapshot.
snapshot() {
  cat_sum=$(sha256sum "$data/catalog.json" | cut -d' ' -f1)
  vers=$(versions)
  files > "$work/files.before"
  free_before=$(free_b)
}
nothing_changed() {
  local name=$1 layer=$2 want=$3 now verdict=OK figs=""
  now=$(version_of "$layer")
  [[ $(sha256sum "$data/catalog.json" | cut -d' ' -f1) == "$cat_sum" ]] || { verdict=FAIL; figs="catalog.json changed; "; }
  [[ $(versions) == "$vers" ]] || { verdict=FAIL; figs+="/layers versions changed; "; }
  [[ $now == "$want" ]] || verdict=FAIL
  check "$name: nothing published" "$verdict" "${figs}catalog.json byte for byte, $(echo "$vers" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') layers at their versions; $layer: $now (want $want)"
  local t new free_after verdict2=OK
  t=$(temps)
  new=$(comm -13 "$work/files.before" <(files) | tr '\n' ' ')
  free_after=$(free_b)
  [[ -z $t && -z $new ]] || verdict2=FAIL
  (( free_before - free_after <= 65536 )) || verdict2=FAIL
  check "$name: nothing left on the disk" "$verdict2" "free $(mb "$free_before") -> $(mb "$free_after") MB; temporary files: ${t:-none}; new files: ${new:-none}"
}

# 0. A small layer fits: the baseline (and the layer whose new versions fail below).
upload "$work/probe1.geojson" df_probe
probe_size=$(stat -c %s "$data/layers/df_probe/000001.fgb" 2>/dev/null || echo 0)
check "disk_full: a small upload fits" "$([[ $code == 201 ]] && echo OK || echo FAIL)" "df_probe (10000 points): $code, layer file $(mb "$probe_size") MB; $(mb "$(free_b)") MB free after"

# 1. A new layer larger than the free space.
snapshot
upload "$work/big.geojson" df_big
echo "INFO  upload of df_big ($(mb "$(stat -c %s "$work/big.geojson")") MB GeoJSON, 200000 points) with $(mb "$free_before") MB free -> $code"
judge_answer "disk_full: new layer"
nothing_changed "disk_full: new layer" df_big absent
serving "disk_full: new layer"

# 2a. A new version of an existing layer, larger than the free space.
snapshot
upload "$work/big.geojson" df_probe
judge_answer "disk_full: new version"
nothing_changed "disk_full: new version" df_probe 1
serving "disk_full: new version"

# 2b. The layer file fits, the catalog (~1.1 MB) does not: a ballast file leaves the layer
# file's size plus 256 kB free. A new version of df_probe, then a new layer.
cat_size=$(stat -c %s "$data/catalog.json")
leave_free() {  # leave_free BYTES: the ballast made anew so that BYTES stay free
  rm -f "$mnt/ballast"
  local b=$(( $(free_b) - $1 ))
  (( b > 0 )) || return 0
  python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_CREAT|os.O_WRONLY); os.posix_fallocate(fd, 0, int(sys.argv[2])); os.close(fd)' "$mnt/ballast" "$b"
}
tight=$(( probe_size + 262144 ))
for target in "df_probe 1" "df_probe_new absent"; do
  layer=${target% *}
  leave_free "$tight"
  snapshot
  upload "$work/probe2.geojson" "$layer"
  echo "INFO  upload of $layer (its layer file of $(mb "$probe_size") MB fits in $(mb "$free_before") MB free, then the catalog of $(mb "$cat_size") MB does not) -> $code"
  judge_answer "disk_full: no room for the catalog ($layer)"
  nothing_changed "disk_full: no room for the catalog ($layer)" "$layer" "${target#* }"
  serving "disk_full: no room for the catalog ($layer)"
done

# 4. The CLI into the full disk (before freeing it): the big file with 1 MB free, then the
# small one with room for its layer file but not the catalog.
for f in big probe2; do
  if [[ $f == big ]]; then leave_free 1048576; else leave_free "$tight"; fi
  snapshot
  set +e
  "$BIN" --data "$data" import "$work/$f.geojson" --layer df_cli >"$work/cli.out" 2>"$work/cli.err"
  rc=$?
  set -e
  msg=$(grep -v '^\s*$' "$work/cli.err" | tail -3 | tr '\n' ' ')
  v=OK
  (( rc != 0 )) || v=FAIL
  grep -q "$f.geojson" "$work/cli.err" || v=FAIL
  grep -qiE "panicked|RUST_BACKTRACE" "$work/cli.err" && v=FAIL
  check "disk_full: CLI import of $f ($(mb "$free_before") MB free)" "$v" "exit $rc: ${msg:0:300}"
  nothing_changed "disk_full: CLI import of $f" df_cli absent
done
serving "disk_full: after the CLI imports"

# 3. Space freed: the ballast gone and the tmpfs remounted 64 MB larger; the upload succeeds.
rm -f "$mnt/ballast"
mount -o remount,size=$(( $(used_b) + 64 * 1048576 )) "$mnt"
upload "$work/big.geojson" df_big
count=$(curl -s "$(base)/layers/df_big" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("feature_count"), d.get("version"))' || true)
check "disk_full: after freeing space" "$([[ $code == 201 && $count == "200000 1" ]] && echo OK || echo FAIL)" "df_big: $code, feature_count and version: $count; $(mb "$(free_b)") MB free after"
upload "$work/probe2.geojson" df_probe
check "disk_full: a new version, after" "$([[ $code == 200 && $(version_of df_probe) == 2 ]] && echo OK || echo FAIL)" "df_probe: $code, now v$(version_of df_probe)"
serving "disk_full: at the end"
t=$(temps)
check "disk_full: no temporary files at the end" "$([[ -z $t ]] && echo OK || echo FAIL)" "${t:-none}"
panics=$(no_panic_in "$work/server.log" | head -3 || true)
check "disk_full: no panic in the server log" "$([[ -z $panics ]] && echo OK || echo FAIL)" "${panics:-$(grep -c 'ERROR' "$work/server.log" || true) ERROR lines}"
echo "INFO  disk_full: server log errors: $(grep -E 'ERROR|WARN' "$work/server.log" | grep -v 'no API keys' | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-200 | head -3 | tr '\n' '|')"
(( checks_failed == 0 ))
