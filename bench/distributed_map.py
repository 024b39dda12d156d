#!/usr/bin/env python3
"""Distributed Map benchmarks: items/s through a Map Run of one Pass state in-process, per-item
cost on a process pool and on a local Dask cluster (1 and 2 workers, batched and unbatched), and
a 1,000,000-line JSONL ItemReader streamed through children into ResultWriter files with its peak
memory (``KEEP_CHILDREN=1`` keeps each child's summary for ListExecutions, as the default does).
Run: ``.venv/bin/python bench/distributed_map.py [pass|dask|jsonl|all] [ITEMS]``.

Timing lives here only, never in tests.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stepflow import StateMachine

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def pass_map(**fields) -> dict:
    return {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, **PASS}, **fields, "End": True}}}


def timed(machine: StateMachine, value, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        execution = machine.run(value)
        best = min(best, time.perf_counter() - started)
        assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    return best


def bench_pass(items: int) -> None:
    values = list(range(items))
    seconds = timed(StateMachine(pass_map()), values, repeat=3)
    print(f"Pass children, threads (in-process), {items:,} items: {seconds:.2f} s, {items / seconds:,.0f} items/s")
    seconds = timed(StateMachine(pass_map(ItemBatcher={"MaxItemsPerBatch": 100})), values, repeat=3)
    print(f"  batched 100 per child: {seconds:.2f} s, {items / seconds:,.0f} items/s")


def bench_dask(items: int) -> None:
    import distributed

    values = list(range(items))
    for workers in (1, 2):
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = distributed.Client(cluster)
        try:
            for label, fields in (("unbatched", {}), ("batched 100 per child", {"ItemBatcher": {"MaxItemsPerBatch": 100}})):
                machine = StateMachine(pass_map(**fields), map_executor=client)
                timed(machine, values[:50])  # workers import stepflow and compile the processor once
                seconds = timed(machine, values)
                children = items if not fields else -(-items // 100)
                print(f"Dask local:{workers}, {label}, {items:,} items: {seconds:.2f} s, {items / seconds:,.0f} items/s, "
                      f"{seconds / children * 1e3:.2f} ms per child execution")
        finally:
            client.close()
            cluster.close()
    machine = StateMachine(pass_map(), map_executor="processes:2")
    try:
        timed(machine, values[:50])
        seconds = timed(machine, values)
        print(f"process pool of 2, unbatched, {items:,} items: {seconds:.2f} s, {items / seconds:,.0f} items/s")
    finally:
        machine.close()


def bench_jsonl(lines: int) -> None:
    """In a fresh process, so its peak resident memory is this workload's alone."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "STEPFLOW_HOME": home}
        subprocess.run([sys.executable, __file__, "_jsonl", str(lines)], env=env, check=True)


def _jsonl_child(lines: int) -> None:
    from stepflow.services.buckets import Buckets
    from stepflow.settings import data_root

    buckets = Buckets(data_root())
    buckets.create("data")
    buckets.put_stream("data", "rows.jsonl", (
        json.dumps({"id": i, "name": f"rider-{i}", "score": i % 97}).encode() + b"\n" for i in range(lines)
    ))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    definition = pass_map(
        ItemReader={"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                    "Parameters": {"Bucket": "data", "Key": "rows.jsonl"}},
        ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "data", "Prefix": "out"},
                      "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}},
        MaxConcurrency=1000,
    )
    machine = StateMachine(definition)
    machine.map_runs.keep_children = os.environ.get("KEEP_CHILDREN") == "1"
    seconds = timed(machine, {})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    written = sum(Path(p).stat().st_size for p in (Path(data_root()) / "buckets" / "data" / "out").rglob("*.json"))
    print(f"JSONL ItemReader, {lines:,} lines -> {lines:,} children -> ResultWriter ({written / 1e6:.0f} MB): "
          f"{seconds:.1f} s, {lines / seconds:,.0f} items/s, peak RSS {peak / 1024:.0f} MB "
          f"({before / 1024:.0f} MB before the run; child summaries {'kept' if machine.map_runs.keep_children else 'not kept'})")


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "all"
    if which == "_jsonl":
        _jsonl_child(int(argv[1]))
        return 0
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    count = int(argv[1]) if len(argv) > 1 else None
    if which in ("pass", "all"):
        bench_pass(count or 10_000)
    if which in ("dask", "all"):
        bench_dask(count or 10_000)
    if which in ("jsonl", "all"):
        bench_jsonl(count or 1_000_000)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
