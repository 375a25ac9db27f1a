# Shared helpers of the fault scripts (sourced, not run).
#   check NAME OK|FAIL|WARN|INFO|SKIP "figures"   one summary line, counted
#   free_port                                     a free loopback TCP port
#   need_wrk                                      installs wrk when missing
#   make_demo DIR                                 a fresh demo data dir ($GRIDGIS_TEST_DEMO copied, else BIN demo), timed
#   start_server DATA PORT LOG                    sets $server_pid, waits for /health
#   wait_ready PORT [SECONDS]                     polls /health until 200
#   rss_kb PID                                    VmRSS of a process, in kB
# Scripts set $BIN before sourcing this file.

faults_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checks_failed=0
checks_run=0

check() {
  local name=$1 verdict=$2 figures=${3:-}
  checks_run=$((checks_run + 1))
  [[ $verdict == FAIL ]] && checks_failed=$((checks_failed + 1))
  printf '%-5s %-38s %s\n' "$verdict" "$name" "$figures"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

need_wrk() {
  command -v wrk >/dev/null && return 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}

make_demo() {
  # GRIDGIS_TEST_DEMO: a demo data dir made once for the whole test run (make test); it is
  # copied, never written. Else `BIN demo`.
  local out=$1 t0
  t0=$(date +%s%N)
  if [[ -n ${GRIDGIS_TEST_DEMO:-} && -f ${GRIDGIS_TEST_DEMO}/catalog.json ]]; then
    cp -a "$GRIDGIS_TEST_DEMO" "$out"
    demo_from="copied from $GRIDGIS_TEST_DEMO"
  elif ! "$BIN" demo --out "$out" >/dev/null 2>"$out.demo.log"; then
    echo "FAIL  demo: $BIN demo --out $out failed:" >&2
    tail -5 "$out.demo.log" >&2
    return 1
  else
    demo_from="made by $BIN demo"
  fi
  rm -f "$out/keys.toml" "$out/audit.ndjson"
  demo_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}

wait_ready() {
  local port=$1 limit=${2:-120} i=0
  while ! curl -sf -o /dev/null "http://127.0.0.1:$port/health"; do
    sleep 0.05
    i=$((i + 1))
    if [[ -n ${server_pid:-} ]] && ! kill -0 "$server_pid" 2>/dev/null; then return 1; fi
    (( i > limit * 20 )) && return 1
  done
  return 0
}

start_server() {
  local data=$1 port=$2 log=$3 t0
  t0=$(date +%s%N)
  "$BIN" --data "$data" serve --listen "127.0.0.1:$port" >>"$log" 2>&1 &
  server_pid=$!
  if ! wait_ready "$port" 120; then
    echo "FAIL  the server did not start on $data (log $log):" >&2
    tail -20 "$log" >&2
    return 1
  fi
  ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}

rss_kb() {
  awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

# The panics in a server log, if any (prints them; true when there are none).
no_panic_in() {
  ! grep -nE "panicked at|RUST_BACKTRACE|stack backtrace" "$1"
}
