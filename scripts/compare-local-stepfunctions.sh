#!/usr/bin/env bash
# Executions per second of the tenant workflow's happy path, then of a Map/Parallel-heavy
# fan-out workload (simulator/benches/fanout/), flowc's simulator against
# aws-local-stepfunctions 3.0.0 (Node 22), with the same definition, input and mocked Task
# results (MockConfigFile test cases), full history on both sides, measured in one run and
# printed side by side. Then `flowc simulate` timed as a whole process.
#
#   scripts/compare-local-stepfunctions.sh [SECONDS_PER_ROUND] [ROUNDS]   (defaults 5 and 3)
#
# Both engines run in alternating rounds (flowc-sim, aws-local-stepfunctions, flowc-sim, ...),
# each round SECONDS_PER_ROUND long, so a change of machine load falls on both alike; the script
# prints every round's figure and each engine's median, and the speedup is the ratio of the
# medians. Both get the same treatment: same definition, input and mocked results, no waits or
# retry pauses (aws-local-stepfunctions' overrides at 0 ms, flowc's virtual clock), every
# execution's full event log consumed. Beside each rate, the CPU time per execution (user and
# system time of the timed loop: /proc/self/stat for flowc-sim, process.cpuUsage for Node):
# a loaded machine lowers both rates unevenly, while the CPU time per execution holds, so a run
# made while others build stays readable.
#
# Needs the tools scripts/ensure-tools.sh installs (FLOWC_NODE22, FLOWC_LOCAL_SFN_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-5}
rounds=${2:-3}
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

# compare NAME MACHINE MOCKS TEST_CASE INPUT_JSON: alternating rounds, then the table.
compare() {
    local name=$1 machine=$2 mocks=$3 case=$4 input=$5
    echo "Running each engine ${rounds} times for ${budget}s, alternating, on $name (full history)..." >&2
    local results=()
    for round in $(seq "$rounds"); do
        results+=("$("$throughput" "$machine" "$mocks" "$case" "$input" "$budget")")
        echo "  round $round: flowc-sim done" >&2
        results+=("$("$FLOWC_NODE22" scripts/compare-local-stepfunctions.mjs "$FLOWC_LOCAL_SFN_DIR" \
            "$machine" "$mocks" "$case" "$input" "$budget")")
        echo "  round $round: aws-local-stepfunctions done" >&2
    done
    echo "== $name"
    "$FLOWC_NODE22" -e "$summary" "${results[@]}"
}

summary='
const runs = process.argv.slice(1).map((s) => JSON.parse(s));
const ours = runs.filter((_, i) => i % 2 === 0);
const theirs = runs.filter((_, i) => i % 2 === 1);
const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pad = (s, n) => String(s).padStart(n);
// CPU time per execution beside the wall-clock rate: on a loaded machine the rates of both engines
// fall with their share of the cores, while their CPU time per execution holds.
const us = (r) => (r.cpu_seconds * 1e6) / r.executions;
console.log(`${"round".padEnd(8)}${pad("flowc-sim exec/s", 18)}${pad("aws-local-sfn exec/s", 22)}${pad("ratio", 9)}${pad("flowc-sim CPU us/exec", 23)}${pad("aws-local-sfn CPU us/exec", 27)}${pad("CPU ratio", 11)}`);
ours.forEach((a, i) => {
  const b = theirs[i];
  console.log(`${String(i + 1).padEnd(8)}${pad(a.per_second.toFixed(1), 18)}${pad(b.per_second.toFixed(1), 22)}${pad((a.per_second / b.per_second).toFixed(1) + "x", 9)}${pad(us(a).toFixed(1), 23)}${pad(us(b).toFixed(1), 27)}${pad((us(b) / us(a)).toFixed(1) + "x", 11)}`);
});
const ma = median(ours.map((r) => r.per_second));
const mb = median(theirs.map((r) => r.per_second));
const ca = median(ours.map(us));
const cb = median(theirs.map(us));
console.log(`${"median".padEnd(8)}${pad(ma.toFixed(1), 18)}${pad(mb.toFixed(1), 22)}${pad((ma / mb).toFixed(1) + "x", 9)}${pad(ca.toFixed(1), 23)}${pad(cb.toFixed(1), 27)}${pad((cb / ca).toFixed(1) + "x", 11)}`);
console.log(`speedup (ratio of medians): ${(ma / mb).toFixed(1)}x (CPU time per execution: ${(cb / ca).toFixed(1)}x)`);
console.log(`events per execution: flowc-sim ${ours[0].events} (AWS GetExecutionHistory events, Lambda`);
console.log(`Scheduled/Started/Succeeded included), aws-local-stepfunctions ${theirs[0].events} (its own event log:`);
console.log("ExecutionStarted, StateEntered/Exited per state, ExecutionSucceeded).");
// Same mocked results, same path: the two engines must end with the same output.
const canon = (v) => JSON.stringify(v, (_, x) =>
  x && typeof x === "object" && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
    : x);
const a = ours[ours.length - 1];
const b = theirs[theirs.length - 1];
if (canon(a.output) !== canon(b.output)) {
  console.log("OUTPUTS DIFFER:\n  flowc-sim: " + canon(a.output) + "\n  aws-local-stepfunctions: " + canon(b.output));
  process.exitCode = 1;
} else {
  console.log("outputs: identical (" + canon(a.output).length + " bytes of JSON)");
}
'

compare "the tenant happy path" "$machine" "$mocks" "$case" "$input"
# The Map/Parallel-heavy workload: a Parallel of 3 Maps of 100 items, MaxConcurrency 10, each
# iteration a Task then a Wait (simulator/benches/fanout/).
fanout=simulator/benches/fanout
compare "the fan-out workload" "$fanout/fanout.asl.json" "$fanout/MockConfigFile.json" Fanout \
    "$(cat "$fanout/input.json")"

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
