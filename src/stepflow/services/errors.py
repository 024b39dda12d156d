"""The error every local service raises: the AWS service's error code and its message."""
from __future__ import annotations

from typing import Any

from stepflow.asl.errors import StepflowError


class ServiceError(StepflowError):
    """A request the service refuses, named by its error code (``NotFound``,
    ``ConditionalCheckFailedException`` ...) with the service's message; ``details`` carries what
    the error adds (an item, cancellation reasons)."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
