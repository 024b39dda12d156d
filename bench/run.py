#!/usr/bin/env python3
"""stepflow benchmarks (``python3 dev.py bench``): transitions per second and wall times for the
workloads the engine issue names, printed as a table with the machine they ran on.

Timing lives here only, never in tests. Every run uses the virtual clock and history on.
"""
from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workloads import WORKLOADS, Workload  # noqa: E402


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def measure(workload: Workload, repeat: int) -> tuple[float, int, Any]:
    """Best wall time of ``repeat`` runs (compile excluded), transitions and the last execution."""
    machine = workload.machine()
    best = float("inf")
    execution = None
    for _ in range(repeat):
        started = time.perf_counter()
        execution = machine.run(workload.input())
        best = min(best, time.perf_counter() - started)
    assert execution is not None and execution.status == "SUCCEEDED", (workload.name, execution.error, execution.cause)
    workload.check(execution)
    return best, len(execution.steps), execution


def main(argv: list[str]) -> int:
    repeat = int(argv[0]) if argv else 3
    print(f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, {platform.system()}")
    print()
    header = f"{'workload':<48} {'states run':>10} {'wall (s)':>9} {'transitions/s':>14}  note"
    print(header)
    print("-" * len(header))
    for workload in WORKLOADS:
        seconds, steps, execution = measure(workload, repeat)
        rate = steps / seconds if seconds else float("inf")
        print(f"{workload.name:<48} {steps:>10} {seconds:>9.4f} {rate:>14,.0f}  {workload.note(execution, seconds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
