"""SES tasks: the message is kept in the data root's outbox and delivered through SMTP when set.

Request and response shapes: the SES API references, SendEmail (v2: FromEmailAddress,
Destination, Content.Simple; v1: Source, Destination, Message; both answer {"MessageId"}).
"""
from __future__ import annotations

from email import message_from_bytes, policy

from stepflow import StateMachine
from stepflow.services.mail import Outbox

V2 = {"FromEmailAddress": "noreply@wildrydes.test", "Destination": {"ToAddresses": ["rider@wildrydes.test"]},
      "Content": {"Simple": {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Your photo"}}}}}


def send(resource, parameters):
    return StateMachine({"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}}}).run({})


def test_sesv2_send_email_is_kept_in_the_outbox(stepflow_home, monkeypatch):
    monkeypatch.delenv("STEPFLOW_SMTP_HOST", raising=False)
    execution = send("arn:aws:states:::aws-sdk:sesv2:sendEmail", V2)
    assert execution.status == "SUCCEEDED", execution.cause
    (kept,) = Outbox(stepflow_home).messages()
    assert execution.output == {"MessageId": kept["MessageId"]}
    assert (kept["From"], kept["To"], kept["Subject"], kept["Text"]) == (
        "noreply@wildrydes.test", ["rider@wildrydes.test"], "Hello", "Your photo")
    events = [e["type"] for e in execution.history]
    assert "TaskSucceeded" in events


def test_ses_v1_send_email_is_delivered_through_smtp(stepflow_home, monkeypatch, smtp_server):
    port, inbox = smtp_server
    monkeypatch.setenv("STEPFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STEPFLOW_SMTP_PORT", str(port))
    execution = send("arn:aws:states:::aws-sdk:ses:sendEmail", {
        "Source": "noreply@wildrydes.test", "Destination": {"ToAddresses": ["a@x.test"], "CcAddresses": ["b@x.test"]},
        "Message": {"Subject": {"Data": "Refused"}, "Body": {"Text": {"Data": "sunglasses"}}}})
    assert execution.status == "SUCCEEDED", execution.cause
    (envelope,) = inbox.messages
    assert sorted(envelope.rcpt_tos) == ["a@x.test", "b@x.test"]
    email = message_from_bytes(envelope.content, policy=policy.default)
    assert email["Subject"] == "Refused" and email.get_content().strip() == "sunglasses"


def test_unreachable_smtp_server_and_incomplete_message_fail_the_task(stepflow_home, monkeypatch):
    monkeypatch.setenv("STEPFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STEPFLOW_SMTP_PORT", "9")
    execution = send("arn:aws:states:::aws-sdk:sesv2:sendEmail", V2)
    assert execution.error == "SesV2.MessageRejectedException"
    assert Outbox(stepflow_home).messages() == []
    execution = send("arn:aws:states:::aws-sdk:sesv2:sendEmail", {**V2, "Destination": {}})
    assert execution.error == "SesV2.BadRequestException"
