"""AWS's JSON 1.0 protocol for Step Functions, as botocore and the AWS SDKs speak it.

A request is ``POST /`` with ``X-Amz-Target: AWSStepFunctions.<Operation>`` and a JSON body; a
response is JSON with timestamps as epoch seconds; an error is HTTP 400 (500 for the service's own
failures) with ``{"__type": CODE, "message": TEXT}`` and the code again in ``X-Amzn-ErrorType``.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from starlette.responses import Response

CONTENT_TYPE = "application/x-amz-json-1.0"
TARGET_PREFIX = "AWSStepFunctions."
# The largest body accepted: a definition may be 1 MiB (1,048,576 characters), and JSON escapes can
# double it; anything larger is refused before it is parsed.
MAX_BODY_BYTES = 4 * 1024 * 1024


def _epoch_seconds(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not JSON")


def ok(body: dict[str, Any]) -> Response:
    return Response(
        json.dumps(body, default=_epoch_seconds, separators=(",", ":")),
        media_type=CONTENT_TYPE,
        headers={"x-amzn-RequestId": str(uuid.uuid4())},
    )


def error(code: str, message: str, status: int = 400) -> Response:
    return Response(
        json.dumps({"__type": code, "message": message}),
        status_code=status,
        media_type=CONTENT_TYPE,
        headers={"x-amzn-RequestId": str(uuid.uuid4()), "X-Amzn-ErrorType": code},
    )
