#!/usr/bin/env python3
"""The seed's existing registration system in a local AWS emulator, and checks of its adoption.

    existing_registration.py create      # before the plan
    existing_registration.py check-plan PLAN.json
    existing_registration.py check-applied
    existing_registration.py check-replan PLAN.json

The seed's account already has the `tenant-registrations` table and the `tenant-registration`
function ("existing"); terraform/adopt.tf imports them when adopt_existing_registration is true.
`create` makes them as such an account would have them, against moto's server
(AWS_ENDPOINT_URL): the table keyed by tenant_id with one registration in it and none of the
settings this configuration adds (no point-in-time recovery, no deletion protection), a Python
function with its own role, and the function's log group. `check-plan` asserts the plan
(`terraform show -json`) imports all three and destroys or replaces nothing anywhere;
`check-applied` asserts, after apply, that the registration is still there and that the function
(same ARN) now runs this configuration's code and role. `check-replan` asserts the plan after that
apply changes nothing but what moto 5.2.5 does not apply in place (MOTO_GAPS).
"""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile

REGION = os.environ.get("AWS_REGION", "us-east-1")
TABLE = "tenant-registrations"
FUNCTION = "tenant-registration"
LOG_GROUP = f"/aws/lambda/{FUNCTION}"
ITEM_ID = "registered-before-terraform"
ADOPTED = {
    "aws_dynamodb_table.tenant_registrations",
    "aws_lambda_function.tenant_registration",
    'aws_cloudwatch_log_group.lambda["registration"]',
}


# What moto 5.2.5 ignores when updating an existing resource, so the re-plan after adopting still
# wants it (AWS applies both): UpdateTable's SSESpecification (moto's update_table takes no such
# argument) and UpdateFunctionConfiguration's TracingConfig (moto's update_configuration has no
# case for it). A created table or function gets both at creation, which moto does keep.
MOTO_GAPS = {
    "aws_dynamodb_table.tenant_registrations": "server_side_encryption",
    "aws_lambda_function.tenant_registration": "tracing_config",
}


def session():
    import boto3

    if not os.environ.get("AWS_ENDPOINT_URL"):
        sys.exit("existing_registration: AWS_ENDPOINT_URL is unset; refusing to touch a real account")
    return boto3.session.Session(region_name=REGION)


def create() -> int:
    s = session()
    dynamodb = s.client("dynamodb")
    dynamodb.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "tenant_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "tenant_id", "AttributeType": "S"}])
    dynamodb.put_item(TableName=TABLE, Item={"tenant_id": {"S": ITEM_ID}, "email": {"S": "first@example.com"}})
    role = s.client("iam").create_role(
        RoleName="legacy-registration-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return {'legacy': True}\n")
    function = s.client("lambda").create_function(
        FunctionName=FUNCTION, Runtime="python3.12", Role=role, Handler="index.handler",
        Code={"ZipFile": code.getvalue()})
    s.client("logs").create_log_group(logGroupName=LOG_GROUP)
    with open(os.environ.get("FLOWC_EXISTING_STATE", "/dev/null"), "w", encoding="utf-8") as out:
        json.dump({"function_arn": function["FunctionArn"]}, out)
    print(f"existing_registration: table {TABLE} (1 item), function {FUNCTION} (python3.12), log group {LOG_GROUP}")
    return 0


def check_plan(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        plan = json.load(handle)
    failed = []
    imported = set()
    for change in plan.get("resource_changes", []):
        address, actions = change["address"], change["change"]["actions"]
        if "delete" in actions:
            failed.append(f"{address}: plan would {'replace' if 'create' in actions else 'destroy'} it")
        if change["change"].get("importing"):
            imported.add(address)
            if "create" in actions:
                failed.append(f"{address}: imported and created")
        elif address in ADOPTED:
            failed.append(f"{address}: not imported (actions {actions})")
    for address in sorted(ADOPTED - imported):
        failed.append(f"{address}: missing from the plan's imports")
    for line in failed:
        print(f"  FAIL {line}", file=sys.stderr)
    if not failed:
        print(f"existing_registration: the plan imports {len(imported)} resources "
              f"({', '.join(sorted(imported))}) and destroys or replaces nothing")
    return 1 if failed else 0


def check_applied() -> int:
    s = session()
    failed = []
    item = s.client("dynamodb").get_item(TableName=TABLE, Key={"tenant_id": {"S": ITEM_ID}}).get("Item")
    if not item or item.get("email", {}).get("S") != "first@example.com":
        failed.append(f"the registration {ITEM_ID} was lost: {item}")
    config = s.client("lambda").get_function_configuration(FunctionName=FUNCTION)
    with open(os.environ.get("FLOWC_EXISTING_STATE", "/dev/null"), encoding="utf-8") as handle:
        before = json.load(handle)["function_arn"]
    if config["FunctionArn"] != before:
        failed.append(f"the function was replaced: {before} -> {config['FunctionArn']}")
    if config.get("Runtime") != "provided.al2023" or not config["Role"].endswith("/tenant-registration-role"):
        failed.append(f"the function was not updated: runtime {config.get('Runtime')}, role {config['Role']}")
    for line in failed:
        print(f"  FAIL {line}", file=sys.stderr)
    if not failed:
        print("existing_registration: after apply the registration is kept and the function "
              "(same ARN) runs provided.al2023 with tenant-registration-role")
    return 1 if failed else 0


def check_replan(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        plan = json.load(handle)
    failed, tolerated = [], []
    for change in plan.get("resource_changes", []):
        address, actions = change["address"], change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        gap = MOTO_GAPS.get(address)
        before = dict(change["change"].get("before") or {})
        after = dict(change["change"].get("after") or {})
        if actions == ["update"] and gap and before.pop(gap, None) != after.pop(gap, None) and before == after:
            tolerated.append(f"{address}.{gap}")
        else:
            failed.append(f"{address}: {actions}")
    for line in failed:
        print(f"  FAIL re-plan wants {line}", file=sys.stderr)
    if not failed:
        print("existing_registration: the re-plan changes nothing"
              + (f" but what moto does not apply in place ({', '.join(tolerated)})" if tolerated else ""))
    return 1 if failed else 0


def main() -> int:
    command = sys.argv[1:2]
    if command == ["create"] and len(sys.argv) == 2:
        return create()
    if command == ["check-plan"] and len(sys.argv) == 3:
        return check_plan(sys.argv[2])
    if command == ["check-replan"] and len(sys.argv) == 3:
        return check_replan(sys.argv[2])
    if command == ["check-applied"] and len(sys.argv) == 2:
        return check_applied()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
