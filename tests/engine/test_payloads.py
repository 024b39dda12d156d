"""PayloadEncoder: the history's JSON text of large values is made once and stays exact."""
from __future__ import annotations

import json

from stepflow import StateMachine
from stepflow.asl.paths import to_json
from stepflow.engine.payloads import LARGE, PayloadEncoder

BLOB = ["x" * 98 for _ in range(2 * LARGE // 100)]


def test_text_equals_a_plain_encoding_for_small_and_large_values():
    encoder = PayloadEncoder()
    for value in ({"a": 1}, [1, "é", None], {"blob": BLOB, "step": 1}, {"outer": {"blob": BLOB}}, "text", 3.5):
        assert encoder.encode(value) == to_json(value)


def test_a_large_child_shared_by_new_containers_is_encoded_once():
    encoder = PayloadEncoder()
    first = {"blob": BLOB, "step": 0}
    encoder.encode(first)
    assert encoder._known(BLOB)  # remembered while encoding the first container
    second = {**first, "step": 1}
    assert encoder.encode(second) == to_json(second)  # assembled around the remembered text


def test_history_of_a_large_payload_through_states_is_exact():
    states = {f"S{i}": {"Type": "Pass", "Result": i, "ResultPath": "$.step", "Next": f"S{i + 1}"} for i in range(3)}
    states["S3"] = {"Type": "Pass", "End": True}
    execution = StateMachine({"StartAt": "S0", "States": states}).run({"blob": BLOB})
    exited = [e["stateExitedEventDetails"]["output"] for e in execution.history if e["type"] == "PassStateExited"]
    assert [json.loads(text) for text in exited] == [{"blob": BLOB, "step": i} for i in (0, 1, 2, 2)]
    succeeded = next(e for e in execution.history if e["type"] == "ExecutionSucceeded")
    assert json.loads(succeeded["executionSucceededEventDetails"]["output"]) == {"blob": BLOB, "step": 2}
