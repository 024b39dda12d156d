"""Reading the event's photo the way Rekognition reads an ``Image.S3Object``.

Rekognition answers a missing bucket or key with ``InvalidS3ObjectException`` and this message;
the workshop's functions pass it through, so the execution fails with that error (the workshop's
Catch only handles PhotoDoesNotMeetRequirementError).
"""
from __future__ import annotations

from typing import Any

from stepflow.riderphoto.aws_errors import event_field, service_error
from stepflow.riderphoto.keys import decode_key
from stepflow.riderphoto.stack import Stack
from stepflow.services.buckets import NoSuchBucket, NoSuchKey

INVALID_S3_OBJECT = "InvalidS3ObjectException"
INVALID_S3_OBJECT_MESSAGE = (
    "Unable to get object metadata from S3. Check object key, region and/or access permissions."
)


def photo_location(event: Any) -> tuple[str, str]:
    """(bucket, decoded key) from the workshop's input ``{"s3Bucket", "s3Key", ...}``."""
    return event_field(event, "s3Bucket"), decode_key(event_field(event, "s3Key"))


def read_photo(stack: Stack, event: Any) -> bytes:
    """The photo's bytes, or InvalidS3ObjectException as Rekognition reports a missing object."""
    bucket, key = photo_location(event)
    try:
        return stack.buckets.get(bucket, key)
    except (NoSuchBucket, NoSuchKey) as missing:
        raise service_error(INVALID_S3_OBJECT, INVALID_S3_OBJECT_MESSAGE) from missing
