"""A Python function's worker process: ``python -m stepflow.functions.python_worker IN OUT HANDLER``.

It runs with the function's environment, its code folder and layers first on ``sys.path`` (as
``/var/task`` and ``/opt/python`` are on Lambda), answers boto3 calls to emulated services from
the data root (``aws_hooks``), imports the handler once and serves invocations until its input
closes.
"""
from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

from stepflow.functions.worker_protocol import send


class Context:
    """Lambda's Python context object, rebuilt from what the parent sends."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.function_name = fields["function_name"]
        self.function_version = fields["function_version"]
        self.invoked_function_arn = fields["invoked_function_arn"]
        self.memory_limit_in_mb = fields["memory_limit_in_mb"]
        self.aws_request_id = fields["aws_request_id"]
        self.log_group_name = fields["log_group_name"]
        self.log_stream_name = fields["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + fields["remaining_ms"] / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(error: BaseException, skip: int = 1) -> dict[str, Any]:
    frames = traceback.extract_tb(error.__traceback__)[skip:]
    return {"errorType": type(error).__name__, "errorMessage": str(error),
            "stackTrace": traceback.format_list(frames)}


def _load(handler: str) -> Any:
    module_name, _, function_name = handler.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)")
    module = importlib.import_module(module_name.replace("/", "."))
    function = getattr(module, function_name, None)
    if function is None:
        raise AttributeError(f"Handler '{function_name}' missing on module '{module_name}'")
    return function


def main(argv: list[str]) -> int:
    requests, responses, handler_name = int(argv[0]), int(argv[1]), argv[2]
    for path in reversed(os.environ.get("STEPFLOW_FUNCTION_PATH", "").split(os.pathsep)):
        if path:
            sys.path.insert(0, path)
    from stepflow.functions import aws_hooks

    aws_hooks.install()
    try:
        handler = _load(handler_name)
    except ImportError as error:  # Lambda's own wording for a module that does not import
        module = handler_name.rpartition(".")[0]
        send(responses, {"init_error": {"errorType": "Runtime.ImportModuleError",
                                        "errorMessage": f"Unable to import module '{module}': {error}",
                                        "missing": getattr(error, "name", None), "stackTrace": []}})
        return 1
    except Exception as error:
        send(responses, {"init_error": {**_error(error, 0), "errorType": "Runtime.HandlerNotFound"
                                        if isinstance(error, AttributeError) else type(error).__name__}})
        return 1
    send(responses, {"ready": True})
    with os.fdopen(requests, "r", encoding="utf-8") as stream:
        for line in stream:
            request = json.loads(line)
            try:
                result = handler(request["event"], Context(request["context"]))
                send(responses, {"result": json.loads(json.dumps(result))})
            except (TypeError, ValueError) as error:
                if "JSON serializable" in str(error) or "Out of range float" in str(error):
                    send(responses, {"error": {"errorType": "Runtime.MarshalError",
                                               "errorMessage": f"Unable to marshal response: {error}",
                                               "stackTrace": []}})
                else:
                    send(responses, {"error": _error(error)})
            except Exception as error:
                send(responses, {"error": _error(error)})
            sys.stdout.flush()
            sys.stderr.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
