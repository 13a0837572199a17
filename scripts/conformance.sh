#!/usr/bin/env bash
# Scores the simulator on ../shared/conformance/cases with the corpus's own score.py and fails
# when fewer than 95% of the cases tagged neither jsonata nor variables pass.
#   scripts/conformance.sh [--release] [extra score.py args]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/flowc-target}
profile=debug
if [ "${1:-}" = "--release" ]; then profile=release; shift; cargo build --release -q -p flowc; else cargo build -q -p flowc; fi
cases=${FLOWC_CONFORMANCE_DIR:-../shared/conformance}
[ -d "$cases/cases" ] || { echo "conformance: $cases/cases not found (set FLOWC_CONFORMANCE_DIR)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python3 "$cases/score.py" "$cases/cases" --jobs 2 --show-failures 30 --json-out "$out/results.json" "$@" -- \
  "$CARGO_TARGET_DIR/$profile/flowc" run-case {case} | tee "$out/table.txt"
python3 - "$cases/cases" "$out/results.json" <<'PY'
import json, glob, os, sys
cases_dir, results = sys.argv[1], sys.argv[2]
tags = {}
for f in glob.glob(os.path.join(cases_dir, "*.json")):
    c = json.load(open(f))
    tags[c["id"]] = set(c.get("features", []))
res = json.load(open(results))
core = [r for r in res if not (tags.get(r["id"], set()) & {"jsonata", "variables"})]
ok = sum(1 for r in core if r["pass"])
rate = 100.0 * ok / max(1, len(core))
print(f"JSONPath-mode cases (neither jsonata nor variables): {ok}/{len(core)} = {rate:.1f}% (gate: 95%)")
sys.exit(0 if rate >= 95.0 else 1)
PY
