#!/usr/bin/env bash
# Executions per second of the tenant workflow's happy path, flowc's simulator against
# aws-local-stepfunctions 3.0.0 (Node 22), with the same definition, input and mocked Task
# results (workflows/tests/MockConfigFile.json, test case HappyPath), full history on both sides,
# measured in one run and printed side by side. Then `flowc simulate` timed as a whole process.
#
#   scripts/compare-local-stepfunctions.sh [SECONDS_PER_ENGINE]   (default 5)
#
# Needs the tools scripts/ensure-tools.sh installs (FLOWC_NODE22, FLOWC_LOCAL_SFN_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-5}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/flowc-target}
eval "$(scripts/ensure-tools.sh)"
: "${FLOWC_NODE22:?FLOWC_NODE22 is not set: run scripts/ensure-tools.sh}"
: "${FLOWC_LOCAL_SFN_DIR:?FLOWC_LOCAL_SFN_DIR is not set: run scripts/ensure-tools.sh}"

cargo build --release --quiet -p flowc --bin flowc -p flowc-sim --example tenant_throughput
flowc="$CARGO_TARGET_DIR/release/flowc"
throughput="$CARGO_TARGET_DIR/release/examples/tenant_throughput"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# aws-local-stepfunctions validates Resource ARNs, so both engines run the workflow compiled with
# real-looking Lambda ARNs rather than the ${name} placeholders of the committed JSON.
machine="$work/tenant_provisioning.asl.json"
"$flowc" compile workflows/tenant_provisioning.flow -o "$machine" \
    --bind provisioning=arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioning \
    --bind status_checker=arn:aws:lambda:us-east-1:123456789012:function:tenant-status-checker
mocks=workflows/tests/MockConfigFile.json
case=HappyPath
input='{"tenant_id":"t-0001","subdomain":"acme"}'

echo "Running each engine for ${budget}s on the tenant happy path (full history)..." >&2
ours=$("$throughput" "$machine" "$mocks" "$case" "$input" "$budget")
theirs=$("$FLOWC_NODE22" scripts/compare-local-stepfunctions.mjs "$FLOWC_LOCAL_SFN_DIR" \
    "$machine" "$mocks" "$case" "$input" "$budget")

"$FLOWC_NODE22" -e '
const [a, b] = process.argv.slice(1).map((s) => JSON.parse(s));
const row = (r) => `${r.engine.padEnd(26)}${r.per_second.toFixed(1).padStart(14)}${String(r.executions).padStart(12)}${String(r.events).padStart(10)}`;
console.log(`${"engine".padEnd(26)}${"executions/s".padStart(14)}${"runs".padStart(12)}${"events".padStart(10)}`);
console.log(row(a));
console.log(row(b));
console.log(`speedup: ${(a.per_second / b.per_second).toFixed(1)}x`);
console.log("events: per execution; flowc-sim records AWS GetExecutionHistory events (Lambda");
console.log("Scheduled/Started/Succeeded included), aws-local-stepfunctions its own event log");
console.log("(ExecutionStarted, StateEntered/Exited per state, ExecutionSucceeded).");
// Same mocked results, same path: the two engines must end with the same output.
const canon = (v) => JSON.stringify(v, (_, x) =>
  x && typeof x === "object" && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
    : x);
if (canon(a.output) !== canon(b.output)) {
  console.log("OUTPUTS DIFFER:\n  flowc-sim: " + canon(a.output) + "\n  aws-local-stepfunctions: " + canon(b.output));
  process.exitCode = 1;
} else {
  console.log("outputs: identical (" + canon(a.output).length + " bytes of JSON)");
}
' "$ours" "$theirs"

echo
echo "flowc simulate as a whole process (tenant happy path, MockConfigFile):"
simulate=("$flowc" simulate workflows/tenant_provisioning.asl.json --input "$input" \
    --mock-config "$mocks" --test-case "$case")
"${simulate[@]}" > /dev/null
if command -v hyperfine > /dev/null; then
    hyperfine --warmup 5 --runs 100 --shell=none "$(printf '%q ' "${simulate[@]}")"
else
    runs=100
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "${simulate[@]}" > /dev/null; done
    end=$(date +%s%N)
    echo "mean over $runs runs: $(( (end - start) / runs / 1000 )) us (hyperfine not installed)"
fi
