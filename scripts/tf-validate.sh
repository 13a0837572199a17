#!/usr/bin/env bash
# Offline checks of terraform/: formatting, init against the local provider mirror (never the
# network), validate, `terraform test` (terraform/tests/*.tftest.hcl: a mocked provider, with
# production.tfvars), and the IAM policy checker's self-test. No AWS account, no emulator.
# Also the example team repository's Terraform (examples/team-repo/terraform): fmt, init, validate,
# which evaluates its templatefile() on the committed ASL, so a placeholder the vars map lacks fails.
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

# FLOWC_TF_WORKFLOW overrides the definition template, as in scripts/tf-local.sh.
workflow=${FLOWC_TF_WORKFLOW:-$repo/workflows/tenant_provisioning.asl.json}
[ -f "$workflow" ] || fail "$workflow is missing: compile it with flowc (workflows/tenant_provisioning.flow)"

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
echo "==> terraform fmt -check -recursive terraform/ examples/team-repo/terraform/"
terraform fmt -check -recursive -diff "$repo/terraform" || fail "terraform fmt: run 'terraform fmt -recursive terraform/'"
terraform fmt -check -recursive -diff "$repo/examples/team-repo/terraform" \
  || fail "terraform fmt: run 'terraform fmt -recursive examples/team-repo/terraform/'"

mkdir -p "$work/terraform"
(cd "$repo/terraform" && tar --exclude=./.terraform --exclude=./build --exclude='*.tfstate*' \
  --exclude=./.terraform.lock.hcl -cf - .) | tar -xf - -C "$work/terraform"

mkdir -p "$work/workflows" "$work/build"
cp "$workflow" "$work/workflows/tenant_provisioning.asl.json"
# The deprovisioning workflow is always the committed one.
cp "$repo/workflows/tenant_deprovisioning.asl.json" "$work/workflows/tenant_deprovisioning.asl.json"
# iam.tf reads the reserved subdomains from the Lambdas' own list.
mkdir -p "$work/lambdas/tenant-core"
cp "$repo/lambdas/tenant-core/reserved-subdomains.txt" "$work/lambdas/tenant-core/"

for dir in "$work/terraform" "$work/terraform/modules/tenant-provisioning"; do
  name=${dir#"$work/"}
  echo "==> terraform init -backend=false -plugin-dir=\$FLOWC_TF_PLUGIN_DIR ($name)"
  terraform -chdir="$dir" init -backend=false -plugin-dir="$FLOWC_TF_PLUGIN_DIR" -no-color >"$work/init.log" 2>&1 \
    || { cat "$work/init.log" >&2; fail "terraform init in $name"; }
  echo "==> terraform validate ($name)"
  terraform -chdir="$dir" validate -no-color || fail "terraform validate in $name"
done
# The example team repository, copied whole: its main.tf reads ../workflows/*.asl.json.
cp -R "$repo/examples/team-repo" "$work/team-repo"
rm -rf "$work/team-repo/terraform/.terraform" "$work/team-repo/terraform/.terraform.lock.hcl"
echo "==> terraform init -backend=false -plugin-dir=\$FLOWC_TF_PLUGIN_DIR (examples/team-repo/terraform)"
terraform -chdir="$work/team-repo/terraform" init -backend=false -plugin-dir="$FLOWC_TF_PLUGIN_DIR" -no-color >"$work/init.log" 2>&1 \
  || { cat "$work/init.log" >&2; fail "terraform init in examples/team-repo/terraform"; }
echo "==> terraform validate (examples/team-repo/terraform)"
terraform -chdir="$work/team-repo/terraform" validate -no-color || fail "terraform validate in examples/team-repo/terraform"
# validate must evaluate templatefile() against the ASL, or the check above proves little: a vars
# map without the ASL's ${orders} placeholder has to fail.
sed 's/^    orders = /    not_orders = /' "$work/team-repo/terraform/main.tf" >"$work/team-repo/terraform/main.tf.new"
cmp -s "$work/team-repo/terraform/main.tf" "$work/team-repo/terraform/main.tf.new" \
  && fail "examples/team-repo/terraform/main.tf no longer binds 'orders =': update this check"
mv "$work/team-repo/terraform/main.tf.new" "$work/team-repo/terraform/main.tf"
if terraform -chdir="$work/team-repo/terraform" validate -no-color >"$work/validate.log" 2>&1; then
  fail "terraform validate accepted a templatefile() vars map without the ASL's \${orders}"
fi
grep -q 'vars map does not contain key "orders"' "$work/validate.log" \
  || { cat "$work/validate.log" >&2; fail "terraform validate failed for another reason than the missing \${orders}"; }
echo "    (a vars map without \${orders} is rejected: validate reads the ASL)"

# The configuration hashes the Lambda zips at plan time; the mocked tests only need them to exist.
python3 - "$work/build" <<'PY'
import sys, zipfile
for name in ("tenant-registration", "tenant-provisioning", "tenant-status-checker"):
    with zipfile.ZipFile(f"{sys.argv[1]}/{name}.zip", "w") as z:
        z.writestr("bootstrap", "placeholder\n")
PY
echo "==> terraform test -var-file=production.tfvars (mocked provider)"
terraform -chdir="$work/terraform" test -no-color -var-file=production.tfvars \
  -var "lambda_package_dir=$work/build" || fail "terraform test"

elapsed=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")

echo "==> python syntax of the launcher and the test scripts"
python3 - "$repo/scripts/moto_server.py" "$repo"/terraform/tests/*.py "$repo"/terraform/test-fixtures/*.py <<'PY' || fail "python syntax"
import ast, sys
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as handle:
        ast.parse(handle.read(), path)
PY

echo "==> IAM policy checker self-test"
python3 "$repo/terraform/tests/policy_check.py" --self-test || fail "policy checker self-test"

echo "==> Lambda package checker self-test"
python3 "$repo/terraform/tests/check_packages.py" --self-test || fail "package checker self-test"

echo "==> package-lambdas.sh refuses a target Lambda cannot run"
for target in aarch64-apple-darwin x86_64-pc-windows-msvc; do
  # The refusal comes before cargo, so a wrong CARGO_TARGET_DIR cannot hide a build behind it.
  if CARGO_TARGET_DIR="$work/no-build" LAMBDA_PACKAGE_DIR="$work/no-packages" LAMBDA_TARGET=$target \
       "$repo/scripts/package-lambdas.sh" >"$work/package.log" 2>&1; then
    fail "scripts/package-lambdas.sh packaged a $target build"
  fi
  grep -q "is not an x86_64 or aarch64 Linux target" "$work/package.log" \
    || { cat "$work/package.log" >&2; fail "scripts/package-lambdas.sh failed on $target for another reason"; }
  [ ! -e "$work/no-packages" ] && [ ! -e "$work/no-build" ] || fail "scripts/package-lambdas.sh wrote something for $target"
  echo "  ok   LAMBDA_TARGET=$target refused before building"
done

echo "tf-validate: OK (fmt, init, validate of root, module and examples/team-repo, terraform test in ${elapsed}s; policy and package checker self-tests, package-lambdas target check)"
