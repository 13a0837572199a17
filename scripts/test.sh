#!/usr/bin/env bash
# The whole test suite, exactly what CI runs (.ci/run calls this script).
#
#   scripts/test.sh
#
# 1. installs what the tests need and the machine lacks (scripts/ensure-tools.sh: moto 5.2.5 in a
#    venv, asl-validator 4.0.0, aws-local-stepfunctions + Node 22 for the comparison script);
# 2. cargo fmt --check, cargo clippy -D warnings, flowc-sim's docs without a warning;
# 3. cargo test for the whole workspace: the compiler, the simulator, the workflow simulations,
#    the Lambdas against moto's server and a throwaway PostgreSQL (the tests start both);
#    and the ASL conformance corpus (conformance/asl/), scored in-process with the corpus's
#    comparison rules (simulator/tests/conformance.rs);
# 4. flowc installed and used outside the repository (scripts/install-test.sh: cargo install
#    --debug, whose build step 5 reuses, then --version, flowc test on examples/team-repo, bash
#    completion, the pre-commit hooks, from a scratch directory);
# 5. the conformance table with the event-sequence figure (scripts/conformance.sh, for the log),
#    and the coverage of the workflows' simulation tests (JSON and SVG kept as artifacts);
#    and `flowc explore` of both tenant twins' committed ASL with their tests' answers: every
#    choice sequence run (not stopped at a bound) and `FAILED passes MarkTenantFailed` held;
# 6. Terraform: fmt/init/validate offline (examples/team-repo's too), the IAM policy test, a full
#    apply against moto.
#
# Cargo's target dir defaults to /var/tmp/flowc-target so repeated runs on one machine reuse
# builds; set CARGO_TARGET_DIR to override. A fresh machine builds from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/flowc-target}
export CARGO_TERM_COLOR=never
eval "$(scripts/ensure-tools.sh)"

step() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

# The simulator is a library for other teams' tests, and asl and dsl are what it and the compiler
# share: their docs must build without a broken or private link (missing docs are clippy's
# -D warnings above, from #![warn(missing_docs)] in flowc-sim).
step "cargo doc -p flowc-asl -p flowc-dsl -p flowc-sim (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -p flowc-asl -p flowc-dsl -p flowc-sim --no-deps --quiet

step "cargo test --workspace"
mkdir -p "$CARGO_TARGET_DIR"
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "${CARGO_TARGET_DIR}/test.log"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "cargo test failed (exit $status)" >&2; exit "$status"; }

step "flowc installed, used outside the repository"
scripts/install-test.sh

step "conformance table"
scripts/conformance.sh --show-failures 20

step "coverage of the workflows' simulation tests (kept in \$CARGO_TARGET_DIR/coverage/)"
# The JSON and the coverage-coloured pictures are CI artifacts: coverage.json and
# coverage-<workflow>.svg. The floor is the lowest workflow's coverage today (the tenant
# .flow's one MockConfigFile test: 41 of 122 items, 33.6%, since the health Choices gained
# their no-status branches; the .asl.json twins' tests reach 100%), so a drop fails the run.
mkdir -p "${CARGO_TARGET_DIR}/coverage"
cargo run -q -p flowc -- test workflows examples/team-repo \
    --coverage-json "${CARGO_TARGET_DIR}/coverage/coverage.json" \
    --svg "${CARGO_TARGET_DIR}/coverage/coverage.svg" --min 33

step "flowc explore: both tenant twins, every choice sequence, every failure marks the tenant FAILED"
# The committed ASL (what Terraform deploys) with its tests' answers. Fails when a run breaks the
# property (exit 1) or when the search stopped at a bound before every sequence was run.
for twin in tenant_provisioning tenant_provisioning_jsonata; do
    explored=$(cargo run -q -p flowc -- explore "workflows/${twin}.asl.json" \
        --mocks "workflows/tests/${twin}.simtest.json" \
        --require "FAILED passes MarkTenantFailed") || { echo "$explored"; exit 1; }
    sed -n '1,2p;/^properties:/,$p' <<<"$explored"
    grep -q '^every choice sequence within the bounds was explored$' <<<"$explored" \
        || { echo "flowc explore stopped early on ${twin}" >&2; exit 1; }
done

step "terraform"
scripts/tf-validate.sh
scripts/tf-local.sh

passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "${CARGO_TARGET_DIR}/test.log" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "${CARGO_TARGET_DIR}/test.log" | awk '{s+=$1} END {print s+0}')
step "done in $(( $(date +%s) - started ))s"
echo "${passed} passed, ${failed} failed"
