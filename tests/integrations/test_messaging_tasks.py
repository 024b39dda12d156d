"""SQS and SNS tasks on local queues and topics, also as callbacks (.waitForTaskToken).

Evidence: LocalStack's AWS-validated recordings, tests/aws/services/stepfunctions/v2/services/
test_sqs_task_service.snapshot.json (sendMessage: MD5OfMessageBody, MessageId, SdkHttpMetadata),
test_sns_task_service.snapshot.json (publish: MessageId, SdkHttpMetadata with text/xml;
test_publish_base_error_topic_arn: SNS.NotFoundException, "Topic does not exist (Service:
AmazonSNS; Status Code: 404; Error Code: NotFound; ...)") and .../error_handling/
test_task_service_sqs.snapshot.json (test_send_message_empty_body: SQS.AmazonSQSException,
"The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400;
Error Code: MissingParameter; ...)"; test_sqs_failure_in_wait_for_task_token).
"""
from __future__ import annotations

import hashlib
import json
import threading
import time

from stepflow import StateMachine
from stepflow.services.mail import Outbox
from stepflow.services.queues import Queues
from stepflow.services.topics import Topics

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:OnPublish"


def run(resource, parameters, resources=None):
    return StateMachine({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}}},
        resources=resources).run({})


def test_send_message_puts_json_text_into_the_queue(stepflow_home):
    queues = Queues(stepflow_home)
    url = queues.create("orders")
    execution = run("arn:aws:states:::sqs:sendMessage", {"QueueUrl": url, "MessageBody": {"order": 1}})
    assert execution.status == "SUCCEEDED", execution.cause
    out = execution.output
    assert out["MD5OfMessageBody"] == hashlib.md5(b'{"order":1}').hexdigest()
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 200
    (message,) = Queues(stepflow_home).receive("orders")  # a new instance: it is on disk
    assert (message["MessageId"], message["Body"]) == (out["MessageId"], '{"order":1}')
    assert Queues(stepflow_home).receive("orders") == []  # hidden for its visibility timeout


def test_send_message_errors_as_recorded(stepflow_home):
    url = Queues(stepflow_home).create("orders")
    empty = run("arn:aws:states:::sqs:sendMessage", {"QueueUrl": url})
    assert empty.error == "SQS.AmazonSQSException"
    assert empty.cause.startswith("The request must contain the parameter MessageBody. (Service: AmazonSQS; "
                                  "Status Code: 400; Error Code: MissingParameter; Request ID: ")
    missing = run("arn:aws:states:::sqs:sendMessage", {"QueueUrl": url + "-nope", "MessageBody": "x"})
    assert missing.error == "SQS.QueueDoesNotExistException"


def test_send_message_wait_for_task_token_is_answered_by_a_consumer(stepflow_home):
    url = Queues(stepflow_home).create("work")
    machine = StateMachine({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
        "End": True}}})

    def consumer():
        while True:
            for message in Queues(stepflow_home).receive("work"):
                body = json.loads(message["Body"])
                machine.resources.callbacks.send_success(body["token"], {"doubled": body["n"] * 2})
                return
            time.sleep(0.01)

    threading.Thread(target=consumer, daemon=True).start()
    execution = machine.run({"n": 21})
    assert execution.output == {"doubled": 42}
    kinds = [e["type"] for e in execution.history]
    assert kinds[kinds.index("TaskScheduled"):kinds.index("TaskSucceeded") + 1] == [
        "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    submitted = next(e for e in execution.history if e["type"] == "TaskSubmitted")["taskSubmittedEventDetails"]
    assert (submitted["resourceType"], submitted["resource"]) == ("sqs", "sendMessage.waitForTaskToken")


def test_publish_delivers_to_queue_email_and_function_subscriptions(stepflow_home, monkeypatch):
    monkeypatch.delenv("STEPFLOW_SMTP_HOST", raising=False)
    topics, queues = Topics(stepflow_home), Queues(stepflow_home)
    topic = topics.create("alerts")
    queues.create("inbox")
    queues.create("raw")
    topics.subscribe(topic, "sqs", queues.arn("inbox"))
    topics.subscribe(topic, "sqs", queues.url("raw"), raw=True)
    topics.subscribe(topic, "email", "ops@wildrydes.test")
    topics.subscribe(topic, "lambda", FUNCTION)
    seen = []
    execution = run("arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": {"level": "high"},
                                                      "Subject": "Alert"},
                    resources={FUNCTION: lambda event, context: seen.append(event)})
    assert execution.status == "SUCCEEDED", execution.cause
    message_id = execution.output["MessageId"]
    assert execution.output["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"] == "text/xml"
    envelope = json.loads(queues.receive("inbox")[0]["Body"])
    assert (envelope["Type"], envelope["MessageId"], envelope["TopicArn"], envelope["Message"]) == (
        "Notification", message_id, topic, '{"level":"high"}')
    assert queues.receive("raw")[0]["Body"] == '{"level":"high"}'
    (mail,) = Outbox(stepflow_home).messages()
    assert (mail["To"], mail["Subject"], mail["Text"]) == (["ops@wildrydes.test"], "Alert", '{"level":"high"}')
    assert seen[0]["Records"][0]["Sns"]["MessageId"] == message_id


def test_publish_to_a_missing_topic_as_recorded(stepflow_home):
    execution = run("arn:aws:states:::sns:publish",
                    {"TopicArn": "arn:aws:sns:us-east-1:123456789012:nope", "Message": "x"})
    assert execution.error == "SNS.NotFoundException"
    assert execution.cause.startswith("Topic does not exist (Service: AmazonSNS; Status Code: 404; "
                                      "Error Code: NotFound; Request ID: ")


def test_publish_wait_for_task_token_failure_is_the_answers_error(stepflow_home):
    """test_sqs_failure_in_wait_for_task_token: TaskFailed carries the SendTaskFailure error and cause."""
    topics, queues = Topics(stepflow_home), Queues(stepflow_home)
    topic = topics.create("jobs")
    queues.create("jobs")
    topics.subscribe(topic, "sqs", "jobs", raw=True)
    machine = StateMachine({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
        "Parameters": {"TopicArn": topic, "Message.$": "$$.Task.Token"}, "End": True}}})

    def consumer():
        while True:
            for message in Queues(stepflow_home).receive("jobs"):
                machine.resources.callbacks.send_failure(message["Body"], "Failure error", "Failure cause")
                return
            time.sleep(0.01)

    threading.Thread(target=consumer, daemon=True).start()
    execution = machine.run({})
    assert (execution.error, execution.cause) == ("Failure error", "Failure cause")
