"""PersistMetadata: save the rider's photo metadata in the RiderPhotoDDBTable.

As the workshop's function: the item is {Username, s3key, s3bucket, faceId, thumbnail} taken from
the input and ``$.parallelResult`` ([index result, thumbnail result]); a later photo of the same
user overwrites the item (no ConditionExpression). Returns PutItem's empty answer, ``{}``.
"""
from __future__ import annotations

from typing import Any

from stepflow.riderphoto.aws_errors import InvalidEventError, event_field, service_error
from stepflow.riderphoto.stack import Stack
from stepflow.services.tables import ResourceNotFound, ValidationError


def metadata_item(event: Any) -> dict[str, Any]:
    parallel = event_field(event, "parallelResult")
    if not isinstance(parallel, list) or len(parallel) < 2:
        raise InvalidEventError(
            "the task input's 'parallelResult' must be [index result, thumbnail result]"
        )
    index_details, thumbnail_details = parallel[0], parallel[1]
    return {
        "Username": event_field(event, "userId"),
        "s3key": event_field(event, "s3Key"),
        "s3bucket": event_field(event, "s3Bucket"),
        "faceId": event_field(index_details, "FaceId"),
        "thumbnail": event_field(thumbnail_details, "thumbnail"),
    }


def handler(event: Any, context: Any, stack: Stack | None = None) -> dict[str, Any]:
    stack = stack or Stack.current()
    try:
        stack.tables.put_item(stack.table, metadata_item(event))
    except ResourceNotFound as missing:  # DynamoDB's code and message
        raise service_error("ResourceNotFoundException", "Requested resource not found") from missing
    except ValidationError as invalid:
        raise service_error("ValidationException", str(invalid)) from invalid
    return {}
