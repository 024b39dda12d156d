"""EventBridge event patterns and input transformers, with the EventBridge user guide's examples."""
from __future__ import annotations

import json

import pytest

from stepflow.services.event_patterns import InvalidEventPattern, check_pattern, matches, transform

# The EventBridge user guide's sample event ("Creating event patterns").
EVENT = {
    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2", "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5, "d-count": 0.5},
}


@pytest.mark.parametrize("pattern, expected", [
    ({"source": ["aws.ec2"]}, True),
    ({"source": ["aws.s3"]}, False),
    ({"detail": {"state": ["running", "terminated"]}}, True),
    ({"detail": {"state": [{"anything-but": "terminated"}]}}, False),
    ({"detail": {"state": [{"anything-but": ["running", "stopped"]}]}}, True),
    ({"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}, False),
    ({"detail": {"instance-id": [{"prefix": "i-12"}]}}, True),
    ({"detail": {"instance-id": [{"suffix": "def0"}]}}, True),
    ({"detail": {"state": [{"equals-ignore-case": "TERMINATED"}]}}, True),
    ({"detail": {"state": [{"wildcard": "term*ed"}]}}, True),
    ({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
    ({"detail": {"d-count": [{"numeric": ["<", 0.5]}]}}, False),
    ({"detail": {"missing": [{"exists": False}]}}, True),
    ({"detail": {"state": [{"exists": False}]}}, False),
    ({"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}, True),  # any element
    ({"$or": [{"source": ["aws.s3"]}, {"detail": {"c-count": [5]}}]}, True),
    ({"detail": {"c-count": ["5"]}}, False),  # types must match: 5 is not "5"
])
def test_patterns_match_as_the_user_guide_describes(pattern, expected):
    check_pattern(pattern)
    assert matches(pattern, EVENT) is expected


@pytest.mark.parametrize("pattern", [{}, {"source": "aws.ec2"}, {"source": []}, {"$or": [{"a": [1]}]}])
def test_patterns_eventbridge_refuses_are_refused(pattern):
    with pytest.raises(InvalidEventPattern):
        check_pattern(pattern)


def test_the_input_transformer_quotes_text_and_keeps_json_values():
    """User guide, "Input transformation": inside quotes a value is text, outside it is JSON."""
    transformer = {
        "InputPathsMap": {"instance": "$.detail.instance-id", "state": "$.detail.state", "count": "$.detail.c-count",
                          "nothing": "$.detail.absent"},
        "InputTemplate": '{"instance": "<instance>", "state": <state>, "count": <count>, "text": "n=<count>", '
                         '"none": <nothing>, "rule": "<aws.events.rule-name>", "path": "s3://b/<instance>"}',
    }

    assert json.loads(transform(transformer, EVENT, "my-rule")) == {
        "instance": "i-1234567890abcdef0", "state": "terminated", "count": 5, "text": "n=5", "none": None,
        "rule": "my-rule", "path": "s3://b/i-1234567890abcdef0",
    }
