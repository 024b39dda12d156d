#!/usr/bin/env python3
"""A template project end to end: ``stack up`` of the SAM stock-trader quick-start, its first run
(three function workers start: cold), then warm runs (workers reused), and one warm function call.

Timing lives here only, never in tests. Run: ``.venv/bin/python bench/template_project.py [repeat]``.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from stepflow.stacks import Stack

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "projects" / "sam-stock-trader-python"


def main(repeat: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="stepflow-bench-"))
    started = time.perf_counter()
    stack = Stack.from_template(PROJECT, root=root)
    up = time.perf_counter() - started
    with stack:
        machine = stack.state_machine()
        started = time.perf_counter()
        assert machine.run({}).status == "SUCCEEDED"
        cold = time.perf_counter() - started
        warm = []
        for _ in range(repeat):
            started = time.perf_counter()
            assert machine.run({}).status == "SUCCEEDED"
            warm.append(time.perf_counter() - started)
        checker = stack.handlers()[stack.record["Functions"][0]["arn"]]
        checker({}, None)
        calls = []
        for _ in range(repeat):
            started = time.perf_counter()
            checker({}, None)
            calls.append(time.perf_counter() - started)
    print(f"stack up (SAM stock trader): {up * 1000:.0f} ms")
    print(f"first run, 3 workers cold:  {cold * 1000:.0f} ms")
    print(f"warm run (median of {repeat}):  {sorted(warm)[len(warm) // 2] * 1000:.1f} ms")
    print(f"warm function call (median): {sorted(calls)[len(calls) // 2] * 1000:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
