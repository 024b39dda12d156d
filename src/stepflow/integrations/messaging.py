"""SQS and SNS tasks on the local queues and topics (optimized integrations).

- ``arn:aws:states:::sqs:sendMessage`` (and ``.waitForTaskToken``): ``QueueUrl``, ``MessageBody``
  (a JSON value other than a string is sent as its JSON text), ``MessageAttributes``,
  ``DelaySeconds``; answers ``{MD5OfMessageBody, MessageId}`` with SdkHttpMetadata;
- ``arn:aws:states:::sns:publish`` (and ``.waitForTaskToken``): ``TopicArn``, ``Message``,
  ``Subject``, ``MessageAttributes``; answers ``{MessageId}`` with SdkHttpMetadata; the topic's
  subscriptions receive it (queues, email, local handlers registered for the function ARN).
Evidence: LocalStack's AWS-validated recordings tests/aws/services/stepfunctions/v2/services/
test_sqs_task_service.snapshot.json, test_sns_task_service.snapshot.json and .../error_handling/
test_task_service_sqs.snapshot.json (SQS.AmazonSQSException for a missing MessageBody,
SNS.NotFoundException "Topic does not exist" with status 404).
"""
from __future__ import annotations

import json
from typing import Any

from stepflow.asl.errors import ASLError
from stepflow.integrations.aws_service import ServiceNames, parameters_of, service_error, with_http_metadata
from stepflow.integrations.base import Integration, TaskCall
from stepflow.integrations.lambda_context import LambdaContext
from stepflow.integrations.lambda_runtime import function_not_found, run_handler
from stepflow.services.queues import QueueError, Queues
from stepflow.services.topics import TopicError, Topics

SQS_SEND = "arn:aws:states:::sqs:sendMessage"
SNS_PUBLISH = "arn:aws:states:::sns:publish"
SQS_NAMES = ServiceNames("SQS", "AmazonSQS", "AmazonSQSException", "Sqs", "Sqs", "SqsException",
                         modeled=frozenset({"AWS.SimpleQueueService.NonExistentQueue"}))
SNS_NAMES = ServiceNames("SNS", "AmazonSNS", "AmazonSNSException", "Sns", "Sns", "SnsException",
                         modeled=frozenset({"NotFound", "InvalidParameter"}))


def _text(value: Any) -> Any:
    """A message as Step Functions sends it: a string as it is, any other JSON value as JSON text."""
    return value if isinstance(value, str) or value is None else json.dumps(value, separators=(",", ":"))


class SendMessage(Integration):
    patterns = frozenset({"waitForTaskToken"})

    def invoke(self, call: TaskCall) -> Any:
        request = parameters_of(call.parameters, call.state_name, self.resource)
        try:
            sent = Queues(call.resources.data_root).send(
                request.get("QueueUrl") or "", _text(request.get("MessageBody")),
                request.get("MessageAttributes"), int(request.get("DelaySeconds") or 0),
            )
        except QueueError as error:
            exception = "QueueDoesNotExistException" if error.code.endswith("NonExistentQueue") else None
            raise service_error(SQS_NAMES, error.code, error.message, sdk=False, exception=exception) from None
        return with_http_metadata(sent, call.clock.now(), "application/x-amz-json-1.0")


class Publish(Integration):
    patterns = frozenset({"waitForTaskToken"})

    def invoke(self, call: TaskCall) -> Any:
        request = parameters_of(call.parameters, call.state_name, self.resource)

        def run_function(function_arn: str, event: dict[str, Any]) -> None:
            function = call.resources.function(function_arn)
            if function.handler is None:
                raise function_not_found(function.arn)
            try:
                run_handler(function.handler, event, LambdaContext(function.name, function.arn, None))
            except ASLError:
                pass  # SNS invokes a subscribed function asynchronously: its failure is not the publisher's

        try:
            message_id = Topics(call.resources.data_root).publish(
                request.get("TopicArn") or "", _text(request.get("Message")), request.get("Subject"),
                request.get("MessageAttributes"), run_function,
            )
        except TopicError as error:
            status = 404 if error.code == "NotFound" else 400
            raise service_error(SNS_NAMES, error.code, error.message, sdk=False, status=status) from None
        return with_http_metadata({"MessageId": message_id}, call.clock.now(), "text/xml")
