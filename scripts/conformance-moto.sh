#!/usr/bin/env bash
# flowc against moto on the ASL conformance corpus: every case of conformance/asl/cases run
# through moto 5.2.5's Step Functions (its server, state-machine execution switched on) and
# through flowc's simulator, both scored by `flowc conformance` with the same comparison rules,
# printed as one markdown table per tag, side by side, with the whole-corpus totals.
#
#   scripts/conformance-moto.sh [OUT_DIR]
#
# OUT_DIR (default: a temporary folder, removed at the end) keeps moto's result objects
# (OUT_DIR/moto-results/), both engines' verdicts (flowc.json, moto.json) and the table
# (table.md). A measurement, not a test: .ci/run does not run it. It needs moto 5.2.5
# (scripts/ensure-tools.sh makes the venv) and fails when moto is missing. What moto can and
# cannot be fed is in conformance/README.md and scripts/conformance_moto.py.
#
# Environment: FLOWC_BIN (a built flowc; default: `cargo build --release -p flowc`),
# CARGO_TARGET_DIR (default /var/tmp/flowc-target), MOTO_CASE_DEADLINE (wall-clock seconds one
# moto execution may take before it is stopped and failed; default 120).
set -euo pipefail
cd "$(dirname "$0")/.."
cases=conformance/asl/cases
moto_version=5.2.5

eval "$(scripts/ensure-tools.sh)"
: "${FLOWC_MOTO_PYTHON:?FLOWC_MOTO_PYTHON is not set: run scripts/ensure-tools.sh}"
if ! "$FLOWC_MOTO_PYTHON" -c "import moto, sys; sys.exit(moto.__version__ != '$moto_version')"; then
  echo "conformance-moto: moto $moto_version is not importable by $FLOWC_MOTO_PYTHON;" \
    "run scripts/ensure-tools.sh (it makes the venv)" >&2
  exit 1
fi

if [ -z "${FLOWC_BIN:-}" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/flowc-target}
  cargo build --release --quiet -p flowc --bin flowc
  FLOWC_BIN="$CARGO_TARGET_DIR/release/flowc"
fi
[ -x "$FLOWC_BIN" ] || { echo "conformance-moto: FLOWC_BIN=$FLOWC_BIN is not executable" >&2; exit 1; }

keep=${1:-}
if [ -n "$keep" ]; then
  out=$keep
  mkdir -p "$out"
  rm -rf "$out/moto-results" "$out/moto.port"
else
  out=$(mktemp -d)
fi
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -z "$keep" ]; then rm -rf "$out"; fi
}
trap cleanup EXIT

echo "conformance-moto: flowc ($FLOWC_BIN) on $cases" >&2
"$FLOWC_BIN" conformance "$cases" --json-out "$out/flowc.json" > "$out/flowc-table.txt"

# moto's account is the corpus's (the recordings' ARNs hold 111111111111), so the context object
# and ARNs moto builds normalise as AWS's did.
echo "conformance-moto: starting moto $moto_version's server" >&2
MOTO_ACCOUNT_ID=111111111111 "$FLOWC_MOTO_PYTHON" scripts/moto_server.py \
  --port-file "$out/moto.port" 2> "$out/moto-server.log" &
server_pid=$!
for _ in $(seq 600); do
  [ -s "$out/moto.port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/moto-server.log" >&2; echo "conformance-moto: moto's server exited" >&2; exit 1; }
  sleep 0.1
done
[ -s "$out/moto.port" ] || { echo "conformance-moto: moto's server did not start in 60 s" >&2; exit 1; }
port=$(cat "$out/moto.port")

echo "conformance-moto: moto on $cases (real time: waits, retries and timeouts take as long as they say)" >&2
"$FLOWC_MOTO_PYTHON" scripts/conformance_moto.py run --endpoint "http://127.0.0.1:$port" \
  --cases "$cases" --results "$out/moto-results" --deadline "${MOTO_CASE_DEADLINE:-120}"
"$FLOWC_BIN" conformance "$cases" --results "$out/moto-results" --json-out "$out/moto.json" \
  > "$out/moto-table.txt"

"$FLOWC_MOTO_PYTHON" scripts/conformance_moto.py table --cases "$cases" \
  --flowc "$out/flowc.json" --moto "$out/moto.json" --moto-version "$moto_version" \
  --moto-failures | tee "$out/table.md"
