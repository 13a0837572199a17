#!/usr/bin/env python3
"""Checks, through the emulator's API, that an apply of terraform/ created what it says.

    check_local_apply.py present OUTPUTS.json VARS.tfvars.json PACKAGE_DIR
    check_local_apply.py absent  OUTPUTS.json VARS.tfvars.json PACKAGE_DIR

OUTPUTS.json is `terraform output -json`, VARS the tfvars the apply used, PACKAGE_DIR the folder
of Lambda zips it deployed (each function's CodeSha256 must be its zip's). `present` asserts the
resources exist with the properties the issue asks for (runtime, VPC, environment, tracing,
logging, streams, PITR, SSE, the subdomain index, alarms wired to the topic, the workflow's
Lambda ARNs substituted into the definition); `absent` asserts destroy removed them. Every
failed check is listed; exit 1 when any failed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from typing import Any, Callable

import boto3
from botocore.exceptions import ClientError

# What each function's configuration requires (lambdas/tenant-core/src/config.rs).
REQUIRED_ENVIRONMENT = {
    "tenant-registration":
        "TENANTS_TABLE REGISTRATIONS_TABLE STATE_MACHINE_ARN COGNITO_USER_POOL_ID".split(),
    "tenant-provisioning": (
        "TENANTS_TABLE ECS_CLUSTER_NAME VPC_ID PRIVATE_SUBNET_IDS SECURITY_GROUP_IDS ALB_ARN "
        "ALB_LISTENER_ARN ROUTE53_ZONE_ID DOMAIN_NAME DATABASE_URL DATABASE_SECRET_ARN BACKEND_IMAGE FRONTEND_IMAGE COGNITO_USER_POOL_ID "
        "TASK_EXECUTION_ROLE_ARN TASK_ROLE_ARN TENANT_LOG_GROUP"
    ).split(),
    "tenant-status-checker": "TENANTS_TABLE ECS_CLUSTER_NAME".split(),
}
FUNCTIONS = tuple(REQUIRED_ENVIRONMENT)
ROLES = ("tenant-registration-role", "tenant-provisioning-role", "tenant-status-checker-role",
         "step-functions-role", "tenant-task-execution-role", "tenant-task-role")


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def that(self, ok: bool, what: str) -> None:
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)

    def call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except ClientError as err:
            self.failed.append(f"{what}: {err.response.get('Error', {}).get('Code')}: {err}")
            return None


def output(outputs: dict[str, Any], name: str) -> Any:
    return (outputs.get(name) or {}).get("value")


def zip_sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return base64.b64encode(hashlib.sha256(handle.read()).digest()).decode()


def check_present(s: boto3.session.Session, outputs: dict[str, Any], tfvars: dict[str, Any],
                  packages: str, c: Checks) -> None:
    lam = s.client("lambda")
    logs = s.client("logs")
    for name in FUNCTIONS:
        fn = c.call(f"lambda {name}", lambda: lam.get_function(FunctionName=name))
        if not fn:
            continue
        conf = fn["Configuration"]
        c.that(conf.get("Runtime") == "provided.al2023", f"{name}: runtime {conf.get('Runtime')}")
        c.that(conf.get("Handler") == "bootstrap", f"{name}: handler {conf.get('Handler')}")
        expected = zip_sha256(os.path.join(packages, f"{name}.zip"))
        c.that(conf.get("CodeSha256") == expected,
               f"{name}: deployed code {conf.get('CodeSha256')} is not {name}.zip ({expected})")
        c.that((conf.get("TracingConfig") or {}).get("Mode") == "Active", f"{name}: X-Ray tracing not Active")
        vpc = conf.get("VpcConfig") or {}
        c.that(sorted(vpc.get("SubnetIds") or []) == sorted(tfvars["private_subnet_ids"]),
               f"{name}: VPC subnets {vpc.get('SubnetIds')}")
        c.that(bool(vpc.get("SecurityGroupIds")), f"{name}: no security group")
        env = ((conf.get("Environment") or {}).get("Variables")) or {}
        missing = [k for k in REQUIRED_ENVIRONMENT[name] if not env.get(k)]
        c.that(not missing, f"{name}: environment lacks {missing}")
        if name != "tenant-provisioning":
            c.that("DATABASE_URL" not in env, f"{name}: gets DATABASE_URL, which it never reads")
        groups = c.call(f"log group of {name}", lambda: logs.describe_log_groups(
            logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"])
        c.that(bool(groups) and all(g.get("retentionInDays") for g in groups),
               f"{name}: log group missing or without retention")

    registration = c.call("registration environment", lambda: lam.get_function_configuration(
        FunctionName="tenant-registration"))
    registration_env = ((registration or {}).get("Environment") or {}).get("Variables") or {}
    c.that(registration_env.get("STATE_MACHINE_ARN") == output(outputs, "step_function_arn"),
           f"STATE_MACHINE_ARN {registration_env.get('STATE_MACHINE_ARN')} is not the state machine")

    sfn = s.client("stepfunctions")
    arn = output(outputs, "step_function_arn")
    machine = c.call("state machine", lambda: sfn.describe_state_machine(stateMachineArn=arn))
    if machine:
        definition = machine["definition"]
        c.that("${" not in definition, "definition still holds a ${...} placeholder")
        for key in ("provisioning_lambda_arn", "status_checker_lambda_arn"):
            c.that(output(outputs, key) in definition, f"definition does not call {key}")
        parsed = json.loads(definition)
        c.that(isinstance(parsed.get("States"), dict) and parsed.get("StartAt") in parsed["States"],
               "definition has no StartAt/States")
        logging = machine.get("loggingConfiguration") or {}
        c.that(logging.get("level") == "ALL", f"state machine logging level {logging.get('level')}")
        c.that(logging.get("includeExecutionData") is True, "state machine logs omit execution data")
        c.that((machine.get("tracingConfiguration") or {}).get("enabled") is True,
               "state machine X-Ray tracing off")

    deprovisioning = c.call("deprovisioning state machine", lambda: sfn.describe_state_machine(
        stateMachineArn=output(outputs, "deprovisioning_step_function_arn")))
    if deprovisioning:
        definition = deprovisioning["definition"]
        c.that("${" not in definition, "deprovisioning definition still holds a ${...} placeholder")
        c.that(output(outputs, "provisioning_lambda_arn") in definition,
               "deprovisioning definition does not call the provisioning Lambda")
        c.that((deprovisioning.get("loggingConfiguration") or {}).get("level") == "ALL",
               "deprovisioning state machine logging level is not ALL")

    ddb = s.client("dynamodb")
    table = c.call("tenants table", lambda: ddb.describe_table(
        TableName=output(outputs, "tenants_table_name"))["Table"])
    if table:
        stream = table.get("StreamSpecification") or {}
        c.that(stream.get("StreamEnabled") is True and stream.get("StreamViewType") == "NEW_AND_OLD_IMAGES",
               f"tenants stream {stream}")
        c.that(any(i["IndexName"] == "subdomain-index" for i in table.get("GlobalSecondaryIndexes") or []),
               "tenants table lacks subdomain-index")
        c.that((table.get("SSEDescription") or {}).get("Status") == "ENABLED",
               f"tenants SSE {table.get('SSEDescription')}")
        pitr = c.call("tenants PITR", lambda: ddb.describe_continuous_backups(
            TableName=table["TableName"]))
        status = (((pitr or {}).get("ContinuousBackupsDescription") or {})
                  .get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
        c.that(status == "ENABLED", f"tenants PITR {status}")
    c.call("registrations table", lambda: ddb.describe_table(
        TableName=output(outputs, "registrations_table_name")))

    iam = s.client("iam")
    for role in ROLES:
        c.call(f"role {role}", lambda: iam.get_role(RoleName=role))

    topic = output(outputs, "alarm_topic_arn")
    c.call("alarm topic", lambda: s.client("sns").get_topic_attributes(TopicArn=topic))
    alarms = s.client("cloudwatch").describe_alarms()["MetricAlarms"]
    wired = [a for a in alarms if topic in (a.get("AlarmActions") or [])]
    # An errors alarm is metric math over Errors and Invocations (monitoring.tf): named by the
    # metrics its queries read.
    metrics = sorted(
        f"{a['Namespace']}/{a['MetricName']}" if a.get("MetricName") else
        "math:" + "+".join(sorted(q["MetricStat"]["Metric"]["MetricName"]
                                  for q in a.get("Metrics", []) if "MetricStat" in q))
        for a in wired)
    c.that(metrics.count("math:Errors+Invocations") == 3 and metrics.count("AWS/Lambda/Throttles") == 3,
           f"Lambda alarms on the topic: {metrics}")
    c.that("AWS/States/ExecutionsFailed" in metrics and "AWS/States/ExecutionsTimedOut" in metrics,
           f"state machine alarms on the topic: {metrics}")


def check_absent(s: boto3.session.Session, outputs: dict[str, Any], c: Checks) -> None:
    lam = s.client("lambda")
    left = [f["FunctionName"] for f in lam.list_functions()["Functions"] if f["FunctionName"] in FUNCTIONS]
    c.that(not left, f"functions left after destroy: {left}")
    machines = s.client("stepfunctions").list_state_machines()["stateMachines"]
    for key in ("step_function_arn", "deprovisioning_step_function_arn"):
        c.that(not any(m["stateMachineArn"] == output(outputs, key) for m in machines),
               f"state machine {key} left after destroy")
    tables = s.client("dynamodb").list_tables()["TableNames"]
    for key in ("tenants_table_name", "registrations_table_name"):
        c.that(output(outputs, key) not in tables, f"table {output(outputs, key)} left after destroy")
    roles = {r["RoleName"] for r in s.client("iam").list_roles()["Roles"]}
    c.that(not roles & set(ROLES), f"roles left after destroy: {sorted(roles & set(ROLES))}")


def main() -> int:
    if len(sys.argv) != 5 or sys.argv[1] not in ("present", "absent"):
        print(__doc__, file=sys.stderr)
        return 2
    if not os.environ.get("AWS_ENDPOINT_URL"):
        print("check_local_apply: AWS_ENDPOINT_URL is unset", file=sys.stderr)
        return 2
    with open(sys.argv[2], encoding="utf-8") as handle:
        outputs = json.load(handle)
    with open(sys.argv[3], encoding="utf-8") as handle:
        tfvars = json.load(handle)
    session = boto3.session.Session(region_name=tfvars["aws_region"])
    checks = Checks()
    if sys.argv[1] == "present":
        check_present(session, outputs, tfvars, sys.argv[4], checks)
    else:
        check_absent(session, outputs, checks)
    for failure in checks.failed:
        print(f"check_local_apply: {failure}", file=sys.stderr)
    verdict = "FAILED" if checks.failed else "OK"
    print(f"check_local_apply {sys.argv[1]}: {verdict}: {checks.passed} passed, {len(checks.failed)} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
