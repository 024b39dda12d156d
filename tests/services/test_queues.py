"""Local SQS queues: found by name or URL, messages hidden while received, deleted by receipt."""
from __future__ import annotations

import pytest

from stepflow.services.queues import QueueError, Queues


def test_a_received_message_comes_back_after_its_visibility_timeout_unless_deleted(tmp_path):
    queues = Queues(tmp_path)
    url = queues.create("jobs")
    queues.send(url, "one")
    (first,) = queues.receive("jobs", visibility_timeout=0)
    (again,) = queues.receive("https://sqs.eu-west-1.amazonaws.com/000000000000/jobs")  # any URL naming it
    assert again["MessageId"] == first["MessageId"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"
    queues.delete_message("jobs", first["ReceiptHandle"])  # an old receipt no longer deletes it
    assert queues.count("jobs") == 1
    queues.delete_message("jobs", again["ReceiptHandle"])
    assert queues.count("jobs") == 0


def test_delay_and_order(tmp_path):
    queues = Queues(tmp_path)
    queues.create("q")
    queues.send("q", "late", delay_seconds=60)
    queues.send("q", "a")
    queues.send("q", "b")
    assert [m["Body"] for m in queues.receive("q", max_messages=10)] == ["a", "b"]


def test_names_and_missing_queues_are_sqs_errors(tmp_path):
    queues = Queues(tmp_path)
    with pytest.raises(QueueError, match="InvalidParameterValue"):
        queues.create("bad name")
    with pytest.raises(QueueError, match="NonExistentQueue"):
        queues.send("absent", "x")
    queues.create("q")
    with pytest.raises(QueueError, match="MissingParameter"):
        queues.send("q", "")
    assert Queues(tmp_path).names() == ["q"]
