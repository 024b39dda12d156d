"""The Step Functions API's errors as exception classes named as AWS names them.

Each behaves like botocore's ``ClientError``: ``error.response["Error"]["Code"]`` is the AWS error
code, ``error.operation_name`` the API operation, and the message reads as boto3 prints it. So code
that catches ``client.exceptions.ExecutionDoesNotExist`` or inspects ``response["Error"]["Code"]``
works against stepflow's client unchanged.
"""
from __future__ import annotations

from typing import Any

from stepflow.asl.errors import StepflowError


class ClientError(StepflowError):
    """An API call the service refused (HTTP 400), shaped like botocore's ClientError."""

    def __init__(self, message: str, operation_name: str = "") -> None:
        self.operation_name = operation_name
        self.response: dict[str, Any] = {
            "Error": {"Code": type(self).__name__, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        super().__init__(
            f"An error occurred ({type(self).__name__}) when calling the {operation_name or 'API'} "
            f"operation: {message}"
        )


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

ERRORS: dict[str, type[ClientError]] = {
    cls.__name__: cls for cls in ClientError.__subclasses__()
}
