"""``stepflow queue|topic|connection|mail``: the local queues, topics, connections and outbox,
kept in the data root between commands."""
from __future__ import annotations

import json
import os
import subprocess
import sys


def stepflow(home, *args):
    done = subprocess.run([sys.executable, "-m", "stepflow", *args], capture_output=True, text=True,
                          env={**os.environ, "STEPFLOW_HOME": str(home)})
    return done


def test_queue_and_topic_commands_survive_between_processes(tmp_path):
    url = json.loads(stepflow(tmp_path, "queue", "create", "inbox").stdout)["QueueUrl"]
    assert url.endswith("/123456789012/inbox")
    topic = json.loads(stepflow(tmp_path, "topic", "create", "alerts").stdout)["TopicArn"]
    assert topic == "arn:aws:sns:us-east-1:123456789012:alerts"
    assert stepflow(tmp_path, "topic", "subscribe", "alerts", "--protocol", "sqs",
                    "--notification-endpoint", url, "--raw-message-delivery").returncode == 0
    assert stepflow(tmp_path, "topic", "publish", "alerts", "hello").returncode == 0
    received = json.loads(stepflow(tmp_path, "queue", "receive", "inbox", "--delete").stdout)
    assert [m["Body"] for m in received["Messages"]] == ["hello"]
    assert json.loads(stepflow(tmp_path, "queue", "list").stdout)["Messages"] == {"inbox": 0}
    missing = stepflow(tmp_path, "queue", "receive", "nope")
    assert missing.returncode == 2 and "The specified queue does not exist" in missing.stderr


def test_connection_and_mail_commands(tmp_path):
    created = stepflow(tmp_path, "connection", "create", "Stripe", "--authorization-type", "API_KEY",
                       "--auth-parameters", '{"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "secret"}}')
    assert created.returncode == 0, created.stderr
    listed = stepflow(tmp_path, "connection", "list").stdout
    assert "Stripe" in listed and "secret" not in listed
    assert json.loads(stepflow(tmp_path, "mail", "list").stdout) == {"Messages": []}
