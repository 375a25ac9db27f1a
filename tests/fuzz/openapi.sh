#!/usr/bin/env bash
# Fuzzes the HTTP API against its OpenAPI description with schemathesis:
#   tests/fuzz/openapi.sh BIN [MAX_EXAMPLES]
# BIN is a gridgis binary; MAX_EXAMPLES (default 200) is the number of generated cases per
# operation in the fuzzing phase (the default takes 2–3 minutes on 2 cores, of which ~20 s are
# the demo data; 2000 is a deep run of ~15 minutes).
#
# It writes the demo dataset into a temporary dir, adds an admin key (every operation is
# reachable with it: recording cases and uploads included), starts `BIN serve` on a free
# loopback port, and runs every operation of the schema (the server's `GET /openapi.json`,
# else src/http/openapi.json) through schemathesis's phases (examples, coverage, fuzzing,
# stateful) with every check: no 5xx, status codes, content types, headers and bodies as
# documented, schema-violating requests refused (4xx), requests without the key refused
# where one is required (401), 405 with `Allow` for other methods; schema-valid requests
# accepted (2xx/404/409…) where the schema says all there is to validate (the
# schemathesis.toml below).
# Afterwards the server must still be running and its stderr must hold no panic.
# Exits non-zero on any failure.
#
# Environment: FUZZ_SEED (default 8; `random` for a new one each run), FUZZ_WORKERS
# (default 2), FUZZ_EXCLUDE (a regex of paths to leave out, e.g. '^/jobs'), FUZZ_SCHEMA=file
# (test src/http/openapi.json even when the server serves its own), FUZZ_KEEP=1 (keep the
# temporary dir: data, server log, JUnit report, schemathesis's crash records).
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 BIN [MAX_EXAMPLES]" >&2
  exit 2
fi
BIN=$(realpath "$1")
MAX_EXAMPLES=${2:-200}
SCHEMATHESIS_VERSION=4.32.5
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCHEMA_FILE="$ROOT/src/http/openapi.json"
[[ -x "$BIN" ]] || { echo "openapi.sh: $BIN is not an executable" >&2; exit 2; }
[[ -f "$SCHEMA_FILE" ]] || { echo "openapi.sh: $SCHEMA_FILE is missing" >&2; exit 2; }

if ! python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$SCHEMATHESIS_VERSION')" 2>/dev/null; then
  echo "openapi.sh: pip install schemathesis==$SCHEMATHESIS_VERSION" >&2
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

tmp=$(mktemp -d -t gridgis-openapi.XXXXXX)
server_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ "${FUZZ_KEEP:-}" == 1 ]]; then
    echo "openapi.sh: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
# GRIDGIS_TEST_DEMO: a demo data dir made beforehand (make test), copied rather than remade.
if [[ -n "${GRIDGIS_TEST_DEMO:-}" ]]; then
  cp -r "$GRIDGIS_TEST_DEMO" "$tmp/data"
else
  "$BIN" demo --out "$tmp/data" >/dev/null 2>"$tmp/demo.log" || { cat "$tmp/demo.log" >&2; exit 1; }
fi
key=$("$BIN" --data "$tmp/data" keys add --role admin --name openapi-fuzz 2>>"$tmp/demo.log")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$BIN" --data "$tmp/data" serve --listen "127.0.0.1:$port" >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!

# Up within 120 s (the demo data loads in a few seconds).
python3 - "$base" "$server_pid" <<'EOF' || { echo "openapi.sh: the server did not come up" >&2; tail -20 "$tmp/server.err" >&2; exit 1; }
import os, sys, time, urllib.request
base, pid = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 120
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    try:
        with urllib.request.urlopen(base + "/health", timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.25)
sys.exit(1)
EOF

# The schema the server serves (what the binary claims), once it serves one; else the file.
schema="$SCHEMA_FILE"
if [[ "${FUZZ_SCHEMA:-}" != file ]] && python3 - "$base/openapi.json" "$SCHEMA_FILE" <<'EOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        served = json.load(r)
except Exception:
    sys.exit(1)
if not (isinstance(served, dict) and str(served.get("openapi", "")).startswith("3.")):
    sys.exit(1)
with open(sys.argv[2], encoding="utf-8") as f:
    if json.load(f) != served:
        print("openapi.sh: note: the served schema differs from src/http/openapi.json (the binary was built from "
              "another version of it; FUZZ_SCHEMA=file tests the file)", file=sys.stderr)
EOF
then
  schema="$base/openapi.json"
fi

# Where a schema-valid request may still be refused, because the server validates what a
# schema cannot say (a CRS name PROJ must know, coordinates valid in that CRS, address text
# that normalizes to nothing, a time, x/y below 2^z, at most 32 tile sources each named once,
# which bbox/lon/lat combinations go together, a layer's field names, the bytes of an uploaded
# file), `positive_data_acceptance` is off; every other check stays on for every operation.
cat >"$tmp/schemathesis.toml" <<'EOF'
[checks]
enabled = true

[[operations]]
include-operation-id = ["locate", "locate_batch", "reverse", "geocode", "grid_stats", "grid_overview",
                        "route_case", "tilejson", "tile", "layer_features", "layer_nearest", "upload_layer"]
checks.positive_data_acceptance.enabled = false
EOF

seed=${FUZZ_SEED:-8}
seed_args=()
[[ "$seed" != random ]] && seed_args=(--seed "$seed")
exclude_args=()
[[ -n "${FUZZ_EXCLUDE:-}" ]] && exclude_args=(--exclude-path-regex "$FUZZ_EXCLUDE")

echo "openapi.sh: schemathesis $SCHEMATHESIS_VERSION against $base (schema $schema), $MAX_EXAMPLES examples per operation" >&2
status=0
# From the temporary dir: schemathesis keeps its crash records in ./.schemathesis.
(cd "$tmp" && python3 -m schemathesis.cli --config-file "$tmp/schemathesis.toml" run "$schema" \
  --url "$base" \
  -H "Authorization: Bearer $key" \
  --max-examples "$MAX_EXAMPLES" \
  --workers "${FUZZ_WORKERS:-2}" \
  --request-timeout 60 \
  --generation-database none \
  --no-color \
  --report junit --report-dir "$tmp/report" \
  "${seed_args[@]}" "${exclude_args[@]}") || status=$?

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "openapi.sh: FAIL: the server died during the run" >&2
  tail -30 "$tmp/server.err" >&2
  status=1
fi
if grep -q "panicked" "$tmp/server.err"; then
  echo "openapi.sh: FAIL: the server panicked:" >&2
  grep -A5 "panicked" "$tmp/server.err" | head -40 >&2
  status=1
fi
echo "openapi.sh: $(( $(date +%s) - started )) s, exit $status" >&2
exit "$status"
