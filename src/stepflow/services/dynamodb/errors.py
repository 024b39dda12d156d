"""DynamoDB's errors: the code AWS returns (``ConditionalCheckFailedException`` ...) and its message."""
from __future__ import annotations

from typing import Any

from stepflow.services.errors import ServiceError


class DynamoDBError(ServiceError):
    """A failed request, named by DynamoDB's error code, with DynamoDB's message."""


def validation(message: str) -> DynamoDBError:
    return DynamoDBError("ValidationException", message)


def not_found() -> DynamoDBError:
    # DynamoDB names no table in this message.
    return DynamoDBError("ResourceNotFoundException", "Requested resource not found")


def condition_failed(item: dict[str, Any] | None = None) -> DynamoDBError:
    details = {} if item is None else {"Item": item}
    return DynamoDBError("ConditionalCheckFailedException", "The conditional request failed", **details)
