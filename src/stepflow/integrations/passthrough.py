"""Pass-through: a service API stepflow does not emulate, sent with boto3 to an endpoint you name.

Any ``arn:aws:states:::aws-sdk:SERVICE:ACTION`` (and any optimized ``arn:aws:states:::SERVICE:API``
request-response task) not served locally is called as ``boto3.client(SERVICE).action(**Parameters)``
on the endpoint set for that service, as AWS SDKs read it: ``AWS_ENDPOINT_URL_<SERVICE_ID>``
(``AWS_ENDPOINT_URL_SECRETS_MANAGER``) or ``AWS_ENDPOINT_URL`` for every service: LocalStack,
a moto server, MiniStack, or AWS itself. The answer is the SDK's response (without
ResponseMetadata; dates as ISO 8601 text, streams read as text); a service error fails the task
as the SDK integration names it: ``SERVICE.CODEException`` with the cause
``MESSAGE (Service: SERVICE, Status Code: N, Request ID: ID)``. Without boto3 or without an
endpoint the Resource is refused where it stands, saying what it needs (``requirement``).
"""
from __future__ import annotations

import base64
import os
import re
from datetime import date, datetime
from typing import Any

from stepflow.asl.errors import ASLError
from stepflow.integrations.aws_service import parameters_of, within_limits
from stepflow.integrations.base import Integration, TaskCall, runtime_failure, task_names

# Step Functions' service names that differ from boto3's client names.
_CLIENT_NAMES = {"sfn": "stepfunctions", "eventbridge": "events", "states": "stepfunctions"}


def _client_name(resource: str) -> tuple[str, str]:
    """(boto3 client name, operation in snake_case) for a service integration ARN."""
    service, action = task_names(resource)
    service = service.removeprefix("aws-sdk:")
    operation = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", action.split(".", 1)[0]).lower()
    return _CLIENT_NAMES.get(service, service), operation


def _endpoint_variable(client_name: str) -> str:
    """The per-service endpoint variable the AWS SDKs read (``AWS_ENDPOINT_URL_SECRETS_MANAGER``)."""
    try:
        import botocore.session
    except ImportError:
        return f"AWS_ENDPOINT_URL_{client_name.upper()}"
    service_id = botocore.session.get_session().get_service_model(client_name).service_id
    return "AWS_ENDPOINT_URL_" + str(service_id).upper().replace(" ", "_").replace("-", "_")


def requirement(resource: str) -> str | None:
    """What sending ``resource`` through boto3 still needs, or None when it can go."""
    try:
        import boto3  # noqa: F401
    except ImportError:
        return "install boto3 (pip install 'stepflow[aws]') and name an endpoint in AWS_ENDPOINT_URL_<SERVICE>"
    client_name, _ = _client_name(resource)
    try:
        variable = _endpoint_variable(client_name)
    except Exception:  # botocore's UnknownServiceError
        return f"boto3 knows no service named {client_name!r}"
    if not os.environ.get(variable) and not os.environ.get("AWS_ENDPOINT_URL"):
        return f"set {variable} (or AWS_ENDPOINT_URL) to the endpoint to send it to"
    return None


def _json(value: Any) -> Any:
    """An SDK response as JSON: dates as ISO 8601 text, bytes and streams as text."""
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "read"):
        return _json(value.read())
    return value


class PassThrough(Integration):
    def __init__(self, resource: str) -> None:
        super().__init__(resource)
        self.client_name, self.operation = _client_name(resource)

    def invoke(self, call: TaskCall) -> Any:
        missing = requirement(self.resource)
        if missing:
            raise runtime_failure(f"state {call.state_name!r}: {self.resource} is not emulated by stepflow; {missing}")
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

        request = parameters_of(call.parameters, call.state_name, self.resource)
        client = boto3.session.Session(region_name=call.resources.region).client(self.client_name)
        method = getattr(client, self.operation, None)
        if method is None:
            raise runtime_failure(f"state {call.state_name!r}: boto3's {self.client_name} client has no "
                                  f"operation {self.operation!r} ({self.resource})")
        try:
            return within_limits(call, lambda: _json(method(**request)))
        except ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code", "Unknown")
            meta = error.response.get("ResponseMetadata", {})
            prefix = str(client.meta.service_model.service_id).replace(" ", "")
            exception = code if code.endswith("Exception") else f"{code}Exception"
            raise ASLError(
                f"{prefix}.{exception}",
                f"{details.get('Message', '')} (Service: {prefix}, Status Code: "
                f"{meta.get('HTTPStatusCode', 400)}, Request ID: {meta.get('RequestId', '')})",
            ) from None
        except ParamValidationError as invalid:
            raise ASLError("States.TaskFailed", str(invalid)) from None
        except BotoCoreError as failed:  # unreachable endpoint, ...
            prefix = str(client.meta.service_model.service_id).replace(" ", "")
            raise ASLError(f"{prefix}.SdkClientException", f"Unable to execute HTTP request: {failed}") from None
