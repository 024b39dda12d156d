#!/usr/bin/env python3
"""JSONata benchmark: a chain of JSONata Pass states with small Arguments-like Output expressions
and an Assign, plus a chain of Tasks with Arguments and Output, reported as transitions per second
(issue target: >= 5,000/s on the project's 2-core machine).

Timing lives here only, never in tests. Every run uses the virtual clock, with history on.
Run: ``.venv/bin/python bench/jsonata_chain.py [states] [repeat]``.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any

from stepflow import StateMachine

FN = "arn:aws:lambda:us-east-1:123456789012:function:step"


def pass_chain(length: int) -> dict[str, Any]:
    """Each state adds one to a counter read from its input and remembers the last step in a variable."""
    states: dict[str, Any] = {}
    for index in range(length):
        state: dict[str, Any] = {
            "Type": "Pass",
            "Output": {"count": "{% $states.input.count + 1 %}", "name": "{% $states.input.name %}"},
            "Assign": {"last": index},
        }
        state.update({"Next": f"S{index + 1}"} if index < length - 1 else {"End": True})
        states[f"S{index}"] = state
    return {"QueryLanguage": "JSONata", "StartAt": "S0", "States": states}


def task_chain(length: int) -> dict[str, Any]:
    """Each Task gets small Arguments and shapes its result with Output."""
    states: dict[str, Any] = {}
    for index in range(length):
        state: dict[str, Any] = {
            "Type": "Task",
            "Resource": FN,
            "Arguments": {"n": "{% $states.input.n %}"},
            "Output": {"n": "{% $states.result.n %}"},
        }
        state.update({"Next": f"T{index + 1}"} if index < length - 1 else {"End": True})
        states[f"T{index}"] = state
    return {"QueryLanguage": "JSONata", "StartAt": "T0", "States": states}


def measure(machine: StateMachine, payload: Any, repeat: int) -> tuple[float, float, int, Any]:
    """Best wall and CPU seconds of ``repeat`` runs (compiling excluded) and the states run."""
    best_wall = best_cpu = float("inf")
    execution = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        execution = machine.run(payload)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    assert execution is not None and execution.status == "SUCCEEDED", (execution.error, execution.cause)
    return best_wall, best_cpu, len(execution.steps), execution


def main(argv: list[str]) -> int:
    length = int(argv[0]) if argv else 2000
    repeat = int(argv[1]) if len(argv) > 1 else 3
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, best of {repeat}")
    cases = [
        ("JSONata Pass chain (Output + Assign)", StateMachine(pass_chain(length)), {"count": 0, "name": "bench"}),
        (
            "JSONata Task chain (Arguments + Output)",
            StateMachine(task_chain(length), resources={FN: lambda event, context: {"n": event["n"] + 1}}),
            {"n": 0},
        ),
    ]
    for title, machine, payload in cases:
        wall, cpu, states, execution = measure(machine, payload, repeat)
        print(f"{title:<42} {states:>6} states  {wall:7.3f} s  {states / wall:9,.0f} transitions/s  "
              f"({states / cpu:,.0f} per CPU second)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
