#!/usr/bin/env python3
"""Audits every IAM policy in a Terraform plan (`terraform show -json PLAN`).

    policy_check.py PLAN.json [--exceptions FILE] [--min-policies N]
    policy_check.py --self-test

Fails (exit 1) when an Allow statement:
- allows Action "*" or a whole service ("iam:*"), or uses NotAction;
- uses NotResource, or Resource "*" with an action not in the documented exceptions
  (policy_exceptions.json beside this script: actions AWS authorises only against "*").
- allows an action in CONDITIONED_ACTIONS without the condition keys listed there (for
  route53:ChangeResourceRecordSets: the record names and types, or the role can rewrite every
  record of the zone).
It also fails when a policy is unknown at plan time (it could not be audited) or when fewer
than --min-policies policies were found (so a plan that lost its roles cannot pass vacuously).
Policies are read from every resource attribute named policy or assume_role_policy and from
aws_iam_role inline_policy blocks, in the root module and every child module.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterator

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY_ATTRIBUTES = ("policy", "assume_role_policy")
# Actions whose resource is too coarse to scope them: an Allow must also name these condition keys.
CONDITIONED_ACTIONS = {
    "route53:ChangeResourceRecordSets": (
        "route53:ChangeResourceRecordSetsNormalizedRecordNames",
        "route53:ChangeResourceRecordSetsRecordTypes",
    ),
}


@dataclass
class Report:
    checked: int = 0
    problems: list[str] = field(default_factory=list)


def resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from resources(child)


def configured_attributes(plan: dict[str, Any]) -> dict[str, set[str]]:
    """Resource address (without instance keys) -> attributes the configuration sets."""
    found: dict[str, set[str]] = {}

    def walk(module: dict[str, Any], prefix: str) -> None:
        for resource in module.get("resources", []):
            found[prefix + resource.get("address", "")] = set(resource.get("expressions") or {})
        for name, call in (module.get("module_calls") or {}).items():
            walk(call.get("module") or {}, f"{prefix}module.{name}.")

    walk((plan.get("configuration") or {}).get("root_module") or {}, "")
    return found


def without_instance_keys(address: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", address)


def unknown_policies(plan: dict[str, Any]) -> Iterator[str]:
    configured = configured_attributes(plan)
    for change in plan.get("resource_changes", []):
        address = str(change.get("address"))
        # A policy the configuration does not set (an SNS topic's default access policy, for
        # example) is AWS's default, computed by the service: nothing of ours to audit.
        sets = configured.get(without_instance_keys(address))
        after_unknown = (change.get("change") or {}).get("after_unknown") or {}
        actions = (change.get("change") or {}).get("actions") or []
        if "delete" in actions and "create" not in actions:
            continue
        for attribute in POLICY_ATTRIBUTES:
            if after_unknown.get(attribute) is True and (sets is None or attribute in sets):
                yield f"{address}.{attribute}"
        # aws_iam_role reports its whole inline_policy list unknown when the configuration sets
        # none (it is read back from the inline policies aws_iam_role_policy attaches, which are
        # audited as resources of their own); only a configured block's unknown policy counts.
        blocks = after_unknown.get("inline_policy")
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            if isinstance(block, dict) and block.get("policy") is True:
                yield f"{address}.inline_policy[{i}].policy"


def policies(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    root = (plan.get("planned_values") or {}).get("root_module") or {}
    for resource in resources(root):
        values = resource.get("values") or {}
        address = resource.get("address", "?")
        for attribute in POLICY_ATTRIBUTES:
            text = values.get(attribute)
            if isinstance(text, str) and text.strip():
                yield f"{address}.{attribute}", text
        for i, block in enumerate(values.get("inline_policy") or []):
            text = block.get("policy") if isinstance(block, dict) else None
            if isinstance(text, str) and text.strip():
                yield f"{address}.inline_policy[{i}].policy", text


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_statement(where: str, statement: Any, exceptions: set[str], report: Report) -> None:
    if not isinstance(statement, dict):
        report.problems.append(f"{where}: statement is not an object")
        return
    if statement.get("Effect") != "Allow":
        return
    if "NotAction" in statement:
        report.problems.append(f"{where}: Allow with NotAction allows every other action")
    if "NotResource" in statement:
        report.problems.append(f"{where}: Allow with NotResource allows every other resource")
    actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
    for action in actions:
        if action == "*" or action.endswith(":*"):
            report.problems.append(f"{where}: allows Action {action!r}")
    conditions = statement.get("Condition") if isinstance(statement.get("Condition"), dict) else {}
    keys = {key for block in conditions.values() if isinstance(block, dict) for key in block}
    for action in actions:
        missing = [key for key in CONDITIONED_ACTIONS.get(action, ()) if key not in keys]
        if missing:
            report.problems.append(f"{where}: allows {action} without conditions on {', '.join(missing)}")
    resources_ = as_list(statement.get("Resource"))
    if "*" in resources_:
        unlisted = sorted(a for a in actions if a not in exceptions)
        if unlisted:
            report.problems.append(
                f"{where}: Resource \"*\" for {', '.join(unlisted)}, "
                "which are not documented exceptions (scope the resource, or add the action to "
                "policy_exceptions.json with the reason AWS requires \"*\")"
            )


def check_plan(plan: dict[str, Any], exceptions: set[str], min_policies: int) -> Report:
    report = Report()
    for address in unknown_policies(plan):
        report.problems.append(f"{address}: unknown until apply, so it cannot be audited "
                               "(build its ARNs from names known at plan time)")
    for address, text in policies(plan):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as err:
            report.problems.append(f"{address}: not JSON ({err.msg})")
            continue
        report.checked += 1
        statements = as_list(document.get("Statement") if isinstance(document, dict) else None)
        for i, statement in enumerate(statements):
            sid = statement.get("Sid") if isinstance(statement, dict) else None
            label = f"{address} statement {sid or i}"
            check_statement(label, statement, exceptions, report)
    if report.checked < min_policies:
        report.problems.append(f"found {report.checked} policies, expected at least {min_policies}")
    return report


def load_exceptions(path: str) -> set[str]:
    with open(path, encoding="utf-8") as handle:
        return set(json.load(handle)["actions"])


def synthetic_plan(*statements: dict[str, Any], unknown: bool = False,
                   configured: bool = True) -> dict[str, Any]:
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    values = {"name": "p", "policy": None if unknown else policy}
    expressions = {"name": {}, "policy": {}} if configured else {"name": {}}
    return {
        "configuration": {"root_module": {"module_calls": {"m": {"module": {"resources": [
            {"address": "aws_iam_role_policy.p", "expressions": expressions}]}}}}},
        "planned_values": {"root_module": {"child_modules": [{"resources": [
            {"address": "module.m.aws_iam_role_policy.p", "values": values}]}]}},
        "resource_changes": [{"address": "module.m.aws_iam_role_policy.p", "change": {
            "actions": ["create"], "after_unknown": {"policy": unknown}}}],
    }


def self_test(exceptions: set[str]) -> int:
    scoped = {"Effect": "Allow", "Action": "dynamodb:GetItem",
              "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/tenants"}
    documented = {"Effect": "Allow", "Action": ["xray:PutTraceSegments"], "Resource": "*"}
    dns = {"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets",
           "Resource": "arn:aws:route53:::hostedzone/Z123"}
    cases = [
        ("scoped statement passes", synthetic_plan(scoped), None),
        ("documented Resource * exception passes", synthetic_plan(documented), None),
        ("Deny with * passes", synthetic_plan({"Effect": "Deny", "Action": "*", "Resource": "*"}), None),
        ("Action * fails", synthetic_plan(dict(scoped, Action="*")), "allows Action '*'"),
        ("service wildcard fails", synthetic_plan(dict(scoped, Action=["iam:*"])), "allows Action 'iam:*'"),
        ("unscoped Resource * fails",
         synthetic_plan(dict(scoped, Action=["xray:PutTraceSegments", "s3:GetObject"], Resource=["*"])),
         "s3:GetObject, which are not documented"),
        ("NotAction fails", synthetic_plan({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
         "NotAction"),
        ("unknown policy fails", synthetic_plan(scoped, unknown=True), "unknown until apply"),
        ("unknown policy the configuration does not set is skipped",
         synthetic_plan(scoped, unknown=True, configured=False), "!unknown until apply"),
        ("empty plan fails", {"planned_values": {"root_module": {}}}, "found 0 policies"),
        ("zone-wide DNS changes fail",
         synthetic_plan(dict(dns, Condition={"ForAllValues:StringEquals": {
             "route53:ChangeResourceRecordSetsRecordTypes": ["A"]}})),
         "without conditions on route53:ChangeResourceRecordSetsNormalizedRecordNames"),
        ("DNS changes scoped by name and type pass", synthetic_plan(dict(dns, Condition={
            "ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["A"]},
            "ForAllValues:StringLike": {
                "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["*.example.com"]}})), None),
    ]
    failures = 0
    for name, plan, expected in cases:
        report = check_plan(plan, exceptions, min_policies=1)
        joined = "\n".join(report.problems)
        # None: no problems; "!text": text must not appear; otherwise text must appear.
        if expected is None:
            ok = not report.problems
        elif expected.startswith("!"):
            ok = expected[1:] not in joined
        else:
            ok = expected in joined
        failures += not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": got {report.problems}"))
    print(f"policy_check self-test: {len(cases) - failures} passed, {failures} failed")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Audit the IAM policies in a Terraform plan.")
    parser.add_argument("plan", nargs="?", help="output of `terraform show -json PLAN`")
    parser.add_argument("--exceptions", default=os.path.join(HERE, "policy_exceptions.json"))
    parser.add_argument("--min-policies", type=int, default=1)
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    exceptions = load_exceptions(args.exceptions)
    if args.self_test:
        return self_test(exceptions)
    if not args.plan:
        parser.error("PLAN.json is required unless --self-test")
    with open(args.plan, encoding="utf-8") as handle:
        plan = json.load(handle)
    report = check_plan(plan, exceptions, args.min_policies)
    for problem in report.problems:
        print(f"policy_check: {problem}", file=sys.stderr)
    if report.problems:
        print(f"policy_check: FAILED: {len(report.problems)} problem(s) in {report.checked} policies")
        return 1
    print(f"policy_check: OK: {report.checked} policies, no Action \"*\", "
          "Resource \"*\" only for documented exceptions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
