#!/usr/bin/env bash
# Scores the simulator on the repository's ASL conformance corpus (conformance/asl/cases) with
# `flowc conformance`, prints the per-tag table with the event-sequence figure, and fails when
# fewer than 95% of all the cases (JSONata and Variables included) pass.
#   scripts/conformance.sh [--release] [extra `flowc conformance` options, e.g. --show-failures 30]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/flowc-target}
profile=debug
if [ "${1:-}" = "--release" ]; then profile=release; shift; cargo build --release -q -p flowc; else cargo build -q -p flowc; fi
exec "$CARGO_TARGET_DIR/$profile/flowc" conformance conformance/asl/cases \
  --gate 95 "$@"
