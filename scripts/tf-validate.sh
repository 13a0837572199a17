#!/usr/bin/env bash
# Offline checks of terraform/: formatting, init against the local provider mirror (never the
# network), validate, and the IAM policy checker's self-test. No AWS account, no emulator.
#
#   eval "$(scripts/ensure-tools.sh)"; scripts/tf-validate.sh
#
# Needs FLOWC_TF_PLUGIN_DIR (the mirror root holding registry.terraform.io/hashicorp/aws),
# which scripts/ensure-tools.sh discovers. Works on a copy of terraform/ in a temp dir so the
# repository gets no .terraform/ or lock file. Last line: "tf-validate: OK (...)" or an error.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

fail() { echo "tf-validate: FAILED: $*" >&2; exit 1; }
command -v terraform >/dev/null || fail "terraform is not on PATH (see terraform/README.md, 'Getting terraform and the provider')"
command -v python3 >/dev/null || fail "python3 is not on PATH"
[ -n "${FLOWC_TF_PLUGIN_DIR:-}" ] || fail "FLOWC_TF_PLUGIN_DIR is unset: run eval \"\$(scripts/ensure-tools.sh)\" first"
[ -d "$FLOWC_TF_PLUGIN_DIR/registry.terraform.io/hashicorp/aws" ] \
  || fail "FLOWC_TF_PLUGIN_DIR=$FLOWC_TF_PLUGIN_DIR holds no registry.terraform.io/hashicorp/aws"

work=$(mktemp -d "${TMPDIR:-/tmp}/flowc-tf-validate.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A CLI configuration that only knows the local mirror: terraform cannot reach a registry.
cat > "$work/cli.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$FLOWC_TF_PLUGIN_DIR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
TFRC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

started=$(date +%s.%N)
echo "==> terraform fmt -check -recursive terraform/"
terraform fmt -check -recursive -diff "$repo/terraform" || fail "terraform fmt: run 'terraform fmt -recursive terraform/'"

mkdir -p "$work/terraform"
(cd "$repo/terraform" && tar --exclude=./.terraform --exclude=./build --exclude='*.tfstate*' \
  --exclude=./.terraform.lock.hcl -cf - .) | tar -xf - -C "$work/terraform"

for dir in "$work/terraform" "$work/terraform/modules/tenant-provisioning"; do
  name=${dir#"$work/"}
  echo "==> terraform init -backend=false -plugin-dir=\$FLOWC_TF_PLUGIN_DIR ($name)"
  terraform -chdir="$dir" init -backend=false -plugin-dir="$FLOWC_TF_PLUGIN_DIR" -no-color >"$work/init.log" 2>&1 \
    || { cat "$work/init.log" >&2; fail "terraform init in $name"; }
  echo "==> terraform validate ($name)"
  terraform -chdir="$dir" validate -no-color || fail "terraform validate in $name"
done
elapsed=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")

echo "==> IAM policy checker self-test"
python3 "$repo/terraform/tests/policy_check.py" --self-test || fail "policy checker self-test"

echo "tf-validate: OK (fmt, init, validate of root and module in ${elapsed}s; policy checker self-test)"
