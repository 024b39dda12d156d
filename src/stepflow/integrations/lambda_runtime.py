"""Running a Lambda-style handler as Step Functions sees it: timeouts, errors, the Invoke response.

What AWS records (get_execution_history of real executions):
- A function error fails the task with the exception's class name as ``error`` and Lambda's error
  JSON as ``cause``: ``{"errorMessage", "errorType", "requestId", "stackTrace"}``. A task whose
  Resource is the function ARN carries it as Python's ``json.dumps`` writes it (``", "``
  separators); the ``lambda:invoke`` integration carries it compact (``","``).
- TimeoutSeconds or HeartbeatSeconds expiring fails with ``States.Timeout`` and no cause (a missed
  heartbeat is a HeartbeatTimedOut, which ``States.HeartbeatTimeout`` matchers also catch).
- A missing function fails with ``Lambda.ResourceNotFoundException``.
"""
from __future__ import annotations

import json
import math
import threading
import time
import traceback
import uuid
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Callable

from stepflow.asl.errors import TIMEOUT, ASLError
from stepflow.asl.paths import to_json
from stepflow.integrations.lambda_context import LambdaContext
from stepflow.runtime.signals import HeartbeatTimedOut, Stopped, StopSignal

Handler = Callable[[Any, LambdaContext], Any]

RESOURCE_NOT_FOUND = "Lambda.ResourceNotFoundException"
MARSHAL_ERROR = "Runtime.MarshalError"


def function_not_found(function_arn: str) -> ASLError:
    """The error Step Functions reports when the function does not exist."""
    return ASLError(
        RESOURCE_NOT_FOUND,
        f"Function not found: {function_arn} (Service: AWSLambda; Status Code: 404; "
        f"Error Code: ResourceNotFoundException; Request ID: {uuid.uuid4()}; Proxy: null)",
    )


def run_handler(
    handler: Handler,
    event: Any,
    context: LambdaContext,
    *,
    timeout_seconds: float | None = None,
    heartbeat_seconds: float | None = None,
    compact_cause: bool = False,
    stop: StopSignal | None = None,
    event_json: str | None = None,
) -> Any:
    """Call ``handler(event, context)`` and return its JSON result, or raise the ASLError AWS reports.

    The handler gets its own copy of the event (Lambda receives serialized JSON), so it can never
    change the state machine's data. With a timeout, a heartbeat or a ``stop`` signal it runs on a
    daemon thread and is abandoned when a deadline passes or ``stop`` is set (then Stopped is
    raised and its eventual result discarded): Python cannot kill a thread, and a daemon thread
    never holds up process exit. ``event_json``, when the caller has it, is the event's JSON text.
    """
    event = json.loads(event_json) if event_json is not None else _json_copy(event, "Invalid payload: ")
    if timeout_seconds is None and heartbeat_seconds is None and stop is None:
        return _call(handler, event, context, compact_cause)

    outcome: dict[str, Any] = {}
    # Set when the handler returns, and (as a child of ``stop``) when the lane is stopped.
    wake = StopSignal(stop)

    def work() -> None:
        try:
            outcome["result"] = _call(handler, event, context, compact_cause)
        except ASLError as error:
            outcome["error"] = error
        finally:
            outcome["done"] = True
            wake.set()

    started = time.monotonic()
    deadline = started + timeout_seconds if timeout_seconds is not None else math.inf
    # Named after the waiting thread (e.g. a Map iteration's executor thread) it works for.
    worker = threading.Thread(
        target=work, name=f"{threading.current_thread().name}:task-{context.function_name}", daemon=True
    )
    worker.start()
    while True:
        beat_deadline = (
            context.last_heartbeat + heartbeat_seconds if heartbeat_seconds is not None else math.inf
        )
        limit = min(deadline, beat_deadline)
        if wake.wait(None if limit == math.inf else max(0.0, limit - time.monotonic())):
            if "done" in outcome:
                break
            raise Stopped()
        now = time.monotonic()
        if now >= deadline:
            raise ASLError(TIMEOUT)
        if heartbeat_seconds is not None and now >= context.last_heartbeat + heartbeat_seconds:
            raise HeartbeatTimedOut()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _call(handler: Handler, event: Any, context: LambdaContext, compact_cause: bool) -> Any:
    try:
        result = handler(event, context)
    except ASLError:  # stepflow.TaskError(error, cause): the handler chose its error exactly
        raise
    except Exception as error:
        # Drop this frame: Lambda's stackTrace starts at the handler.
        frames = traceback.extract_tb(error.__traceback__)[1:]
        raise lambda_error(
            type(error).__name__, str(error), context.aws_request_id,
            traceback.format_list(frames), compact_cause,
        ) from error
    try:
        return _json_copy(result, "Unable to marshal response: ")
    except ASLError as error:
        raise lambda_error(MARSHAL_ERROR, error.cause or "", context.aws_request_id, [], compact_cause)


def lambda_error(
    error_type: str, message: str, request_id: str, stack_trace: list[str], compact_cause: bool
) -> ASLError:
    """An ASLError named after the error type, its cause Lambda's error JSON."""
    body = {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack_trace,
    }
    separators = (",", ":") if compact_cause else (", ", ": ")
    return ASLError(error_type, json.dumps(body, separators=separators))


def _json_copy(value: Any, problem: str) -> Any:
    """A deep copy made the way Lambda moves data: through JSON text."""
    try:
        return json.loads(to_json(value))
    except (TypeError, ValueError) as error:
        raise ASLError(MARSHAL_ERROR, f"{problem}{error}") from error


def invoke_response(payload: Any, request_id: str, executed_version: str, now: datetime) -> dict[str, Any]:
    """The ``lambda:invoke`` task result: Lambda's Invoke response as Step Functions returns it."""
    content_length = str(len(json.dumps(payload).encode()))
    date = format_datetime(now, usegmt=True)
    trace_id = f"Root=1-{int(now.timestamp()):08x}-{uuid.uuid4().hex[:24]};Sampled=0"
    headers = {
        "Connection": "keep-alive",
        "Content-Length": content_length,
        "Content-Type": "application/json",
        "Date": date,
        "X-Amz-Executed-Version": executed_version,
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
        "X-Amzn-Trace-Id": trace_id,
    }
    return {
        "ExecutedVersion": executed_version,
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }
