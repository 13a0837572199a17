#!/usr/bin/env python3
"""Runs the ASL conformance corpus through moto's Step Functions, and tabulates flowc vs moto.

    $FLOWC_MOTO_PYTHON scripts/conformance_moto.py run --endpoint URL --cases DIR --results DIR
    python3 scripts/conformance_moto.py table --cases DIR --flowc FLOWC.json --moto MOTO.json

`run` executes every case file under --cases in a moto server (scripts/moto_server.py) whose
state-machine execution is switched on, and writes one run-case result object per case under
--results (same relative path): `{"status", "output" | "error", "cause", "history"}`, the
contract of conformance/asl/README.md. Where moto could not run a case, the file holds a JSON
string ("error: ..."), which `flowc conformance --results` scores as a failure naming it. This
script never compares anything: `flowc conformance --results DIR --json-out F` scores the
results with the corpus's comparison rules (simulator/src/conformance/compare.rs), so there is
one copy of the rules.

`table` reads the per-case verdicts `flowc conformance --json-out` wrote for each engine and
prints the per-tag table, side by side, as markdown, then the cases moto passes and flowc fails.

How moto is fed (moto 5.2.5): state machines execute only with the `stepfunctions:
execute_state_machine` config switched on (POST /moto-api/config). Task states call moto's own
service backends. moto ships no way to replay recorded Task results: its parser carries
LocalStack's mock-config code, but `load_mock_test_case_for` always returns None. The one
supported lever is Lambda's docker-less backend (config `lambda: use_docker false`), which
answers every Invoke from a queue of payloads (POST /moto-api/static/lambda-simple/response),
echoing the request when the queue is empty. So:
- a case that recorded a successful Lambda result runs on that backend, its successful payloads
  queued in the order AWS's history took them (a recorded Lambda failure cannot be fed: that
  backend always succeeds);
- any other case runs on moto's default Lambda backend, in which no function exists (invoking
  one would need docker, which this machine lacks), so an Invoke fails with
  ResourceNotFoundException;
- other service integrations (DynamoDB, SQS, SNS, EventBridge, S3, ...) call moto's backends,
  in which the recorded resources do not exist.
Executions run on moto's wall clock: Wait states, Retry intervals and timeouts take real time.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

LAMBDA_SUCCESS_EVENTS = {"LambdaFunctionSucceeded", "TaskSucceeded"}
SCHEDULED_EVENTS = {"LambdaFunctionScheduled", "TaskScheduled"}
STATUSES = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
TERMINAL_EVENTS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}


def case_files(cases: Path) -> list[Path]:
    """Every *.json under `cases` whose name does not start with `_`, sorted (as flowc reads
    a corpus)."""
    return sorted(p for p in cases.rglob("*.json") if not p.name.startswith("_"))


# ---------------------------------------------------------------------------------------------
# run


def is_lambda(mock: dict[str, Any]) -> bool:
    return mock.get("kind") == "lambda" or mock.get("resourceType") == "lambda"


def lambda_payloads(case: dict[str, Any]) -> list[str] | None:
    """The successful Lambda results to queue, in the order the execution takes them, or None
    when the case recorded none. Each Task state's list is in its own history order; across
    states, AWS's recorded history (when there is one) says which state scheduled each call."""
    mocks: dict[str, list[dict[str, Any]]] = case.get("mocks") or {}
    per_state = {s: [m for m in ms if is_lambda(m)] for s, ms in mocks.items()}
    per_state = {s: ms for s, ms in per_state.items() if ms}
    if not any(m.get("event") in LAMBDA_SUCCESS_EVENTS for ms in per_state.values() for m in ms):
        return None
    ordered: list[dict[str, Any]] = []
    history = (case.get("expected") or {}).get("history")
    if len(per_state) > 1 and history:
        queues = {s: collections.deque(ms) for s, ms in per_state.items()}
        current = None
        for event, name in history:
            if event == "TaskStateEntered":
                current = name
            elif event in SCHEDULED_EVENTS and current in queues and queues[current]:
                ordered.append(queues[current].popleft())
        ordered.extend(m for q in queues.values() for m in q)
    else:
        ordered = [m for ms in per_state.values() for m in ms]
    payloads = []
    for mock in ordered:
        if mock.get("event") not in LAMBDA_SUCCESS_EVENTS:
            continue
        output = mock.get("output")
        # `lambda:invoke` records the whole Invoke response; moto builds that itself around
        # the payload. A direct Lambda ARN records the payload.
        if mock.get("resourceType") == "lambda" and isinstance(output, dict):
            output = output.get("Payload")
        # A Lambda's payload is JSON text: a recorded "HelloWorld" was the text "\"HelloWorld\"".
        payloads.append(json.dumps(output))
    return payloads


class Moto:
    """moto's server at `endpoint`: its Step Functions API (boto3) and its /moto-api."""

    def __init__(self, endpoint: str, account: str) -> None:
        import boto3
        from botocore.config import Config

        self.endpoint = endpoint.rstrip("/")
        self.account = account
        # No "sync-" host prefix (StartSyncExecution): the endpoint is a loopback address.
        config = Config(retries={"max_attempts": 1}, read_timeout=300, inject_host_prefix=False)
        self.clients: dict[str, Any] = {}
        self.make_client = lambda region: boto3.client(
            "stepfunctions",
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="ak",
            aws_secret_access_key="sk",
            config=config,
        )

    def sfn(self, region: str) -> Any:
        if region not in self.clients:
            self.clients[region] = self.make_client(region)
        return self.clients[region]

    def api(self, path: str, body: dict[str, Any]) -> bytes:
        request = urllib.request.Request(
            self.endpoint + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.read()

    def prepare(self, payloads: list[str] | None, region: str) -> None:
        """A fresh moto (every backend reset) configured for one case."""
        self.api("/moto-api/reset", {})
        self.api(
            "/moto-api/config",
            {
                "stepfunctions": {"execute_state_machine": True},
                "lambda": {"use_docker": payloads is None},
            },
        )
        if payloads:
            self.api(
                "/moto-api/static/lambda-simple/response",
                {"results": payloads, "region": region, "account_id": self.account},
            )


def history_pairs(events: list[dict[str, Any]]) -> list[list[Any]]:
    """moto's events as the contract's [type, state name or null] pairs."""
    pairs = []
    for event in events:
        name = None
        for key in ("stateEnteredEventDetails", "stateExitedEventDetails"):
            if key in event:
                name = event[key].get("name")
        pairs.append([event["type"], name])
    return pairs


def failure_of(description: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """Error and cause of a failed execution: DescribeExecution's, else the last event's."""
    error, cause = description.get("error"), description.get("cause")
    if error is None and cause is None and events:
        for value in events[-1].values():
            if isinstance(value, dict) and ("error" in value or "cause" in value):
                error, cause = value.get("error"), value.get("cause")
    return {"error": error, "cause": cause}


def run_case(moto: Moto, case: dict[str, Any], deadline: float) -> Any:
    """One case through moto: the result object, or a string naming why moto could not run it."""
    ctx = case.get("context") or {}
    region = ctx.get("region", "us-east-1")
    payloads = lambda_payloads(case)
    moto.prepare(payloads, region)
    sfn = moto.sfn(region)
    kind = ctx.get("state_machine_type", "STANDARD")
    try:
        machine = sfn.create_state_machine(
            name=ctx.get("state_machine_name", "conformance"),
            definition=json.dumps(case["definition"]),
            roleArn=ctx.get("role_arn", f"arn:aws:iam::{moto.account}:role/conformance"),
            type=kind,
        )
    except Exception as err:  # noqa: BLE001 - any refusal is the case's result
        return f"error: moto refused the definition (CreateStateMachine): {api_error(err)}"
    start = {
        "stateMachineArn": machine["stateMachineArn"],
        "name": ctx.get("execution_name", "conformance-exec"),
        "input": json.dumps(case.get("input")),
    }
    if "express-sync" in case.get("features", []):
        try:
            answer = sfn.start_sync_execution(**start)
        except Exception as err:  # noqa: BLE001
            return f"error: moto could not run the execution (StartSyncExecution): {api_error(err)}"
        return result_object(answer, [], with_history=False)
    try:
        arn = sfn.start_execution(**start)["executionArn"]
    except Exception as err:  # noqa: BLE001
        return f"error: moto could not start the execution (StartExecution): {api_error(err)}"
    until = time.monotonic() + deadline
    while True:
        # moto 5.2.5's DescribeExecution fails (HTTP 500) on an output holding a timestamp (the
        # context object's StartTime, for one); the history still has the execution's end.
        try:
            description = sfn.describe_execution(executionArn=arn)
        except Exception:  # noqa: BLE001
            description = None
        events = execution_history(sfn, arn)
        done = description is not None and description["status"] != "RUNNING"
        if done or (events and events[-1]["type"] in TERMINAL_EVENTS):
            break
        if time.monotonic() > until:
            sfn.stop_execution(executionArn=arn)
            return f"error: moto's execution was still RUNNING after {deadline:g} s (stopped)"
        time.sleep(0.05)
    if description is None or description["status"] == "RUNNING":
        description = description_from(events[-1])
    return result_object(description, events, with_history=True)


def execution_history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token = None
    while True:
        page = sfn.get_execution_history(
            executionArn=arn, maxResults=1000, **({"nextToken": token} if token else {})
        )
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events


def description_from(event: dict[str, Any]) -> dict[str, Any]:
    """DescribeExecution's fields from the history's last event."""
    status = TERMINAL_EVENTS[event["type"]]
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
    return {"status": status, **details}


def api_error(err: Exception) -> str:
    """A failed API call in one line: moto's error code and message, or for an internal error
    (an HTML page), that it was one."""
    response = getattr(err, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        error = response.get("Error", {})
        if status == 500 and str(error.get("Message", "")).lstrip().startswith("<"):
            return "HTTP 500: moto raised an exception (NotImplementedError, TypeError, ...)"
        return f"{error.get('Code')}: {error.get('Message')}"
    return f"{type(err).__name__}: {err}"


def result_object(description: dict[str, Any], events: list[dict[str, Any]],
                  with_history: bool) -> Any:
    status = description.get("status")
    if status not in STATUSES:
        return f"error: moto ended the execution with status {status!r}"
    result: dict[str, Any] = {"status": status}
    if status == "SUCCEEDED":
        text = description.get("output")
        try:
            result["output"] = json.loads(text) if text is not None else None
        except json.JSONDecodeError:
            # moto 5.2.5's DescribeExecution returns a string output unquoted; the history's
            # ExecutionSucceeded event holds it as JSON.
            ended = bool(events) and events[-1]["type"] in TERMINAL_EVENTS
            last = description_from(events[-1]) if ended else {}
            try:
                result["output"] = json.loads(last.get("output"))
            except (TypeError, json.JSONDecodeError):
                return f"error: moto's output is not JSON: {text[:200]!r}"
    else:
        result.update(failure_of(description, events))
    if with_history:
        result["history"] = history_pairs(events)
    return result


def command_run(args: argparse.Namespace) -> int:
    files = case_files(args.cases)
    if not files:
        print(f"conformance_moto: no case files under {args.cases}", file=sys.stderr)
        return 1
    from botocore.exceptions import EndpointConnectionError

    moto = Moto(args.endpoint, args.account)
    started = time.monotonic()
    for i, path in enumerate(files, 1):
        case = json.loads(path.read_text(encoding="utf-8"))
        try:
            result = run_case(moto, case, args.deadline)
        except (urllib.error.URLError, EndpointConnectionError):
            raise  # the server is gone or its /moto-api failed: the run is void, not the case
        except Exception as err:  # noqa: BLE001 - moto failing on a case is that case's result
            result = f"error: moto failed: {api_error(err)}"
        out = args.results / path.relative_to(args.cases)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result) + "\n", encoding="utf-8")
        if i % 25 == 0 or i == len(files):
            print(f"conformance_moto: {i}/{len(files)} cases run "
                  f"({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    return 0


# ---------------------------------------------------------------------------------------------
# table


def verdicts(path: Path) -> dict[str, dict[str, Any]]:
    return {v["id"]: v for v in json.loads(path.read_text(encoding="utf-8"))}


def command_table(args: argparse.Namespace) -> int:
    features = {}
    for path in case_files(args.cases):
        case = json.loads(path.read_text(encoding="utf-8"))
        features[case["id"]] = case.get("features", [])
    flowc, moto = verdicts(args.flowc), verdicts(args.moto)
    for name, got in (("flowc", flowc), ("moto", moto)):
        if set(got) != set(features):
            print(f"conformance_moto: {name}'s verdicts do not cover the corpus's cases "
                  f"({len(got)} verdicts, {len(features)} cases)", file=sys.stderr)
            return 1
    rows: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])  # total, flowc, moto
    for case_id, tags in features.items():
        for tag in ["ALL", *tags]:
            row = rows[tag]
            row[0] += 1
            row[1] += flowc[case_id]["pass"]
            row[2] += moto[case_id]["pass"]

    def rate(passed: int, total: int) -> str:
        return f"{100 * passed / total:.1f}%"

    order = sorted(rows.items(), key=lambda kv: (kv[0] != "ALL", -kv[1][0], kv[0]))
    lines = [
        f"| tag | cases | flowc | flowc rate | moto {args.moto_version} | moto rate | ahead |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for tag, (total, f, m) in order:
        ahead = "flowc" if f > m else "moto" if m > f else "="
        label = "**all cases**" if tag == "ALL" else f"`{tag}`"
        lines.append(f"| {label} | {total} | {f} | {rate(f, total)} | {m} | {rate(m, total)} "
                     f"| {ahead} |")
    moto_only = [i for i in features if moto[i]["pass"] and not flowc[i]["pass"]]
    flowc_only = [i for i in features if flowc[i]["pass"] and not moto[i]["pass"]]
    lines.append("")
    lines.append(f"Cases flowc passes and moto fails: {len(flowc_only)}. "
                 f"Cases moto passes and flowc fails: {len(moto_only)}.")
    for case_id in moto_only:
        lines.append(f"- `{case_id}` ({', '.join(features[case_id])}): flowc: "
                     f"{flowc[case_id].get('why')}")
    if args.moto_failures:
        lines.append("")
        lines.append("moto's failures, by first difference:")
        reasons = collections.Counter(
            short_reason(moto[i].get("why") or "") for i in features if not moto[i]["pass"])
        for reason, count in reasons.most_common():
            lines.append(f"- {count} × {reason}")
    print("\n".join(lines))
    return 0


def short_reason(why: str) -> str:
    """A failure reason with the case-specific detail cut, to group moto's failures."""
    for marker in (": expected", " (", ": An error occurred"):
        if marker in why:
            why = why.split(marker)[0]
    return why[:120]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run every case through moto's server")
    run.add_argument("--endpoint", required=True, help="moto server URL, http://127.0.0.1:PORT")
    run.add_argument("--cases", type=Path, required=True)
    run.add_argument("--results", type=Path, required=True)
    run.add_argument("--account", default="111111111111",
                     help="moto's account (the server's MOTO_ACCOUNT_ID; the corpus's account)")
    run.add_argument("--deadline", type=float, default=120.0,
                     help="seconds of wall time an execution may take before it is stopped")
    table = sub.add_parser("table", help="flowc vs moto per tag, as markdown")
    table.add_argument("--cases", type=Path, required=True)
    table.add_argument("--flowc", type=Path, required=True, help="flowc's --json-out verdicts")
    table.add_argument("--moto", type=Path, required=True, help="moto's --json-out verdicts")
    table.add_argument("--moto-version", default="")
    table.add_argument("--moto-failures", action="store_true",
                       help="also group moto's failures by reason")
    args = parser.parse_args()
    return command_run(args) if args.command == "run" else command_table(args)


if __name__ == "__main__":
    sys.exit(main())
