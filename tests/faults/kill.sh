#!/usr/bin/env bash
# kill -9 of the server KILLS times (default 50) while it serves a background wrk of reads and
# a client uploads layers (POST /layers/{id}, GeoJSON of 20k-100k points, a distinct tag per
# upload); after each restart on the same data dir: it starts, /layers lists every layer, each
# acknowledged upload is there at a version >= the acknowledged one as one whole upload, the
# catalog names only whole files, the demo's layers are as they were; at the end no temporary
# or unnamed file is left. The logic is kill.py's (see its docstring).
#   tests/faults/kill.sh BIN [KILLS]          (KEEP=1 keeps the work dir; KILL_SEED=8)
set -euo pipefail
BIN=$(realpath "${1:?usage: kill.sh BIN [KILLS]}")
kills=${2:-50}
source "$(dirname "$0")/lib.sh"
[[ -x $BIN ]] || { echo "FAIL  kill: $BIN is not executable"; exit 2; }

work=$(mktemp -d /tmp/gridgis-kill.XXXXXX)
cleanup() {
  # kill.py's own children, should it have died before stopping them (it removes a pid
  # file once its process is reaped; the command line is checked against pid reuse).
  local f pid
  for f in wrk.pid server.pid; do
    [[ -s $work/$f ]] || continue
    pid=$(cat "$work/$f")
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qE "wrk|$work/data"; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [[ ${KEEP:-0} == 1 ]]; then echo "INFO  work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_wrk
make_demo "$work/data"
echo "INFO  kill: demo data dir in ${demo_ms} ms (${demo_from})"
set +e
python3 "$faults_dir/kill.py" "$BIN" "$work" "$kills"
rc=$?
set -e
panics=$(no_panic_in "$work/server.log" | head -3 || true)
if [[ -z $panics ]]; then
  check "kill: no panic in the server logs" OK "$(grep -c '^---- start' "$work/server.log") lives, $(grep -c ' ERROR' "$work/server.log" || true) ERROR lines"
else
  check "kill: no panic in the server logs" FAIL "$panics"
fi
(( rc == 0 && checks_failed == 0 ))
