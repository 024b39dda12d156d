"""The rider-photo demo: the workshop's validation, run end to end on a fresh local stack.

It brings the workshop's stack up from its SAM template (``definitions/rider-photo-stack``, each
function in its own process as on Lambda) on a fresh data root, puts the photos into the rider
photo bucket, runs RiderPhotoProcessing-4 on each input of ``fixtures/riderphoto/validation.json`` (the workshop's
user_a..user_d, then the same face under a new userId, then a second photo of an indexed person),
prints what happened, shows the thumbnails and table items written, and reports whether every
outcome is the one the workshop describes. Then it does the same, on the stack brought up afresh,
with RiderPhotoProcessing-SDK (``rider-photo-processing-sdk.asl.json``: Rekognition, DynamoDB and
SES called directly by the state machine, only the thumbnail a function). The executions of both
are saved in the data root's execution store, for the render and report commands.
"""
from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from PIL import Image

from stepflow.runtime.clock import RealClock
from stepflow.engine.execution import Execution
from stepflow.machine import StateMachine
from stepflow.render import terminal
from stepflow.riderphoto.stack import STACK_NAME, Stack, bindings
from stepflow.stacks import Stack as TemplateStack
from stepflow.settings import fixtures_dir
from stepflow.store import ExecutionStore

REPO_ROOT = Path(__file__).resolve().parents[3]
SDK_MACHINE = "RiderPhotoProcessing-SDK"
VALIDATION_FILE = REPO_ROOT / "fixtures" / "riderphoto" / "validation.json"
TEMPLATE = REPO_ROOT / "definitions" / "rider-photo-stack" / "template.yaml"


@dataclass(frozen=True)
class Outcome:
    """What one run did, in the terms the workshop describes it."""

    status: str
    path: list[str]  # top-level states visited, in order
    branches: list[list[str]]  # states visited in each Parallel branch, by branch index
    error: str | None  # the caught (or uncaught) error
    message: str | None  # the errorMessage the rider is told
    seconds: float

    @property
    def reason(self) -> str:
        return f"{self.error}: {self.message.strip()}" if self.error else "-"


def outcome_of(execution: Execution, seconds: float) -> Outcome:
    """Read the outcome from the execution: its top-level path, branches and notification."""
    path = [step.name for step in execution.steps if step.scope == ()]
    by_branch: dict[int, list[str]] = {}
    for step in execution.steps:
        if len(step.scope) == 2 and isinstance(step.scope[1], int):
            by_branch.setdefault(step.scope[1], []).append(step.name)
    output = execution.output
    notice = output.get("messageToSend") if isinstance(output, dict) else None
    if notice:
        error, message = notice["title"], notice["message"]
    elif execution.status != "SUCCEEDED":
        error, message = execution.error, execution.cause
    else:
        error, message = None, None
    branches = [by_branch[index] for index in sorted(by_branch)]
    return Outcome(execution.status, path, branches, error, message, seconds)


def mismatches(
    outcome: Outcome, expect: dict[str, Any], indexed: set[str], user: str, path_key: str = "path"
) -> list[str]:
    """How ``outcome`` differs from the validation file's expectation (empty when it matches);
    ``path_key`` names the expected path of the definition run (``path`` or ``sdk_path``)."""
    problems = []
    for field, expected in (("status", expect["status"]), ("path", expect[path_key]),
                            ("error", expect["error"]), ("message", expect["message"])):
        if getattr(outcome, field) != expected:
            problems.append(f"{field} {getattr(outcome, field)!r}, expected {expected!r}")
    if (user in indexed) != expect["indexed"]:
        problems.append(f"indexed {user in indexed}, expected {expect['indexed']}")
    return problems


def load_validation(path: Path = VALIDATION_FILE) -> dict[str, Any]:
    return json.loads(path.read_text())


def run_demo(
    root: Path, out: TextIO, photos: Path | None = None, validation_file: Path = VALIDATION_FILE
) -> bool:
    """Run the whole demo on the (fresh) data root ``root``; True when every outcome is right."""
    validation = load_validation(validation_file)
    photos = photos or fixtures_dir()
    stack = Stack(root)
    with TemplateStack.from_template(TEMPLATE, name=STACK_NAME, root=root) as template_stack:
        outputs = template_stack.outputs
        bucket = outputs["RiderPhotoS3Bucket"]
        print(f"data root: {root}", file=out)
        print(f"stack up from {TEMPLATE.relative_to(REPO_ROOT)}: buckets {bucket}, "
              f"{outputs['ThumbnailS3Bucket']}; table {outputs['RiderPhotoDDBTable']}; "
              f"collection {stack.collection_id}", file=out)
        for name in validation["photos"]:
            stack.buckets.put(bucket, name, (photos / name).read_bytes())
        print(f"put {len(validation['photos'])} photos into s3://{bucket}/", file=out)
        # Real dates in the stored executions (there are no Wait states).
        machine = template_stack.state_machine("RiderPhotoProcessing", clock=RealClock())
        definition = REPO_ROOT / validation["definition"]
        print(f"running {definition.relative_to(REPO_ROOT)} on {len(validation['runs'])} inputs, "
              "each function in its own process\n", file=out)
        failures = _run_cases(machine, stack, bucket, validation, root, out, "path")
    failures += _run_sdk_definition(stack, validation, photos, root, out)
    if failures:
        print("\nNOT as the workshop describes:", *failures, sep="\n  ", file=out)
        return False
    print("\nevery outcome is as the workshop describes, with both definitions", file=out)
    return True


def _run_sdk_definition(stack: Stack, validation: dict[str, Any], photos: Path, root: Path, out: TextIO) -> list[str]:
    """The same inputs through the definition with direct integrations, on a stack brought up
    afresh (an empty collection and table, as the workshop's validation assumes)."""
    stack.down()
    bucket = stack.up(photos=photos)["RiderPhotoS3Bucket"]
    for name in validation["photos"]:
        stack.buckets.put(bucket, name, (photos / name).read_bytes())
    resources, substitutions = bindings(root)
    definition = REPO_ROOT / validation["sdk_definition"]
    machine = StateMachine.from_file(definition, name=SDK_MACHINE, resources=resources,
                                     substitutions=substitutions, clock=RealClock(), data_root=root)
    print(f"\nstack brought up afresh; running {definition.relative_to(REPO_ROOT)} on "
          f"{len(validation['runs'])} inputs (Rekognition, DynamoDB and SES called by the state machine)\n",
          file=out)
    return _run_cases(machine, stack, bucket, validation, root, out, "sdk_path")


def _run_cases(machine: StateMachine, stack: Stack, bucket: str, validation: dict[str, Any], root: Path,
               out: TextIO, path_key: str) -> list[str]:
    """Run every validation input; the mismatches found, each naming the machine and the input."""
    store = ExecutionStore(root)
    rows, failures = [], []
    for number, case in enumerate(validation["runs"], 1):
        event = {**case["input"], "s3Bucket": bucket}
        started = time.perf_counter()
        execution = machine.run(event, name=execution_name(number, event))
        outcome = outcome_of(execution, time.perf_counter() - started)
        store.save(execution)
        faces = stack.collections.list_faces(stack.collection_id)
        indexed = {face.get("ExternalImageId") for face in faces}
        problems = mismatches(outcome, case["expect"], indexed, event["userId"], path_key)
        failures.extend(f"{machine.name} {event['userId']} {event['s3Key']}: {p}" for p in problems)
        rows.append((event["s3Key"], event["userId"], outcome, "ok" if not problems else "WRONG"))
    print_table(rows, out)
    print_written(stack, out)
    return failures


def execution_name(number: int, event: dict[str, Any]) -> str:
    """A readable execution name (AWS allows letters, digits, - and _), e.g. 01-user_a-1_happy_face."""
    raw = f"{number:02d}-{event['userId']}-{Path(event['s3Key']).stem}"
    return re.sub(r"[^A-Za-z0-9_-]", "_", raw)[:80]


def visited(outcome: Outcome) -> str:
    parts = []
    for name in outcome.path:
        if name == "ParallelProcessing" and outcome.branches:
            parts.append(f"{name}[{' | '.join(' > '.join(b) for b in outcome.branches)}]")
        else:
            parts.append(name)
    return " > ".join(parts)


def print_table(rows: list[tuple[str, str, Outcome, str]], out: TextIO) -> None:
    header = ("photo", "userId", "status", "states visited", "reason", "time", "check")
    cells = [
        (photo, user, o.status, visited(o), o.reason, f"{o.seconds:.2f}s", check)
        for photo, user, o, check in rows
    ]
    terminal.print_table(header, cells, out)


def print_written(stack: Stack, out: TextIO) -> None:
    print(f"\nthumbnails in s3://{stack.thumbnail_bucket}/:", file=out)
    for key in stack.buckets.keys(stack.thumbnail_bucket):
        path = stack.buckets.path(stack.thumbnail_bucket, key)
        with Image.open(io.BytesIO(path.read_bytes())) as image:
            print(f"  {key}  {image.format} {image.width}x{image.height}  {path}", file=out)
    print(f"\nitems in table {stack.table}:", file=out)
    for item in stack.tables.scan(stack.table):
        print(f"  {json.dumps(item, sort_keys=True)}", file=out)
    faces = stack.collections.list_faces(stack.collection_id)
    print(f"\nfaces in collection {stack.collection_id}: "
          + ", ".join(f"{f['ExternalImageId']} ({f['FaceId']})" for f in faces), file=out)
