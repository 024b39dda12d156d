"""The rider-photo workflow at scale: ``definitions/rider-photo-batch.asl.json`` enrolls a whole
bucket of rider photos (keys ``<userId>/<photo>``) with a Distributed Map whose children each run
the workflow, and writes the results with ResultWriter.

``run_batch_demo`` runs it on the shared fixture photos with threads, a process pool and a local
Dask cluster (each on a fresh data root, so each enrolls the same faces), prints photos/s for each
and for the same photos run one by one in a loop, and checks that every way gave the same outcome
for every photo. One photo per person is taken, so no outcome depends on which child indexed a
face first.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from stepflow.machine import StateMachine
from stepflow.riderphoto.analysis import clear_cache
from stepflow.riderphoto.stack import Stack, bindings
from stepflow.runtime.clock import RealClock
from stepflow.settings import fixtures_dir

REPO_ROOT = Path(__file__).resolve().parents[3]
BATCH_DEFINITION = REPO_ROOT / "definitions" / "rider-photo-batch.asl.json"
SINGLE_DEFINITION = REPO_ROOT / "definitions" / "rider-photo-processing-4.asl.json"
PHOTO_BUCKET = "wildrydes-batch-photos"
RESULTS_BUCKET = "wildrydes-batch-results"
WORKERS = 2
EXECUTORS = {"threads": "threads:{}", "processes": "processes:{}", "dask": "local:{}"}  # by number of workers


@dataclass
class BatchRun:
    """How one way of running the batch went: seconds, and each photo's outcome by key."""

    name: str
    seconds: float
    outcomes: dict[str, str]

    @property
    def photos_per_second(self) -> float:
        return len(self.outcomes) / self.seconds if self.seconds else 0.0


def batch_photos(photos: Path) -> dict[str, Path]:
    """``<userId>/<photo>`` keys for the fixture photos, one photo per labelled person."""
    manifest = json.loads((photos / "manifest.json").read_text())
    chosen: dict[str, Path] = {}
    people: set[str] = set()
    for image in manifest["images"]:
        person = image["labels"].get("person_id")
        if person is not None and person in people:
            continue
        people.add(person)
        user = re.sub(r"[^A-Za-z0-9_-]", "_", person or f"rider_{Path(image['file']).stem}")
        chosen[f"{user}/{image['file']}"] = photos / image["file"]
    return chosen


def prepare(root: Path, photos: dict[str, Path]) -> Stack:
    """A fresh local stack in ``root`` with the photo and results buckets filled in."""
    stack = Stack(root)
    stack.up(photos=root / "none")  # the workshop's own four photos are not part of the batch
    buckets = stack.buckets
    for bucket in (PHOTO_BUCKET, RESULTS_BUCKET):
        buckets.create(bucket)
    for key, path in photos.items():
        buckets.put(PHOTO_BUCKET, key, path.read_bytes())
    return stack


def run_batch(root: Path, name: str, map_executor: Any, workers: int = WORKERS) -> BatchRun:
    """The batch definition once on ``root``'s photo bucket; outcomes read from its result files."""
    resources, substitutions = bindings(root)
    machine = StateMachine.from_file(
        BATCH_DEFINITION, resources=resources, substitutions=substitutions, clock=RealClock(),
        map_executor=map_executor,
    )
    machine.map_runs.data_root = str(root)
    try:
        started = time.perf_counter()
        execution = machine.run({"photoBucket": PHOTO_BUCKET, "resultsBucket": RESULTS_BUCKET, "maxConcurrency": workers})
        seconds = time.perf_counter() - started
    finally:
        machine.close()
    if execution.status != "SUCCEEDED":
        raise RuntimeError(f"the batch {name} ended {execution.status}: {execution.error}: {execution.cause}")
    return BatchRun(name, seconds, _outcomes_from_results(Stack(root), execution.output))


def run_loop(root: Path) -> BatchRun:
    """The same photos through the single-photo workflow, one execution after another."""
    resources, substitutions = bindings(root)
    machine = StateMachine.from_file(SINGLE_DEFINITION, resources=resources, substitutions=substitutions, clock=RealClock())
    stack = Stack(root)
    outcomes = {}
    started = time.perf_counter()
    for key in stack.buckets.keys(PHOTO_BUCKET):
        execution = machine.run({"userId": key.split("/")[0], "s3Bucket": PHOTO_BUCKET, "s3Key": key})
        outcomes[key] = outcome(execution.status, execution.output, execution.error)
    return BatchRun("loop", time.perf_counter() - started, outcomes)


def outcome(status: str, output: Any, error: str | None) -> str:
    """``enrolled``, the notification's title the rider is sent, or the child's error."""
    if status != "SUCCEEDED":
        return f"{status}: {error}"
    notice = output.get("messageToSend") if isinstance(output, dict) else None
    return notice["title"] if notice else "enrolled"


def _outcomes_from_results(stack: Stack, output: dict[str, Any]) -> dict[str, str]:
    details = output["ResultWriterDetails"]
    manifest = json.loads(stack.buckets.get(details["Bucket"], details["Key"]))
    outcomes = {}
    for status, files in manifest["ResultFiles"].items():
        for entry in files:
            for record in json.loads(stack.buckets.get(details["Bucket"], entry["Key"])):
                key = json.loads(record["Input"])["s3Key"]
                result = json.loads(record["Output"]) if "Output" in record else None
                outcomes[key] = outcome(record.get("Status", status), result, record.get("Error"))
    return outcomes


def run_batch_demo(
    base: Path, out: TextIO, executors: tuple[str, ...] = tuple(EXECUTORS), workers: int = WORKERS
) -> bool:
    """Each way on a fresh data root under ``base``; True when all gave the loop's outcomes."""
    photos = batch_photos(fixtures_dir())
    print(f"{len(photos)} photos (one per person) from {fixtures_dir()}, {workers} workers\n", file=out)
    runs = []
    loop_root = base / "loop"
    prepare(loop_root, photos)
    runs.append(run_loop(loop_root))
    for name in executors:
        root = base / name
        prepare(root, photos)
        clear_cache()  # threads share this process's cache of analysed photos with the loop
        runs.append(run_batch(root, name, EXECUTORS[name].format(workers), workers))
    reference = runs[0].outcomes
    agree = True
    for run in runs:
        same = run.outcomes == reference
        agree = agree and same
        print(f"{run.name:<10} {run.seconds:7.2f} s  {run.photos_per_second:6.2f} photos/s  "
              f"{'same outcomes as the loop' if same else 'DIFFERENT outcomes'}", file=out)
    counts: dict[str, int] = {}
    for result in reference.values():
        counts[result] = counts.get(result, 0) + 1
    print("\noutcomes: " + ", ".join(f"{n} {what}" for what, n in sorted(counts.items())), file=out)
    return agree
