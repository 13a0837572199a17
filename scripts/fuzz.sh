#!/usr/bin/env bash
# scripts/fuzz.sh TARGET SECONDS: run one coverage-guided fuzz target (fuzz/) for SECONDS.
#
# Targets: flow_compile, asl_check, decompile_compile, simulate (see fuzz/README.md).
# Uses afl.rs on the stable toolchain: installs cargo-afl from crates.io and builds AFL++ with
# it the first time. Work (queue, crashes, hangs) stays in $FLOWC_FUZZ_DIR/TARGET
# (default /var/tmp/flowc-fuzz), so a second run resumes where the first stopped. The seed
# corpus is made afresh from the repository's examples on every run: compiler/tests/corpus,
# workflows/ and the definitions (and inputs) of conformance/asl/cases.
#
# Budgets: a run of one input over 10 s (-t) or 1 GiB (-m) is a finding (a hang or a crash).
# Ends with a summary (executions, crashes, hangs); exit 1 when there are crashes or hangs.
# Not part of scripts/test.sh: minimised findings become tests in
# compiler/tests/fuzz_regressions.rs instead.
set -euo pipefail

usage() {
    echo "usage: scripts/fuzz.sh TARGET SECONDS   (TARGET: flow_compile | asl_check | decompile_compile | simulate)" >&2
    exit 2
}
[ $# -eq 2 ] || usage
target=$1
seconds=$2
case "$target" in
    flow_compile | asl_check | decompile_compile | simulate) ;;
    *) usage ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

root=$(cd "$(dirname "$0")/.." && pwd)
work=${FLOWC_FUZZ_DIR:-/var/tmp/flowc-fuzz}/$target
export CARGO_TARGET_DIR=${FLOWC_FUZZ_TARGET_DIR:-/var/tmp/flowc-fuzz-target}
cargo_afl_version=0.18.2

if ! cargo afl --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-afl $cargo_afl_version (crates.io)" >&2
    cargo install --locked cargo-afl --version "$cargo_afl_version"
fi
# Builds AFL++ for this toolchain unless it is built (cargo-afl then says "already built").
if ! built=$(cargo afl config --build 2>&1 </dev/null); then
    case "$built" in
        *"already built"*) ;;
        *)
            echo "fuzz.sh: cargo afl config --build failed (it builds AFL++: needs make and a C compiler):" >&2
            echo "$built" | tail -20 >&2
            exit 1
            ;;
    esac
fi

echo "fuzz.sh: building $target" >&2
(cd "$root/fuzz" && cargo afl build --release --bin "$target" -q)
binary=$CARGO_TARGET_DIR/release/$target

# Seeds, fresh from the repository.
seeds=$work/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
case "$target" in
    flow_compile)
        cp "$root"/compiler/tests/corpus/ok/*.flow "$root"/compiler/tests/corpus/err/*.flow \
            "$root"/workflows/*.flow "$seeds"/
        ;;
    asl_check | decompile_compile | simulate)
        cp "$root"/compiler/tests/corpus/ok/*.asl.json "$root"/workflows/*.asl.json "$seeds"/
        cp "$root"/compiler/tests/corpus/err/*.asl.json "$seeds"/ 2>/dev/null || true
        python3 - "$root/conformance/asl/cases" "$seeds" "$target" <<'PY'
import json, os, sys
cases, seeds, target = sys.argv[1:]
for name in sorted(os.listdir(cases)):
    case = json.load(open(os.path.join(cases, name)))
    data = json.dumps(case["definition"], indent=1).encode()
    if target == "simulate":
        data += b"\xff" + json.dumps(case.get("input", {})).encode()
    if len(data) <= 64 * 1024:
        open(os.path.join(seeds, name), "wb").write(data)
PY
        ;;
esac

# A dictionary of the words the inputs are made of: .flow keywords, ASL field names.
dict=$work/words.dict
mkdir -p "$work"
{
    grep -o '^k_[a-z_]* = @{ "[a-z_]*"' "$root/dsl/src/flow.pest" | sed 's/.*"\(.*\)"/"\1"/'
    grep -oh '"[A-Z][A-Za-z]*"' "$root"/compiler/tests/corpus/ok/*.asl.json | sort -u
    printf '%s\n' '"$."' '"$$."' '"States."' '"->"' '"[?(@"' '".$"' '"{%"' '"%}"'
} | sort -u | awk '{ printf "w%d=%s\n", NR, $0 }' >"$dict"

if [ -d "$work/out/default/queue" ]; then
    input=-  # resume
else
    input=$seeds
fi
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
echo "fuzz.sh: fuzzing $target for ${seconds}s (work in $work)" >&2
cargo afl fuzz -i "$input" -o "$work/out" -x "$dict" -V "$seconds" -t 10000 -m 1024 \
    -- "$binary" >"$work/afl.log" 2>&1 || {
    echo "fuzz.sh: afl-fuzz failed; the end of $work/afl.log:" >&2
    tail -20 "$work/afl.log" >&2
    exit 1
}

stats=$work/out/default/fuzzer_stats
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(stat saved_crashes)
hangs=$(stat saved_hangs)
echo "$target: $(stat execs_done) executions in $(stat run_time)s ($(stat execs_per_sec)/s)," \
    "corpus $(stat corpus_count), edges $(stat edges_found)/$(stat total_edges)," \
    "crashes $crashes, hangs $hangs"
if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    echo "findings: $work/out/default/crashes $work/out/default/hangs" >&2
    exit 1
fi
