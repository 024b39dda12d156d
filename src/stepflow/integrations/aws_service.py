"""What every emulated AWS service integration shares: response metadata and error naming.

Evidence (AWS-validated recordings in LocalStack's tests/aws/services/stepfunctions/v2/
error_handling/*.snapshot.json):
- an optimized integration (``arn:aws:states:::dynamodb:putItem``) answers with the service's
  response plus ``SdkHttpMetadata``/``SdkResponseMetadata``, and fails as AWS SDK for Java v1
  names it: ``DynamoDB.ResourceNotFoundException``, or ``DynamoDB.AmazonDynamoDBException`` for
  an exception the SDK does not model (ValidationException), with the cause
  ``MESSAGE (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: CODE; Request ID: ID; Proxy: null)``;
- an SDK integration (``arn:aws:states:::aws-sdk:dynamodb:putItem``) answers with the bare
  response and fails as SDK v2 names it: ``DynamoDb.ResourceNotFoundException``,
  ``DynamoDb.DynamoDbException``, ``S3.NoSuchKeyException``, with the cause
  ``MESSAGE (Service: DynamoDb, Status Code: 400, Request ID: ID)``.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Callable

from stepflow.asl.errors import ASLError
from stepflow.integrations.base import TaskCall, runtime_failure
from stepflow.integrations.lambda_context import LambdaContext
from stepflow.integrations.lambda_runtime import run_handler


@dataclass(frozen=True)
class ServiceNames:
    """How one service is named in errors: by SDK v1 (optimized) and SDK v2 (aws-sdk:*)."""

    v1_prefix: str  # "DynamoDB"
    v1_service: str  # "AmazonDynamoDBv2"
    v1_generic: str  # "AmazonDynamoDBException"
    v2_prefix: str  # "DynamoDb"
    v2_service: str  # "DynamoDb"
    v2_generic: str  # "DynamoDbException"
    modeled: frozenset[str]  # error codes the SDKs have an exception class for


def service_error(
    names: ServiceNames, code: str, message: str, *, sdk: bool, status: int = 400,
    extended_request_id: bool = False, exception: str | None = None,
) -> ASLError:
    """The task failure AWS reports for a service error ``code`` with ``message``. The SDKs name
    a modeled error's exception ``CODE`` + ``Exception`` unless ``exception`` says otherwise
    (SQS's ``AWS.SimpleQueueService.NonExistentQueue`` is ``QueueDoesNotExistException``)."""
    request_id = str(uuid.uuid4())
    exception = exception or (code if code.endswith("Exception") else f"{code}Exception")
    if sdk:
        error = f"{names.v2_prefix}.{exception if code in names.modeled else names.v2_generic}"
        extra = f", Extended Request ID: {uuid.uuid4().hex}" if extended_request_id else ""
        cause = f"{message} (Service: {names.v2_service}, Status Code: {status}, Request ID: {request_id}{extra})"
    else:
        error = f"{names.v1_prefix}.{exception if code in names.modeled else names.v1_generic}"
        cause = (
            f"{message} (Service: {names.v1_service}; Status Code: {status}; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null)"
        )
    return ASLError(error, cause)


def with_http_metadata(response: dict[str, Any], now: datetime, content_type: str) -> dict[str, Any]:
    """An optimized integration's result: the response with SdkHttpMetadata/SdkResponseMetadata."""
    request_id = str(uuid.uuid4())
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(json.dumps(response, separators=(",", ":")).encode())),
        "Content-Type": content_type,
        "Date": format_datetime(now, usegmt=True),
        "x-amzn-RequestId": request_id,
    }
    return {
        **response,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def parameters_of(call_parameters: Any, state_name: str, resource: str) -> dict[str, Any]:
    """The task's effective input as the API request: it must be a JSON object."""
    if not isinstance(call_parameters, dict):
        raise runtime_failure(
            f"state {state_name!r}: {resource} takes its request as a JSON object in "
            f"Parameters/Arguments, got {type(call_parameters).__name__}"
        )
    return call_parameters


def within_limits(call: TaskCall, work: Callable[[], Any]) -> Any:
    """``work()`` under the task's TimeoutSeconds (States.Timeout when it passes) and its lane's
    stop signal (a failing Parallel sibling): what can take long (network, image analysis) runs
    on the same watched worker thread as a Lambda handler does."""
    if call.timeout_seconds is None and call.stop is None:
        return work()
    context = LambdaContext(call.state_name or call.resource, call.resource, call.timeout_seconds)
    return run_handler(lambda _event, _context: work(), None, context,
                       timeout_seconds=call.timeout_seconds, stop=call.stop)
