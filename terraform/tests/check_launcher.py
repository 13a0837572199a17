#!/usr/bin/env python3
"""Checks the two Step Functions actions scripts/moto_server.py adds to moto.

    check_launcher.py WORKFLOW.asl.json      (AWS_ENDPOINT_URL points at the launcher)

- ValidateStateMachineDefinition answers OK for the workflow (placeholders filled with
  Lambda ARNs) and FAIL, with a diagnostic naming the problem, for the same workflow with a
  dangling transition and for text that is not JSON;
- ListStateMachineVersions answers an empty list.
Without these the provider retries for minutes, and a validator that accepted anything would
make the apply test prove nothing about the definition.
"""

from __future__ import annotations

import json
import os
import re
import sys

import boto3


def main() -> int:
    if len(sys.argv) != 2 or not os.environ.get("AWS_ENDPOINT_URL"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        template = handle.read()
    arn = "arn:aws:lambda:us-east-1:123456789012:function:"
    definition = re.sub(r"\$\{(\w+)\}", lambda m: arn + m.group(1), template)
    try:
        broken = json.loads(definition)
        first = next(iter(broken["States"].values()))
    except (ValueError, KeyError, TypeError, AttributeError, StopIteration) as err:
        print(f"check_launcher: FAILED: {sys.argv[1]} is not an ASL definition: {err!r}")
        return 1
    first["Next"] = "NoSuchState"
    first.pop("End", None)

    sfn = boto3.client("stepfunctions", region_name=os.environ.get("AWS_REGION", "us-east-1"))
    failures = []

    answer = sfn.validate_state_machine_definition(definition=definition, type="STANDARD")
    if answer["result"] != "OK":
        failures.append(f"workflow rejected: {answer['diagnostics']}")
    answer = sfn.validate_state_machine_definition(definition=json.dumps(broken), type="STANDARD")
    if answer["result"] != "FAIL" or "NoSuchState" not in json.dumps(answer["diagnostics"]):
        failures.append(f"dangling transition accepted: {answer}")
    answer = sfn.validate_state_machine_definition(definition="{\"StartAt\": ", type="STANDARD")
    if answer["result"] != "FAIL":
        failures.append(f"truncated JSON accepted: {answer}")
    versions = sfn.list_state_machine_versions(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:none")
    if versions.get("stateMachineVersions") != []:
        failures.append(f"ListStateMachineVersions answered {versions}")

    for failure in failures:
        print(f"check_launcher: {failure}", file=sys.stderr)
    print(f"check_launcher: {'FAILED' if failures else 'OK'}: 4 checks, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
