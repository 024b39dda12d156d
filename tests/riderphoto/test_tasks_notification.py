"""NotificationPlaceholder builds the workshop's message and, with SMTP configured, emails it."""
from __future__ import annotations

import json
from email import message_from_bytes, policy

import pytest

from stepflow.riderphoto.notification import handler
from stepflow.riderphoto.stack import Stack


def caught(error, message):
    cause = {"errorMessage": message, "errorType": error, "stackTrace": []}
    return {"userId": "user_b", "s3Key": "2_sunglass_face.jpg",
            "errorInfo": {"Error": error, "Cause": json.dumps(cause)}}


@pytest.fixture(autouse=True)
def no_smtp(monkeypatch, tmp_path):
    for name in ("HOST", "PORT", "FROM", "TO"):
        monkeypatch.delenv(f"STEPFLOW_SMTP_{name}", raising=False)
    monkeypatch.setenv("STEPFLOW_HOME", str(tmp_path / "home"))


def test_message_comes_from_the_error_and_the_cause_json():
    result = handler(caught("PhotoDoesNotMeetRequirementError", "Face is wearing sunglasses"), None)
    assert result == {"messageToSend": {
        "title": "PhotoDoesNotMeetRequirementError", "message": "Face is wearing sunglasses"}}


def test_without_error_info_title_and_message_are_empty_as_in_the_original():
    assert handler({"userId": "u"}, None) == {"messageToSend": {"title": "", "message": ""}}


def test_a_cause_that_is_not_json_is_used_as_it_is():
    event = {"errorInfo": {"Error": "States.Timeout", "Cause": "took too long"}}
    assert handler(event, None)["messageToSend"]["message"] == "took too long"


def test_with_smtp_in_the_environment_the_notification_is_emailed(monkeypatch, smtp_server):
    port, inbox = smtp_server
    monkeypatch.setenv("STEPFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STEPFLOW_SMTP_PORT", str(port))
    monkeypatch.setenv("STEPFLOW_SMTP_FROM", "noreply@wildrydes.test")
    monkeypatch.setenv("STEPFLOW_SMTP_TO", "rider@wildrydes.test")
    result = handler(caught("FaceAlreadyExistsError",
                            "Face in the picture is already in the system. "), None)
    assert result["messageToSend"]["title"] == "FaceAlreadyExistsError"
    [envelope] = inbox.messages
    assert envelope.mail_from == "noreply@wildrydes.test"
    assert envelope.rcpt_tos == ["rider@wildrydes.test"]
    email = message_from_bytes(envelope.content, policy=policy.default)
    assert email["Subject"] == "Your Wild Rydes photo was not accepted: FaceAlreadyExistsError"
    body = email.get_content()
    assert "Face in the picture is already in the system." in body
    assert "user_b" in body and "2_sunglass_face.jpg" in body


def test_with_smtp_in_the_stack_settings_the_notification_is_emailed(tmp_path, smtp_server):
    port, inbox = smtp_server
    stack = Stack(tmp_path / "stack")
    stack.up(photos=tmp_path, settings={"SmtpHost": "127.0.0.1", "SmtpPort": str(port),
                                         "SmtpTo": "ops@wildrydes.test"})
    handler(caught("PhotoDoesNotMeetRequirementError", "Detected 3 faces in the photo."), None,
            stack=stack)
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["ops@wildrydes.test"]
    assert envelope.mail_from == "stepflow@localhost"
    assert "Detected 3 faces" in message_from_bytes(envelope.content, policy=policy.default).get_content()


def test_an_unreachable_smtp_server_fails_the_task(monkeypatch):
    monkeypatch.setenv("STEPFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STEPFLOW_SMTP_PORT", "1")
    monkeypatch.setenv("STEPFLOW_SMTP_TO", "rider@wildrydes.test")
    with pytest.raises(OSError):
        handler(caught("PhotoDoesNotMeetRequirementError", "Detected 0 faces in the photo."), None)
