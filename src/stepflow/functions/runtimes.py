"""Handlers for a template's functions: each one a warm worker process running its own code.

``handler_for(spec, data_root)`` returns a Lambda-style ``handler(event, context)`` for
``StateMachine(resources={arn: handler})``. Python runs in this interpreter's executable, Node.js
through ``node`` when it is on PATH; anything else fails the task with ``stepflow.FunctionNotRunnable``
naming the function, its place in the template and what it needs.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable

from stepflow.asl.errors import TaskError
from stepflow.functions.spec import FunctionSpec

NOT_RUNNABLE = "stepflow.FunctionNotRunnable"
_INIT_SECONDS = 10  # Lambda's limit on a function's initialization
_NODE_RUNNER = Path(__file__).with_name("node_runner.mjs")
_PASSED_THROUGH = ("PATH", "SYSTEMROOT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                   "NODE_PATH")


def problem_of(runtime: str) -> str | None:
    """Why a runtime cannot run here, or None."""
    if runtime.startswith("python"):
        return None
    if runtime.startswith("nodejs"):
        return None if shutil.which("node") else f"{runtime} needs Node.js: install node and put it on PATH"
    return (f"runtime {runtime or '(none)'} is not run by stepflow (it runs python* and nodejs* "
            "functions); give the state machine a handler for this function's ARN")


def environment(spec: FunctionSpec, data_root: Path) -> dict[str, str]:
    """The variables Lambda sets, the template's own, and the endpoints the user named."""
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update({name: value for name, value in os.environ.items() if name.startswith("AWS_ENDPOINT_URL")})
    env.setdefault("AWS_ACCESS_KEY_ID", "stepflow-local")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "stepflow-local")
    region = spec.arn.split(":")[3]
    paths = [str(spec.code), *(str(layer) for layer in spec.layers)]
    env.update({
        "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": spec.name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}", "LAMBDA_TASK_ROOT": str(spec.code),
        "_HANDLER": spec.handler, "TZ": ":UTC", "LANG": "en_US.UTF-8",
        "STEPFLOW_HOME": str(data_root), "STEPFLOW_FUNCTION_PATH": os.pathsep.join(paths),
        "PYTHONPATH": os.pathsep.join([*paths, str(Path(__file__).resolve().parents[2])]),
        # A Node.js layer's packages, as Lambda finds them under /opt/nodejs/node_modules.
        "NODE_PATH": os.pathsep.join([*(str(layer / "nodejs" / "node_modules") for layer in spec.layers),
                                      *filter(None, [env.get("NODE_PATH")])]),
    })
    env.update(spec.environment)
    return env


class Worker:
    """One function's process, started on first use and kept warm; one invocation at a time."""

    def __init__(self, spec: FunctionSpec, data_root: Path) -> None:
        self.spec = spec
        self.data_root = data_root
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._requests = self._responses = -1
        self._buffer = b""

    def invoke(self, event: Any, context: Any) -> Any:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            fields = {
                "function_name": self.spec.name, "function_version": "$LATEST",
                "invoked_function_arn": getattr(context, "invoked_function_arn", self.spec.arn),
                "memory_limit_in_mb": self.spec.memory,
                "aws_request_id": getattr(context, "aws_request_id", str(uuid.uuid4())),
                "log_group_name": f"/aws/lambda/{self.spec.name}",
                "log_stream_name": getattr(context, "log_stream_name", "local"),
                "remaining_ms": int(self.spec.timeout * 1000),
            }
            request = (json.dumps({"event": event, "context": fields}) + "\n").encode()
            try:
                os.write(self._requests, request)
            except BrokenPipeError:
                answer = self._exited()
            else:
                answer = self._read(self.spec.timeout, fields["aws_request_id"])
        if "error" in answer:
            raise self._task_error(answer["error"], fields["aws_request_id"])
        return answer["result"]

    def _start(self) -> None:
        command = {
            "python": [sys.executable, "-m", "stepflow.functions.python_worker"],
            "nodejs": ["node", str(_NODE_RUNNER)],
        }[self.spec.runtime.rstrip("0123456789.x")]
        to_child, self._requests = os.pipe()
        self._responses, from_child = os.pipe()
        self._buffer = b""
        self._process = subprocess.Popen(
            [*command, str(to_child), str(from_child), self.spec.handler],
            cwd=self.spec.code, env=environment(self.spec, self.data_root), pass_fds=(to_child, from_child),
            stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno() if _has_fileno() else None,
            stderr=sys.stderr.fileno() if _has_fileno() else None,
        )
        os.close(to_child)
        os.close(from_child)
        answer = self._read(_INIT_SECONDS, "init")
        if "init_error" in answer:
            self.close()
            error = answer["init_error"]
            if error.get("missing"):
                requirements = self.spec.code / ("requirements.txt" if self.spec.runtime.startswith("python") else "package.json")
                error["errorMessage"] += (f" (function {self.spec.logical_id}: install its dependencies"
                                          + (f" with pip install -r {requirements}" if requirements.exists() else "") + ")")
            raise self._task_error(error, "init")

    def _read(self, seconds: float, request_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._responses], [], [], max(0.0, left))
            if not ready:
                self.close()
                return {"error": {"errorType": "Sandbox.Timedout",
                                  "errorMessage": f"RequestId: {request_id} Error: Task timed out after {seconds:.2f} seconds"}}
            chunk = os.read(self._responses, 65536)
            if not chunk:
                return self._exited()
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def _exited(self) -> dict[str, Any]:
        code = self._process.wait() if self._process else None
        self.close()
        return {"error": {"errorType": "Runtime.ExitError",
                          "errorMessage": f"RequestId: local Error: Runtime exited with error: exit status {code}"}}

    def _task_error(self, error: dict[str, Any], request_id: str) -> TaskError:
        """The task failure Step Functions records: the error type, Lambda's error JSON as cause."""
        body = {"errorMessage": error.get("errorMessage", ""), "errorType": error.get("errorType", "Error")}
        if "trace" in error:
            body["trace"] = error["trace"]
        else:
            body["requestId"] = request_id
            body["stackTrace"] = error.get("stackTrace", [])
        return TaskError(body["errorType"], json.dumps(body))

    def close(self) -> None:
        for fd in (self._requests, self._responses):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._requests = self._responses = -1
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            self._process = None


def _has_fileno() -> bool:
    try:
        sys.stderr.fileno()
        return True
    except (AttributeError, OSError, ValueError):
        return False


def handler_for(spec: FunctionSpec, data_root: Path, workers: list[Worker]) -> Callable[[Any, Any], Any]:
    """A ``handler(event, context)`` running the function; its worker is appended to ``workers``."""
    problem = spec.problem or problem_of(spec.runtime)
    if problem is not None:
        def not_runnable(event: Any, context: Any) -> Any:
            raise TaskError(NOT_RUNNABLE, f"function {spec.logical_id} ({spec.where}) cannot run locally: {problem}")
        return not_runnable
    worker = Worker(spec, data_root)
    workers.append(worker)
    return worker.invoke
