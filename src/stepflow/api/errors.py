"""The Step Functions API's errors as exception classes named as AWS names them.

Each behaves like botocore's ``ClientError``: ``error.response["Error"]["Code"]`` is the AWS error
code, ``error.operation_name`` the API operation, and the message reads as boto3 prints it. With
botocore installed (the ``aws`` extra) they *are* ``botocore.exceptions.ClientError`` subclasses, so
``except ClientError`` code written for boto3 works against stepflow's client unchanged.
"""
from __future__ import annotations

from typing import Any

from stepflow.asl.errors import StepflowError

try:
    from botocore.exceptions import ClientError as _BotocoreClientError
except ImportError:  # the core install: same attributes, no botocore base class
    _BotocoreClientError = Exception  # type: ignore[assignment,misc]


class ClientError(StepflowError, _BotocoreClientError):  # type: ignore[misc]
    """An API call the service refused, shaped like botocore's ClientError.

    ``status`` is the HTTP status AWS answers with (400 for every Step Functions error code)."""

    status = 400

    def __init__(self, message: str, operation_name: str = "") -> None:
        self.operation_name = operation_name
        self.response: dict[str, Any] = {
            "Error": {"Code": type(self).__name__, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": self.status},
        }
        Exception.__init__(
            self,
            f"An error occurred ({type(self).__name__}) when calling the {operation_name or 'API'} "
            f"operation: {message}",
        )

    @property
    def message(self) -> str:
        return str(self.response["Error"]["Message"])

    def __reduce__(self) -> Any:
        return type(self), (self.message, self.operation_name)


def _error(name: str) -> type[ClientError]:
    return type(name, (ClientError,), {"__doc__": f"AWS Step Functions' {name} error."})


# The error codes the Step Functions API reference lists for the operations stepflow serves.
ActivityAlreadyExists = _error("ActivityAlreadyExists")
ActivityDoesNotExist = _error("ActivityDoesNotExist")
ActivityWorkerLimitExceeded = _error("ActivityWorkerLimitExceeded")
ExecutionAlreadyExists = _error("ExecutionAlreadyExists")
ExecutionDoesNotExist = _error("ExecutionDoesNotExist")
ExecutionLimitExceeded = _error("ExecutionLimitExceeded")
InvalidArn = _error("InvalidArn")
InvalidDefinition = _error("InvalidDefinition")
InvalidExecutionInput = _error("InvalidExecutionInput")
InvalidName = _error("InvalidName")
InvalidOutput = _error("InvalidOutput")
InvalidToken = _error("InvalidToken")
ResourceNotFound = _error("ResourceNotFound")
StateMachineAlreadyExists = _error("StateMachineAlreadyExists")
StateMachineDeleting = _error("StateMachineDeleting")
StateMachineDoesNotExist = _error("StateMachineDoesNotExist")
StateMachineTypeNotSupported = _error("StateMachineTypeNotSupported")
TaskDoesNotExist = _error("TaskDoesNotExist")
TaskTimedOut = _error("TaskTimedOut")
ValidationException = _error("ValidationException")
ConflictException = _error("ConflictException")
ExecutionNotRedrivable = _error("ExecutionNotRedrivable")
ServiceQuotaExceededException = _error("ServiceQuotaExceededException")
TooManyTags = _error("TooManyTags")
InvalidLoggingConfiguration = _error("InvalidLoggingConfiguration")
InvalidTracingConfiguration = _error("InvalidTracingConfiguration")
MissingRequiredParameter = _error("MissingRequiredParameter")

ERRORS: dict[str, type[ClientError]] = {
    cls.__name__: cls for cls in ClientError.__subclasses__()
}
