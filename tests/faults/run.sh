#!/usr/bin/env bash
# The fault scripts one after the other, and a table of their results.
#   tests/faults/run.sh BIN [--short|--long]
#     --short (default; CI): soak 60 s, 10 kills      --long: soak 600 s, 50 kills
# Each script's full output is kept in $FAULTS_LOG_DIR (default: a new /tmp/gridgis-faults.*).
set -uo pipefail
BIN=$(realpath "${1:?usage: run.sh BIN [--short|--long]}")
mode=${2:---short}
case $mode in
  --short) soak_s=60 kills=10 ;;
  --long) soak_s=600 kills=50 ;;
  *) echo "usage: run.sh BIN [--short|--long]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
logs=${FAULTS_LOG_DIR:-$(mktemp -d /tmp/gridgis-faults.XXXXXX)}
mkdir -p "$logs"
echo "faults ${mode#--}: $BIN; logs in $logs"

names=() verdicts=() times=() counts=() notes=()
run() {
  local name=$1
  shift
  local t0 rc log=$logs/$name.log
  echo "== $name: $*"
  t0=$(date +%s)
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local ok fail skip verdict note
  ok=$(grep -c '^OK ' "$log")
  fail=$(grep -c '^FAIL ' "$log")
  skip=$(grep -c '^SKIP ' "$log")
  if (( skip > 0 && rc == 0 )); then verdict=SKIP
  elif (( rc == 0 && fail == 0 )); then verdict=PASS
  else verdict=FAIL; fi
  case $name in
    soak) note=$(grep -E '^(OK|FAIL) +soak: no errors' "$log" | sed -E 's/.*requests in ([0-9]+ s = [0-9]+ req\/s).*/\1/')
          note+="; $(grep -E 'soak: latency' "$log" | grep -oE 'p50 [0-9.]+ ms.*p99 [0-9.]+ ms' | sed 's/, p90 [0-9.]* ms//')"
          note+="; RSS $(grep -E 'soak: memory' "$log" | grep -oE 'end of warm-up\) [0-9]+ MB|end [0-9]+ MB' | tr '\n' ' ' | sed 's/end of warm-up) //; s/ end / -> /')" ;;
    kill) note=$(grep -E 'kill: kills' "$log" | sed -E 's/.*kill: kills +//') ;;
    disk_full) note=$(grep -E '^SKIP' "$log" | head -1 | cut -c7-120) ;;
  esac
  if (( fail > 0 )); then
    note+="${note:+; }failed: $(grep '^FAIL ' "$log" | cut -c7- | sed -E 's/  +.*//' | head -4 | paste -sd '|' -)"
  fi
  names+=("$name") verdicts+=("$verdict") times+=("$(( $(date +%s) - t0 )) s") counts+=("$ok ok, $fail failed") notes+=("$note")
}

run soak "$here/soak.sh" "$BIN" "$soak_s"
run kill "$here/kill.sh" "$BIN" "$kills"
run disk_full "$here/disk_full.sh" "$BIN"

echo
echo "== faults ${mode#--}: summary"
printf '%-10s %-5s %-7s %-18s %s\n' script result time checks figures
status=0
for i in "${!names[@]}"; do
  printf '%-10s %-5s %-7s %-18s %s\n' "${names[$i]}" "${verdicts[$i]}" "${times[$i]}" "${counts[$i]}" "${notes[$i]}"
  [[ ${verdicts[$i]} == FAIL ]] && status=1
done
exit $status
