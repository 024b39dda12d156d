"""Errors the task functions raise, named as the AWS SDK names them.

Step Functions names a Lambda failure after the error's type (Lambda's ``errorType``) and the
engine names it after the exception class, so each AWS error code gets a class of that name:
``service_error("InvalidS3ObjectException", ...)`` fails a task with ``InvalidS3ObjectException``
exactly as the workshop's functions do when Rekognition raises it.
"""
from __future__ import annotations

from functools import cache
from typing import Any


class AWSServiceError(Exception):
    """Base of the per-code classes; the class name is the AWS error code."""


@cache
def service_error_class(code: str) -> type[AWSServiceError]:
    return type(code, (AWSServiceError,), {"__module__": __name__, "__doc__": f"AWS {code}."})


def service_error(code: str, message: str) -> AWSServiceError:
    return service_error_class(code)(message)


class InvalidEventError(Exception):
    """The task's input event lacks a field the function needs (names the field)."""


def event_field(event: Any, name: str) -> Any:
    """``event[name]``, or InvalidEventError naming the missing field."""
    if not isinstance(event, dict) or name not in event:
        raise InvalidEventError(f"the task input has no {name!r} field: {event!r:.200}")
    return event[name]
