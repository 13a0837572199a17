#!/usr/bin/env bash
# Proves the repository stands alone: clones the committed HEAD into an empty temporary folder,
# hides everything beside this checkout (an empty tmpfs mounted over its parent folder, in a
# private mount namespace), and runs the README's two commands from the clone: the main job and
# the whole test suite (.ci/run). Uncommitted changes are not in the clone, on purpose.
#
#   scripts/fresh-clone-test.sh [--keep]
#
# Needs root or unprivileged user namespaces (unshare -m / unshare -rm) and git. The tools
# .ci/run installs go to their usual place (/var/tmp/flowc-tools), outside the hidden folder.
set -euo pipefail
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
parent=$(dirname "$top")
keep=${1:-}
clone=$(mktemp -d /tmp/flowc-fresh.XXXXXX)
case "$clone" in "$parent"/*) echo "fresh-clone-test: the clone must live outside $parent" >&2; exit 1 ;; esac
git clone -q "$top" "$clone/flowc"
[ "$keep" = "--keep" ] || trap 'rm -rf "$clone"' EXIT
echo "fresh-clone-test: clone of $(git -C "$top" rev-parse --short HEAD) in $clone/flowc; hiding $parent" >&2
if [ "$(id -u)" = 0 ]; then ns=(unshare -m); else ns=(unshare -rm); fi
"${ns[@]}" bash -euo pipefail -c '
  mount -t tmpfs -o size=1m,mode=0555 none "$1"
  if [ -n "$(ls -A "$1")" ]; then echo "fresh-clone-test: $1 is not hidden" >&2; exit 1; fi
  cd "$2"
  echo "==> main job: cargo run -q -p flowc -- test workflows/"
  cargo run -q -p flowc -- test workflows/
  echo "==> all tests: .ci/run"
  bash .ci/run
' fresh-clone-test "$parent" "$clone/flowc"
echo "fresh-clone-test: passed" >&2
