"""The Starlette application: the API at ``POST /`` and the console's pages, around one client.

API requests run on worker threads (``anyio`` with a generous limit), so a long-polling
GetActivityTask or a slow StartSyncExecution never holds up another request; the event loop only
reads bodies and writes answers.
"""
from __future__ import annotations

import json
import sys
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from stepflow.api.client import Client
from stepflow.api.errors import ClientError
from stepflow.api.validation import check_service_request
from stepflow.asl.errors import StepflowError
from stepflow.server import protocol

# Worker threads for API calls at once: long polls (GetActivityTask waits up to 60 s) each hold one.
MAX_CONCURRENT_CALLS = 256
POLL_SLICE_SECONDS = 1.0


def create_app(client: Client, *, routes: list[Any] | None = None) -> Starlette:
    """The server's application; ``routes`` adds the console's pages."""
    limiter = anyio.CapacityLimiter(MAX_CONCURRENT_CALLS)

    async def api(request: Request) -> Response:
        target = request.headers.get("x-amz-target", "")
        if not target.startswith(protocol.TARGET_PREFIX):
            return protocol.error("UnknownOperationException", f"Unknown target {target!r}: expected AWSStepFunctions.<Operation>")
        operation = target.removeprefix(protocol.TARGET_PREFIX)
        try:
            body = await _read_body(request)
        except _TooLarge:
            return protocol.error(
                "ValidationException", f"Request body is larger than {protocol.MAX_BODY_BYTES} bytes", status=413
            )
        except ClientDisconnect:
            return Response(status_code=400)
        try:
            params = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError) as bad:
            return protocol.error("SerializationException", f"The request body is not JSON: {bad}")
        if not isinstance(params, dict):
            return protocol.error("SerializationException", "The request body must be a JSON object")
        try:
            if operation == "GetActivityTask":
                result = await _long_poll(request, client, params, limiter)
            else:
                result = await anyio.to_thread.run_sync(client.handle, operation, params, limiter=limiter)
        except ClientError as refused:
            return protocol.error(refused.response["Error"]["Code"], refused.message, refused.status)
        except StepflowError as mistake:  # a user's mistake the API has no code for (e.g. a mock file)
            return protocol.error("ValidationException", str(mistake))
        except Exception as crash:  # stepflow's own failure: said on the server's stderr, not as a traceback
            print(f"stepflow serve: {operation} failed: {type(crash).__name__}: {crash}", file=sys.stderr)
            return protocol.error("InternalFailure", f"{operation} failed inside stepflow: {type(crash).__name__}", 500)
        return protocol.ok(result)

    async def crashed(request: Request, crash: Exception) -> Response:
        """stepflow's own failure on a page: one line on the server's stderr, a short page."""
        print(f"stepflow serve: {request.url.path} failed: {type(crash).__name__}: {crash}", file=sys.stderr)
        return PlainTextResponse(f"stepflow failed on this page: {type(crash).__name__}", status_code=500)

    return Starlette(routes=[Route("/", api, methods=["POST"]), *(routes or [])], exception_handlers={Exception: crashed})


async def _long_poll(request: Request, client: Client, params: dict[str, Any], limiter: Any) -> dict[str, Any]:
    """GetActivityTask in one-second slices up to the client's poll time, ending early (taking no
    task) when the worker hangs up, so its task goes to a worker that is still there."""
    check_service_request("GetActivityTask", params)
    waited = 0.0
    while True:
        if await request.is_disconnected():
            return {}
        step = min(POLL_SLICE_SECONDS, client.activity_poll_seconds - waited)
        found = await anyio.to_thread.run_sync(
            lambda: client.activity_task_within(step, activityArn=params["activityArn"], workerName=params.get("workerName")),
            limiter=limiter,
        )
        waited += step
        if found or waited >= client.activity_poll_seconds:
            return found


class _TooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    """The body, refused as soon as it passes the limit (a declared Content-Length is checked first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > protocol.MAX_BODY_BYTES:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > protocol.MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)
