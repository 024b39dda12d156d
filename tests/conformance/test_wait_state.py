"""Wait state: which timestamps AWS accepts, and how it fails on the others.

Evidence: localstack/localstack
- ``tests/aws/services/stepfunctions/v2/base/test_wait.snapshot.json`` (test_wait_timestamppath with
  suffixes Z, .000000Z, .000Z, .0000000Z, .00Z accepted; '', .000000, .000 rejected);
- ``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json``
  (test_wait_timestamp[SECONDS], test_wait_timestamp_path[NO_T|NO_Z|INVALID_DATE|INVALID_TIME|INVALID_ISO|NANOSECONDS],
  test_wait_timestamp_invalid[...]: the definition is refused with SCHEMA_VALIDATION_FAILED at
  /States/WaitUntil/Timestamp).
"""
from __future__ import annotations

import pytest

from stepflow import DefinitionError, StateMachine

from .recorded import assert_links, details, run

WAITED = [("ExecutionStarted", 0), ("WaitStateEntered", 0), ("WaitStateExited", 2), ("ExecutionSucceeded", 3)]
REFUSED = [("ExecutionStarted", 0), ("WaitStateEntered", 0), ("ExecutionFailed", 2)]
BAD_TIMESTAMPS = {
    "NO_T": "2016-12-05 21:29:29Z",
    "NO_Z": "2016-12-05T21:29:29",
    "INVALID_DATE": "2016-13-05T21:29:29Z",
    "INVALID_TIME": "2016-12-05T25:29:29Z",
    "INVALID_ISO": "05-12-2016T21:29:29Z",
}


def wait_until(**fields) -> dict:
    return {"StartAt": "WaitUntil", "States": {"WaitUntil": {"Type": "Wait", "End": True, **fields}}}


@pytest.mark.parametrize("fraction", ["Z", ".000000Z", ".000Z", ".0000000Z", ".00Z", ".123456789Z"])
def test_timestamp_path_accepts_any_fraction_with_a_zone(fraction):
    state_input = {"TimestampValue": f"2016-12-05T21:29:29{fraction}"}
    execution = run(wait_until(TimestampPath="$.TimestampValue"), state_input)
    assert_links(execution, WAITED)
    assert details(execution, 3) == {"name": "WaitUntil", "output": state_input, "outputDetails": {"truncated": False}}


@pytest.mark.parametrize("value", [*BAD_TIMESTAMPS.values(), "2016-12-05T21:29:29.000", "2016-12-05T21:29:29.000000"])
def test_timestamp_path_without_a_valid_zoned_timestamp_is_a_runtime_error(value):
    execution = run(wait_until(TimestampPath="$.TimestampValue"), {"TimestampValue": value})
    assert_links(execution, REFUSED)
    failed = details(execution, 3)
    assert failed["error"] == "States.Runtime"
    assert failed["cause"] == (
        "An error occurred while executing the state 'WaitUntil' (entered at the event id #2). "
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: "
        f"$.TimestampValue == {value}"
    )


@pytest.mark.parametrize("value", BAD_TIMESTAMPS.values(), ids=BAD_TIMESTAMPS.keys())
def test_invalid_literal_timestamp_is_refused_with_the_definition(value):
    with pytest.raises(DefinitionError) as refused:
        StateMachine(wait_until(Timestamp=value))
    assert [(d.code, d.message, d.location) for d in refused.value.diagnostics] == [
        ("SCHEMA_VALIDATION_FAILED", "String does not match RFC3339 timestamp", "/States/WaitUntil/Timestamp")
    ]


def test_wait_until_a_past_timestamp_passes_its_input_through():
    execution = run(wait_until(Timestamp="2016-12-05T21:29:29Z"), {})
    assert_links(execution, WAITED)
    assert details(execution, 4) == {"output": {}, "outputDetails": {"truncated": False}}
