#!/usr/bin/env python3
"""stepflow benchmarks (``python3 dev.py bench``): transitions per second and wall times for the
workloads the engine issue names, printed as a table with the machine they ran on.
``python3 dev.py bench --peers`` compares stepflow with aws-local-stepfunctions (bench/peers.py).

Timing lives here only, never in tests. Every run uses the virtual clock and history on.
"""
from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

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


def measure(workload: Workload, repeat: int) -> tuple[float, float, int, Any]:
    """Best wall and CPU times of ``repeat`` runs (compile excluded), transitions, last execution.

    CPU time (this process, all threads) is shown beside wall time because the machine is shared:
    when other processes hold the cores, wall time grows but the engine's own work does not.
    """
    machine = workload.machine()
    best_wall = best_cpu = float("inf")
    execution = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        execution = machine.run(workload.input())
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    assert execution is not None and execution.status == "SUCCEEDED", (workload.name, execution.error, execution.cause)
    workload.check(execution)
    return best_wall, best_cpu, len(execution.steps), execution


def main(argv: list[str]) -> int:
    if argv[:1] == ["--peers"]:  # stepflow beside aws-local-stepfunctions
        import peers

        return peers.main(argv[1:])
    repeat = int(argv[0]) if argv else 3
    print(f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, {platform.system()}")
    print()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (best of {repeat} runs each)")
    header = (
        f"{'workload':<48} {'states run':>10} {'wall (s)':>9} {'transitions/s':>14} "
        f"{'CPU (s)':>8} {'per CPU s':>10}  note"
    )
    print(header)
    print("-" * len(header))
    for workload in WORKLOADS:
        wall, cpu, steps, execution = measure(workload, repeat)
        rate = steps / wall if wall else float("inf")
        cpu_rate = steps / cpu if cpu else float("inf")
        print(
            f"{workload.name:<48} {steps:>10} {wall:>9.4f} {rate:>14,.0f} {cpu:>8.4f} {cpu_rate:>10,.0f}  "
            f"{workload.note(execution, wall)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
