#!/usr/bin/env bash
# flowc as a user outside this repository meets it, end to end (issue 19's "done when"):
#
#   eval "$(scripts/ensure-tools.sh)"; scripts/install-test.sh
#
# 1. `cargo install --locked --offline --debug --path compiler --root SCRATCH/root`, the README's
#    install command with two changes: --debug, so cargo builds in $CARGO_TARGET_DIR exactly the
#    units `cargo build -p flowc` builds, which scripts/conformance.sh needs next in
#    scripts/test.sh anyway (not those of `cargo test --workspace`: the workspace and the
#    dev-dependencies turn on more features of serde, syn, uuid...); a release build would cost
#    minutes more. The install mechanics, the lock file, the binary's name and build.rs's commit
#    are the same. And --offline, so nothing is fetched.
#    The README's other install, `cargo install --git URL flowc`, is not run: cargo refuses to
#    check out a git source --offline (it refreshes the crates.io index, so the suite would need
#    the network), and with this target dir it proves nothing about the committed tree: cargo
#    reuses the path build's artifacts (an uncommitted change showed up in the --git binary).
#    Building it honestly takes a target dir of its own, a second full build of flowc.
# 2. From a scratch directory outside the repository, with only SCRATCH/root/bin added to PATH:
#    `flowc --version` names this checkout's commit; a copy of examples/team-repo passes
#    `flowc compile --check` and `flowc test` (every test in its simtest files ran and passed);
#    `source <(flowc completions bash)` in a bash with no rc file completes `flowc co`;
#    the pre-commit hooks (.pre-commit-hooks.yaml, real pre-commit from FLOWC_PRE_COMMIT)
#    in the team repository's git checkout pass its committed files, block a badly formatted
#    .flow and pass it once `flowc fmt` has formatted it.
#
# scripts/test.sh runs this after `cargo test`. A missing tool is a failure, never a skip.
# Last line: "install-test: OK (...)" or "install-test: FAILED: ...".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

fail() { echo "install-test: FAILED: $*" >&2; exit 1; }
for tool in cargo git bash python3; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH"
done
[ -n "${FLOWC_PRE_COMMIT:-}" ] && [ -x "$FLOWC_PRE_COMMIT" ] \
  || fail "FLOWC_PRE_COMMIT is unset or not executable: run eval \"\$(scripts/ensure-tools.sh)\" first"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/flowc-target}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/flowc-install-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
case "$scratch/" in "$repo"/*) fail "the scratch directory $scratch is inside the repository" ;; esac
seconds() { python3 -c "import time; print(f'{time.time() - $1:.1f}')"; }
now() { python3 -c 'import time; print(time.time())'; }
started=$(now)

echo "==> cargo install --locked --offline --debug --path compiler --root \$scratch/root"
cargo install --locked --offline --debug --quiet --path "$repo/compiler" --root "$scratch/root" \
  || fail "cargo install"
install_seconds=$(seconds "$started")
echo "    installed in ${install_seconds}s"

# The user's side: their PATH gains the install's bin directory; their HOME is a fresh one (no
# rc files, no git config of ours); the working directory is outside the repository.
export PATH="$scratch/root/bin:$PATH" HOME="$scratch/home"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export PRE_COMMIT_HOME="$scratch/pre-commit-home" NO_COLOR=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME"
[ "$(command -v flowc)" = "$scratch/root/bin/flowc" ] || fail "flowc on PATH is $(command -v flowc), not the installed one"
cp -R "$repo/examples/team-repo" "$scratch/team-repo"
cd "$scratch/team-repo"

echo "==> flowc --version"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)
commit="$(git -C "$repo" rev-parse --short=12 HEAD) $(git -C "$repo" show -s --format=%cs HEAD)" \
  || fail "$repo is not a git checkout"
got=$(flowc --version) || fail "flowc --version exited $?"
[ "$got" = "flowc $version ($commit)" ] || fail "flowc --version printed '$got', expected 'flowc $version ($commit)'"
echo "    $got"

echo "==> flowc compile --check, flowc test workflows (a copy of examples/team-repo)"
for flow in workflows/*.flow; do
  flowc compile "$flow" -o "${flow%.flow}.asl.json" --check || fail "flowc compile --check $flow"
done
expected=$(python3 -c '
import glob, json
print(sum(len(json.load(open(f))["tests"]) for f in glob.glob("workflows/**/*.simtest.json", recursive=True)))')
[ "$expected" -gt 0 ] || fail "examples/team-repo has no simulation tests"
flowc test workflows >"$scratch/test.out" 2>"$scratch/test.err" \
  || { cat "$scratch/test.out" "$scratch/test.err" >&2; fail "flowc test workflows"; }
grep -qx "test result: ok. $expected passed; 0 failed" "$scratch/test.out" \
  || { cat "$scratch/test.out" >&2; fail "flowc test did not run and pass all $expected tests"; }
# stderr is a file here: no progress line, not one byte.
[ ! -s "$scratch/test.err" ] || { cat -A "$scratch/test.err" >&2; fail "flowc test wrote to a redirected stderr"; }
echo "    $expected passed"

echo "==> bash: source <(flowc completions bash)"
offered=$(bash --norc --noprofile -c '
  source <(flowc completions bash) || exit 1
  complete -p flowc | grep -q "_flowc" || { echo "complete -p flowc: not registered" >&2; exit 1; }
  COMP_WORDS=(flowc co); COMP_CWORD=1; COMP_LINE="flowc co"; COMP_POINT=${#COMP_LINE}
  _flowc flowc co flowc
  printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "') || fail "bash completion did not load"
[ "$offered" = "compile completions conformance " ] || fail "bash completes 'flowc co' to '$offered'"
echo "    flowc co<TAB>: $offered"

echo "==> pre-commit hooks (.pre-commit-hooks.yaml, $("$FLOWC_PRE_COMMIT" --version))"
# The hook repository holds this checkout's .pre-commit-hooks.yaml as it is now, committed or not.
mkdir "$scratch/hooks"
cp "$repo/.pre-commit-hooks.yaml" "$scratch/hooks/"
git -C "$scratch/hooks" init -q
git -C "$scratch/hooks" add .
git -C "$scratch/hooks" commit -q -m hooks
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $scratch/hooks
    rev: $(git -C "$scratch/hooks" rev-parse HEAD)
    hooks:
      - id: flowc-fmt
      - id: flowc-check
YAML
git init -q
"$FLOWC_PRE_COMMIT" install >/dev/null || fail "pre-commit install"
git add .
git commit -q -m "the team repository" >"$scratch/commit.log" 2>&1 \
  || { cat "$scratch/commit.log" >&2; fail "the hooks blocked examples/team-repo's own files"; }
grep -q "flowc fmt --check.*Passed" "$scratch/commit.log" && grep -q "flowc check.*Passed" "$scratch/commit.log" \
  || { cat "$scratch/commit.log" >&2; fail "the hooks did not both run on examples/team-repo's files"; }
# Valid, but not as flowc fmt writes it.
printf 'pass   Start {   result { "ok": true }\n result_path $.result }\nsucceed    Done\n' > workflows/hello.flow
git add workflows/hello.flow
if git commit -q -m unformatted >"$scratch/commit.log" 2>&1; then
  cat "$scratch/commit.log" >&2; fail "the hooks let a badly formatted .flow be committed"
fi
grep -q "flowc fmt --check.*Failed" "$scratch/commit.log" && grep -q "workflows/hello.flow" "$scratch/commit.log" \
  || { cat "$scratch/commit.log" >&2; fail "the commit failed, but not because flowc fmt --check failed on hello.flow"; }
flowc fmt workflows/hello.flow || fail "flowc fmt workflows/hello.flow"
git add workflows/hello.flow
git commit -q -m formatted >"$scratch/commit.log" 2>&1 \
  || { cat "$scratch/commit.log" >&2; fail "the hooks blocked hello.flow once formatted"; }
echo "    blocked an unformatted .flow, passed it formatted"

echo "install-test: OK (cargo install ${install_seconds}s, all in $(seconds "$started")s)"
