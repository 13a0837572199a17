#!/usr/bin/env bash
# Applies terraform/ for real against moto's server, then checks, re-plans and destroys it.
#
#   eval "$(scripts/ensure-tools.sh)"; scripts/tf-local.sh
#
# 1. starts moto 5.2.5 ($FLOWC_MOTO_PYTHON) through scripts/moto_server.py on a free loopback
#    port (the launcher adds ValidateStateMachineDefinition and ListStateMachineVersions, and
#    validates definitions with `flowc check` when FLOWC_BIN or $CARGO_TARGET_DIR/debug/flowc
#    is built, with its own JSON checks otherwise);
# 2. creates stand-ins for the existing VPC, subnets, ALB + listener, hosted zone, ECS cluster
#    and Cognito pool (terraform/test-fixtures/existing_infra.py) and points the variables at
#    them: production.tfvars is not used;
# 3. plans, audits every IAM policy in the plan (terraform/tests/policy_check.py), applies,
#    checks the resources through the emulator's API (terraform/tests/check_local_apply.py),
#    re-plans expecting no changes, destroys, and checks they are gone;
# 4. creates the seed's "existing" registration table and function as that account has them,
#    plans with adopt_existing_registration=true (terraform/adopt.tf) expecting three imports and
#    nothing destroyed or replaced, applies, checks the table kept its item and the function its
#    ARN, re-plans expecting no changes, destroys;
# 5. stops moto and removes its temp dir, whatever happened.
#
# terraform/build/ packages are checked first (bootstrap at the root, executable, ELF for
# FLOWC_LAMBDA_ARCH, default x86_64).
# FLOWC_TF_KEEP=1 keeps the temp dir (logs, plan, state) for a look afterwards.
# Lambda packages: terraform/build/<function>.zip from scripts/package-lambdas.sh when all three
# exist; otherwise placeholder zips made here (moto stores the code and never runs it).
# The workflow: workflows/tenant_provisioning.asl.json (flowc's output with ${provisioning} and
# ${status_checker} placeholders). Last line: "tf-local: OK (...)" or "tf-local: FAILED: ...".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

fail() { echo "tf-local: FAILED: $*" >&2; exit 1; }
command -v terraform >/dev/null || fail "terraform is not on PATH (see terraform/README.md)"
[ -n "${FLOWC_MOTO_PYTHON:-}" ] || fail "FLOWC_MOTO_PYTHON is unset: run eval \"\$(scripts/ensure-tools.sh)\" first"
[ -n "${FLOWC_TF_PLUGIN_DIR:-}" ] || fail "FLOWC_TF_PLUGIN_DIR is unset: run eval \"\$(scripts/ensure-tools.sh)\" first"
"$FLOWC_MOTO_PYTHON" -c 'import moto, sys; sys.exit(moto.__version__ != "5.2.5")' \
  || fail "$FLOWC_MOTO_PYTHON has no moto 5.2.5: run scripts/ensure-tools.sh"
# FLOWC_TF_WORKFLOW overrides the definition template (to try another compiled workflow).
workflow=${FLOWC_TF_WORKFLOW:-$repo/workflows/tenant_provisioning.asl.json}
[ -f "$workflow" ] || fail "$workflow is missing: compile it with flowc (workflows/tenant_provisioning.flow)"

work=$(mktemp -d "${TMPDIR:-/tmp}/flowc-tf-local.XXXXXX")
moto_pid=
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && [ -s "$work/moto.log" ]; then
    echo "---- moto's log, last lines other than 2xx ----" >&2
    grep -v '" 20[0-9] -$' "$work/moto.log" | tail -n 30 >&2 || true
  fi
  if [ -n "$moto_pid" ] && kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  if [ -n "${FLOWC_TF_KEEP:-}" ]; then
    echo "tf-local: kept $work (FLOWC_TF_KEEP is set)" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

# The configuration and the workflow keep their relative layout (../workflows) in the copy, so
# the default definition path is the one exercised; state and .terraform stay in the temp dir.
mkdir -p "$work/terraform" "$work/workflows"
(cd "$repo/terraform" && tar --exclude=./.terraform --exclude=./build --exclude='*.tfstate*' \
  --exclude=./.terraform.lock.hcl -cf - .) | tar -xf - -C "$work/terraform"
cp "$workflow" "$work/workflows/tenant_provisioning.asl.json"
# The deprovisioning workflow is always the committed one.
cp "$repo/workflows/tenant_deprovisioning.asl.json" "$work/workflows/tenant_deprovisioning.asl.json"
# iam.tf reads the reserved subdomains from the Lambdas' own list.
mkdir -p "$work/lambdas/tenant-core"
cp "$repo/lambdas/tenant-core/reserved-subdomains.txt" "$work/lambdas/tenant-core/"

# FLOWC_LAMBDA_ARCH: the architecture scripts/package-lambdas.sh built for (x86_64 or arm64).
lambda_arch=${FLOWC_LAMBDA_ARCH:-x86_64}
# FLOWC_LAMBDA_PACKAGES: another folder of the three zips (then they must all be there).
packages=${FLOWC_LAMBDA_PACKAGES:-$repo/terraform/build}
package_kind=${packages#"$repo"/}
functions=(tenant-registration tenant-provisioning tenant-status-checker)
for fn in "${functions[@]}"; do
  if [ ! -f "$packages/$fn.zip" ]; then
    [ -z "${FLOWC_LAMBDA_PACKAGES:-}" ] || fail "FLOWC_LAMBDA_PACKAGES=$FLOWC_LAMBDA_PACKAGES has no $fn.zip"
    packages="$work/build"
    package_kind="placeholders"
    echo "tf-local: terraform/build/$fn.zip is missing (scripts/package-lambdas.sh makes it); using placeholder packages"
    mkdir -p "$packages"
    python3 - "$packages" "${functions[@]}" <<'PY'
import sys, zipfile
out, names = sys.argv[1], sys.argv[2:]
for name in names:
    with zipfile.ZipFile(f"{out}/{name}.zip", "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, f"#!/bin/sh\necho 'placeholder for {name}: run scripts/package-lambdas.sh' >&2\nexit 1\n")
PY
    break
  fi
done

if [ "$package_kind" != placeholders ]; then
  echo "==> checking the Lambda packages in $packages"
  python3 "$repo/terraform/tests/check_packages.py" "$packages" --architecture "$lambda_arch" \
    || fail "Lambda packages (rebuild them with scripts/package-lambdas.sh)"
fi

cat > "$work/cli.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$FLOWC_TF_PLUGIN_DIR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
TFRC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

echo "==> starting moto's server"
moto_args=(--port-file "$work/port")
# Definitions are validated by `flowc check` when a flowc is built: FLOWC_BIN, else the one
# `cargo test` just built in the target dir (scripts/test.sh runs this script after it).
flowc_bin=${FLOWC_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/flowc}
if [ -x "$flowc_bin" ]; then
  moto_args+=(--flowc "$flowc_bin")
elif [ -n "${FLOWC_BIN:-}" ]; then
  fail "FLOWC_BIN=$FLOWC_BIN is not an executable file"
fi
"$FLOWC_MOTO_PYTHON" "$repo/scripts/moto_server.py" "${moto_args[@]}" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 150); do
  [ -s "$work/port" ] && break
  kill -0 "$moto_pid" 2>/dev/null || { cat "$work/moto.log" >&2; fail "moto's server exited"; }
  sleep 0.2
done
[ -s "$work/port" ] || { cat "$work/moto.log" >&2; fail "moto's server did not start within 30 s"; }
port=$(cat "$work/port")

# Test credentials and the emulator endpoint for everything below; nothing can reach AWS.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_MAX_ATTEMPTS=2 \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
echo "    $AWS_ENDPOINT_URL; $(head -n 1 "$work/moto.log" | sed 's/.*validating with/validating with/')"

# Every terraform call is bounded: an action the emulator lacks must fail the run, not hang it.
tf() { timeout --kill-after=10 "${FLOWC_TF_TIMEOUT:-600}" terraform -chdir="$work/terraform" "$@"; }

echo "==> checking the launcher's ValidateStateMachineDefinition and ListStateMachineVersions"
"$FLOWC_MOTO_PYTHON" "$repo/terraform/tests/check_launcher.py" "$work/workflows/tenant_provisioning.asl.json" \
  || fail "moto launcher"

echo "==> creating stand-ins for the existing infrastructure"
"$FLOWC_MOTO_PYTHON" "$repo/terraform/test-fixtures/existing_infra.py" "$work/local.tfvars.json"
vars=(-var-file="$work/local.tfvars.json" -var "lambda_package_dir=$packages" -var "lambda_architecture=$lambda_arch")

echo "==> terraform init"
tf init -backend=false -plugin-dir="$FLOWC_TF_PLUGIN_DIR" -no-color >"$work/init.log" 2>&1 \
  || { cat "$work/init.log" >&2; fail "terraform init"; }

echo "==> terraform plan"
tf plan -no-color "${vars[@]}" -out="$work/plan.bin" >"$work/plan.log" 2>&1 \
  || { cat "$work/plan.log" >&2; fail "terraform plan"; }
grep -E '^Plan:' "$work/plan.log" || true
# Deprecations and other provider warnings would otherwise hide in the log.
grep -A4 'Warning:' "$work/plan.log" >&2 || true
tf show -json "$work/plan.bin" >"$work/plan.json"

echo "==> IAM policy audit of the plan"
# 4 Lambda/Step Functions roles with their policies + 2 task roles + the task execution policy.
python3 "$repo/terraform/tests/policy_check.py" "$work/plan.json" --min-policies 12 \
  || fail "IAM policy audit"

echo "==> terraform apply"
started=$(now)
tf apply -no-color -auto-approve "$work/plan.bin" >"$work/apply.log" 2>&1 \
  || { tail -n 60 "$work/apply.log" >&2; fail "terraform apply"; }
apply_s=$(since "$started")
resources=$(tf state list | grep -cv -E '(^|\.)data\.')
echo "    applied $resources managed resources in ${apply_s}s"
tf output -json >"$work/outputs.json"

echo "==> checking the resources through the emulator"
"$FLOWC_MOTO_PYTHON" "$repo/terraform/tests/check_local_apply.py" present "$work/outputs.json" "$work/local.tfvars.json" "$packages" \
  || fail "resources after apply"

echo "==> terraform plan -detailed-exitcode (expecting no changes)"
set +e
tf plan -no-color -detailed-exitcode "${vars[@]}" >"$work/replan.log" 2>&1
replan=$?
set -e
[ "$replan" -eq 0 ] || { grep -E '^\s+[~+-]|must be replaced|Plan:|Error' "$work/replan.log" | head -n 60 >&2; \
  fail "re-plan after apply wanted changes or failed (exit $replan)"; }

echo "==> terraform destroy"
started=$(now)
tf destroy -no-color -auto-approve "${vars[@]}" >"$work/destroy.log" 2>&1 \
  || { tail -n 60 "$work/destroy.log" >&2; fail "terraform destroy"; }
destroy_s=$(since "$started")
"$FLOWC_MOTO_PYTHON" "$repo/terraform/tests/check_local_apply.py" absent "$work/outputs.json" "$work/local.tfvars.json" "$packages" \
  || fail "resources after destroy"

# The seed's account already has the registrations table and the registration function:
# create them as it has them, then plan with adopt_existing_registration=true (terraform/adopt.tf).
echo "==> adopting an existing registration table and function (adopt_existing_registration=true)"
export FLOWC_EXISTING_STATE="$work/existing.json"
fixture="$repo/terraform/test-fixtures/existing_registration.py"
"$FLOWC_MOTO_PYTHON" "$fixture" create || fail "creating the existing registration system"
tf plan -no-color "${vars[@]}" -var adopt_existing_registration=true -out="$work/adopt.bin" >"$work/adopt-plan.log" 2>&1 \
  || { cat "$work/adopt-plan.log" >&2; fail "terraform plan (adopting)"; }
grep -E '^Plan:' "$work/adopt-plan.log" || true
tf show -json "$work/adopt.bin" >"$work/adopt.json"
python3 "$fixture" check-plan "$work/adopt.json" || fail "the adopting plan"
started=$(now)
tf apply -no-color -auto-approve "$work/adopt.bin" >"$work/adopt-apply.log" 2>&1 \
  || { tail -n 60 "$work/adopt-apply.log" >&2; fail "terraform apply (adopting)"; }
adopt_s=$(since "$started")
"$FLOWC_MOTO_PYTHON" "$fixture" check-applied || fail "after the adopting apply"
# moto applies two of the in-place updates only partly (MOTO_GAPS in the fixture), so the
# re-plan is checked change by change instead of by -detailed-exitcode.
tf plan -no-color "${vars[@]}" -var adopt_existing_registration=true -out="$work/adopt-replan.bin" >"$work/adopt-replan.log" 2>&1 \
  || { cat "$work/adopt-replan.log" >&2; fail "re-plan after the adopting apply"; }
tf show -json "$work/adopt-replan.bin" >"$work/adopt-replan.json"
python3 "$fixture" check-replan "$work/adopt-replan.json" || fail "re-plan after the adopting apply wanted changes"
tf destroy -no-color -auto-approve "${vars[@]}" -var adopt_existing_registration=true >"$work/adopt-destroy.log" 2>&1 \
  || { tail -n 60 "$work/adopt-destroy.log" >&2; fail "terraform destroy (adopted)"; }
"$FLOWC_MOTO_PYTHON" "$repo/terraform/tests/check_local_apply.py" absent "$work/outputs.json" "$work/local.tfvars.json" "$packages" \
  || fail "resources after destroying the adopted configuration"

echo "tf-local: OK (apply ${apply_s}s, destroy ${destroy_s}s, ${resources} resources, adopting apply ${adopt_s}s, Lambda packages: ${package_kind})"
