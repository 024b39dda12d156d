"""The benchmark workloads: each builds its definition once and says what a correct run gives."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from stepflow import StateMachine

# Each run stays under AWS's quota of 25,000 history events, which ends longer executions.
CHAIN_LENGTH = 10_000  # 20,002 events
TASK_CHAIN_LENGTH = 4_000  # 5 events a task: 20,002
MAP_ITEMS = 2_500  # 8 events an iteration: 20,004
CHOICE_TURNS = 5_000  # 4 events a turn: 20,004
PAYLOAD_STATES = 50
PAYLOAD_BYTES = 200_000


@dataclass
class Workload:
    name: str
    definition: Callable[[], dict]
    input: Callable[[], Any]
    check: Callable[[Any], None]
    note: Callable[[Any, float], str] = lambda execution, seconds: ""
    resources: dict[str, Callable[..., Any]] | None = None

    def machine(self) -> StateMachine:
        return StateMachine(self.definition(), resources=self.resources)


def pass_chain(length: int = CHAIN_LENGTH) -> dict:
    """``length`` Pass states, each with a small Parameters and ResultPath transform."""
    states = {
        f"S{i}": {
            "Type": "Pass",
            "Parameters": {"value.$": "$.value", "step": i},
            "ResultPath": "$.last",
            **({"Next": f"S{i + 1}"} if i + 1 < length else {"End": True}),
        }
        for i in range(length)
    }
    return {"StartAt": "S0", "States": states}


ECHO_ARN = "arn:aws:lambda:us-east-1:123456789012:function:Echo"
FANOUT_BRANCHES = 100


def task_chain(length: int = TASK_CHAIN_LENGTH) -> dict:
    """``length`` Lambda Task states (an echo handler), each with Parameters and ResultPath."""
    states = {
        f"T{i}": {
            "Type": "Task",
            "Resource": ECHO_ARN,
            "Parameters": {"value.$": "$.value", "step": i},
            "ResultPath": "$.last",
            **({"Next": f"T{i + 1}"} if i + 1 < length else {"End": True}),
        }
        for i in range(length)
    }
    return {"StartAt": "T0", "States": states}


def echo(event: Any, context: Any) -> Any:
    return event


def parallel_fanout(branches: int = FANOUT_BRANCHES) -> dict:
    """A Parallel state of ``branches`` branches, each 3 Pass states (state names are unique machine-wide)."""

    def branch(i: int) -> dict:
        return {
            "StartAt": f"A{i}",
            "States": {
                f"A{i}": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": f"B{i}"},
                f"B{i}": {"Type": "Pass", "Result": "b", "ResultPath": "$.b", "Next": f"C{i}"},
                f"C{i}": {"Type": "Pass", "End": True},
            },
        }

    return {"StartAt": "Fan", "States": {"Fan": {"Type": "Parallel", "Branches": [branch(i) for i in range(branches)], "End": True}}}


def inline_map() -> dict:
    """An inline Map whose iterations run 3 Pass states (the items come with the input)."""
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "A",
                    "States": {
                        "A": {"Type": "Pass", "Parameters": {"n.$": "$"}, "Next": "B"},
                        "B": {"Type": "Pass", "Result": "b", "ResultPath": "$.b", "Next": "C"},
                        "C": {"Type": "Pass", "OutputPath": "$.n", "End": True},
                    },
                },
                "End": True,
            }
        },
    }


def choice_loop(turns: int = CHOICE_TURNS) -> dict:
    """A Choice that loops back through a counting Pass ``turns`` times."""
    return {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericGreaterThanEquals": turns, "Next": "Done"}],
                "Default": "Count",
            },
            "Count": {
                "Type": "Pass",
                "Parameters": {"i.$": "States.MathAdd($.i, 1)"},
                "Next": "Check",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def payload_chain() -> dict:
    """50 Pass states moving a 200 KB payload along, each adding a small field."""
    states = {
        f"S{i}": {
            "Type": "Pass",
            "Result": i,
            "ResultPath": "$.step",
            **({"Next": f"S{i + 1}"} if i + 1 < PAYLOAD_STATES else {"End": True}),
        }
        for i in range(PAYLOAD_STATES)
    }
    return {"StartAt": "S0", "States": states}


def long_wait() -> dict:
    return {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def _payload() -> dict:
    return {"blob": ["x" * 98 for _ in range(PAYLOAD_BYTES // 100)]}


def _shares_blob(execution: Any) -> None:
    """No per-state deep copy: the big list reaching the end is the very object given as input."""
    assert execution.output["blob"] is execution.input["blob"]


def _wall_ms(execution: Any, seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms wall for 1 h virtual"


WORKLOADS = [
    Workload(
        "Pass chain: 10,000 states, Parameters+ResultPath",
        pass_chain,
        lambda: {"value": 1},
        lambda execution: None,
        lambda execution, seconds: "floor 50,000/s",
    ),
    Workload(
        "Task chain: 4,000 Lambda tasks (echo), Parameters+ResultPath",
        task_chain,
        lambda: {"value": 1},
        lambda execution: None,
        lambda execution, seconds: "target: 75% of the Pass chain's rate",
        resources={ECHO_ARN: echo},
    ),
    Workload(
        "Parallel fan-out: 100 branches x 3 Pass states",
        parallel_fanout,
        lambda: {"n": 1},
        lambda execution: None,
        lambda execution, seconds: "target: the Pass chain's rate per transition",
    ),
    Workload(
        "Inline Map: 2,500 items x 3 Pass states",
        inline_map,
        lambda: {"items": list(range(MAP_ITEMS))},
        lambda execution: None,
    ),
    Workload(
        "Choice loop: 5,000 turns",
        choice_loop,
        lambda: {"i": 0},
        lambda execution: None,
    ),
    Workload(
        "200 KB payload through 50 states",
        payload_chain,
        _payload,
        _shares_blob,
        lambda execution, seconds: "output shares the input's list (no deep copy)",
    ),
    Workload("Wait 1 hour, virtual clock", long_wait, lambda: {}, lambda execution: None, _wall_ms),
]
