#!/usr/bin/env python3
"""moto's server on a free loopback port, with the two Step Functions actions moto 5.2 lacks.

    $FLOWC_MOTO_PYTHON scripts/moto_server.py --port-file PATH [--host 127.0.0.1] [--flowc BIN]

The AWS provider calls ValidateStateMachineDefinition before it creates or updates an
aws_sfn_state_machine and ListStateMachineVersions when it reads one. moto 5.2 answers neither,
so the provider retries for many minutes. This launcher wraps moto's WSGI application and
answers those two actions itself; every other request goes to moto unchanged.

- ValidateStateMachineDefinition: when --flowc (or $FLOWC_BIN) names a built `flowc`, the
  definition is checked with `flowc check`; otherwise it is checked here for what the service
  itself rejects first: JSON syntax, StartAt naming a state, and every Next/Default naming a
  state in the same States object (recursively through Parallel branches and Map processors).
- ListStateMachineVersions: an empty list (the configuration never publishes versions).

Requests are dispatched to moto one at a time. moto's backends are not thread-safe: with
concurrent requests, DynamoDB's TransactWriteItems deep-copies a table while another request
changes it ("RuntimeError: dictionary changed size during iteration", an HTTP 500 that the SDKs
retry only so often). AWS serialises conflicting writes itself; one request at a time gives the
same isolation. Connections are still accepted concurrently, so clients racing each other
interleave request by request, as they would against AWS.

The port is chosen by the OS (bind to port 0) and written to --port-file once the server
accepts connections, so concurrent test runs never collide.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from typing import Any, Callable, Iterable

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

SFN_TARGET_PREFIX = "AWSStepFunctions."
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"

StartResponse = Callable[..., Any]


def definition_problems(text: str) -> list[dict[str, str]]:
    """Problems in an ASL definition, as ValidateStateMachineDefinition diagnostics."""
    try:
        machine = json.loads(text)
    except json.JSONDecodeError as err:
        return [
            diagnostic(
                "INVALID_JSON_DESCRIPTION",
                f"definition is not valid JSON: {err.msg}",
                f"line {err.lineno}, column {err.colno}",
            )
        ]
    problems: list[dict[str, str]] = []
    check_machine(machine, "/", problems)
    return problems


def check_machine(machine: Any, where: str, problems: list[dict[str, str]]) -> None:
    if not isinstance(machine, dict):
        problems.append(diagnostic("SCHEMA_VALIDATION_FAILED", "expected a JSON object", where))
        return
    states = machine.get("States")
    if not isinstance(states, dict) or not states:
        problems.append(
            diagnostic("SCHEMA_VALIDATION_FAILED", "States must be a non-empty object", where)
        )
        return
    start = machine.get("StartAt")
    if not isinstance(start, str) or start not in states:
        problems.append(
            diagnostic("MISSING_TRANSITION_TARGET", f"StartAt {start!r} names no state", where)
        )
    for name, state in states.items():
        at = f"{where}States/{name}"
        if not isinstance(state, dict) or not isinstance(state.get("Type"), str):
            problems.append(diagnostic("SCHEMA_VALIDATION_FAILED", "state without Type", at))
            continue
        for target in transition_targets(state):
            if target not in states:
                problems.append(
                    diagnostic(
                        "MISSING_TRANSITION_TARGET",
                        f"state {name!r} transitions to {target!r}, which does not exist",
                        at,
                    )
                )
        for i, branch in enumerate(state.get("Branches") or []):
            check_machine(branch, f"{at}/Branches/{i}/", problems)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                check_machine(state[key], f"{at}/{key}/", problems)


def transition_targets(state: dict[str, Any]) -> Iterable[str]:
    if isinstance(state.get("Next"), str):
        yield state["Next"]
    if isinstance(state.get("Default"), str):
        yield state["Default"]
    for rule in state.get("Choices") or []:
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            yield rule["Next"]
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            yield catcher["Next"]


def flowc_problems(flowc: str, text: str) -> list[dict[str, str]]:
    """Runs `flowc check` on the definition; exit 1 means errors in the input."""
    with tempfile.NamedTemporaryFile("w", suffix=".asl.json", delete=False) as handle:
        handle.write(text)
        path = handle.name
    try:
        done = subprocess.run(
            [flowc, "check", path], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        # A validator that cannot run must not pass the definition.
        return [diagnostic("SCHEMA_VALIDATION_FAILED", f"flowc check could not run: {err}", "/")]
    finally:
        os.unlink(path)
    if done.returncode == 0:
        return []
    message = (done.stderr or done.stdout).strip() or f"flowc check exited {done.returncode}"
    return [diagnostic("SCHEMA_VALIDATION_FAILED", message[:1000], "/")]


def diagnostic(code: str, message: str, location: str) -> dict[str, str]:
    return {"severity": "ERROR", "code": code, "message": message, "location": location}


class StepFunctionsGaps:
    """WSGI middleware answering the Step Functions actions moto does not implement."""

    def __init__(self, inner: Any, flowc: str | None) -> None:
        self.inner = inner
        self.flowc = flowc

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target == SFN_TARGET_PREFIX + "ValidateStateMachineDefinition":
            body = self.request_json(environ)
            text = body.get("definition", "")
            if not isinstance(text, str):
                text = ""
            problems = (
                flowc_problems(self.flowc, text) if self.flowc else definition_problems(text)
            )
            answer = {
                "result": "FAIL" if problems else "OK",
                "diagnostics": problems,
                "truncated": False,
            }
            return self.reply(start_response, answer)
        if target == SFN_TARGET_PREFIX + "ListStateMachineVersions":
            return self.reply(start_response, {"stateMachineVersions": []})
        return self.inner(environ, start_response)

    @staticmethod
    def request_json(environ: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            parsed = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    @staticmethod
    def reply(start_response: StartResponse, answer: dict[str, Any]) -> list[bytes]:
        payload = json.dumps(answer).encode()
        start_response(
            "200 OK",
            [("Content-Type", JSON_CONTENT_TYPE), ("Content-Length", str(len(payload)))],
        )
        return [payload]


def serialized(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    """The WSGI app behind one lock: the response body is produced inside it too, since moto
    may build it lazily from its backend's state."""
    lock = threading.Lock()

    def locked(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        with lock:
            result = app(environ, start_response)
            try:
                return list(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()

    return locked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port-file", required=True, help="file to write the chosen port to")
    parser.add_argument("--flowc", default=os.environ.get("FLOWC_BIN"), help="built flowc binary")
    args = parser.parse_args()

    if args.flowc and not os.access(args.flowc, os.X_OK):
        print(f"moto_server: --flowc {args.flowc} is not an executable file", file=sys.stderr)
        return 2

    app = serialized(StepFunctionsGaps(DomainDispatcherApplication(create_backend_app), args.flowc))
    server = make_server(args.host, 0, app, threaded=True, request_handler=MotoRequestHandler)
    port = server.server_port
    # moto builds some response URLs (SQS queue URLs, for example) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    # Said before the port file appears, so a reader that waits for the file finds the line.
    validator = f"flowc check ({args.flowc})" if args.flowc else "built-in JSON checks"
    print(f"moto_server: listening on http://{args.host}:{port}, validating with {validator}",
          file=sys.stderr, flush=True)

    # Written through a rename so a reader never sees a half-written port number.
    partial = args.port_file + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(f"{port}\n")
    os.replace(partial, args.port_file)

    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
