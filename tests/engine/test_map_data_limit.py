"""A Map whose result can no longer fit AWS's 256 KiB payload quota fails as soon as it is over,
with the DataLimitExceeded a finished Map would give (see tests/conformance for the cause)."""
from __future__ import annotations

import pytest

from stepflow import StateMachine, VirtualClock

CAUSE = "The state/task 'M' returned a result with a size exceeding the maximum number of bytes service limit."


def big_map(concurrency: int, **fields) -> dict:
    return {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "MaxConcurrency": concurrency, **fields,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "x" * 20_000, "End": True}}}}}}


@pytest.mark.parametrize("concurrency", [1, 0])
def test_a_map_stops_once_its_result_is_over_the_quota(concurrency):
    execution = StateMachine(big_map(concurrency)).run(list(range(2_000)), clock=VirtualClock())
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "States.DataLimitExceeded", CAUSE)
    types = [event["type"] for event in execution.history]
    succeeded = types.count("MapIterationSucceeded")
    assert 13 <= succeeded <= 13 + 40  # 13 outputs of 20,000 bytes pass 262,144; in-flight ones may end
    assert types[-2:] == ["MapStateFailed", "ExecutionFailed"]


def test_the_quota_is_measured_in_utf8_bytes():
    definition = big_map(1)
    definition["States"]["M"]["ItemProcessor"]["States"]["P"]["Result"] = "é" * 10_000  # 20,000 bytes
    execution = StateMachine(definition).run(list(range(14)), clock=VirtualClock())
    assert execution.error == "States.DataLimitExceeded"
    assert [event["type"] for event in execution.history].count("MapIterationSucceeded") == 14
    assert StateMachine(definition).run(list(range(13)), clock=VirtualClock()).status == "SUCCEEDED"


@pytest.mark.parametrize("fields", [{"ResultPath": None}, {"ResultSelector": {"n": 1}}, {"OutputPath": "$[0]"}])
def test_a_large_result_that_the_output_drops_runs_every_iteration(fields):
    execution = StateMachine(big_map(0, **fields)).run(list(range(100)), clock=VirtualClock())
    assert execution.status == "SUCCEEDED"


def test_the_early_failure_can_be_caught():
    definition = big_map(1, Catch=[{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Caught"}])
    definition["States"]["M"].pop("End")
    definition["States"]["M"]["Next"] = "Done"
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    definition["States"]["Done"] = {"Type": "Pass", "End": True}
    execution = StateMachine(definition).run(list(range(2_000)), clock=VirtualClock())
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Error": "States.DataLimitExceeded", "Cause": CAUSE}
