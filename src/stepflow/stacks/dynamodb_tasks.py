"""A state machine's ``arn:aws:states:::dynamodb:*`` tasks on the stack's local tables.

Registered by Resource ARN (``StateMachine(resources=...)``): the task's Parameters are the
DynamoDB request, its result the response with the ``SdkHttpMetadata``/``SdkResponseMetadata``
Step Functions adds; a failure is ``DynamoDB.<ErrorCode>`` with the SDK's cause text.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Callable

from stepflow.asl.errors import TaskError
from stepflow.services.dynamodb_api import ServiceError, call
from stepflow.services.tables import Tables

OPERATIONS = {"putItem": "PutItem", "getItem": "GetItem", "deleteItem": "DeleteItem", "updateItem": "UpdateItem"}


def handlers(root: Path) -> dict[str, Callable[[Any, Any], Any]]:
    tables = Tables(root)

    def task(operation: str) -> Callable[[Any, Any], Any]:
        def run(parameters: Any, context: Any) -> Any:
            request_id = str(uuid.uuid4()).upper().replace("-", "")[:32]
            try:
                response = call(tables, operation, parameters if isinstance(parameters, dict) else {})
            except ServiceError as error:
                raise TaskError(
                    f"DynamoDB.{error.code}",
                    f"{error.message} (Service: AmazonDynamoDBv2; Status Code: {error.status}; "
                    f"Error Code: {error.code}; Request ID: {request_id}; Proxy: null)",
                ) from None
            headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": request_id}
            return {**response, "SdkHttpMetadata": {
                "AllHttpHeaders": {name: [value] for name, value in headers.items()},
                "HttpHeaders": headers, "HttpStatusCode": 200,
            }, "SdkResponseMetadata": {"RequestId": request_id}}
        return run

    return {f"arn:aws:states:::dynamodb:{name}": task(operation) for name, operation in OPERATIONS.items()}
