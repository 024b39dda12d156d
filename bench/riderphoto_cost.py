#!/usr/bin/env python3
"""Cost per photo of the rider-photo workflow, cold (a fresh ``stepflow run`` process) and warm.

    .venv/bin/python bench/riderphoto_cost.py [--repeats 3]

cold: ``python -m stepflow run definitions/rider-photo-processing-4.asl.json --stack riderphoto
      --json`` in a new process per photo, start to exit (interpreter, imports, model loading,
      the run); beside it the same command for a definition that never reaches a face task
      (``validate``), the process's floor.
warm: RiderPhotoProcessing-4 in one process whose models are loaded, each photo new to the
      analysis cache (decode, detection passes, landmarks, encoding, eyewear, the six tasks).
Best of --repeats; the machine is shared, so CPU time is printed too.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stepflow.machine import StateMachine  # noqa: E402
from stepflow.riderphoto import analysis, face_models  # noqa: E402
from stepflow.riderphoto.stack import Stack, bindings  # noqa: E402
from stepflow.settings import fixtures_dir  # noqa: E402

DEFINITION = ROOT / "definitions" / "rider-photo-processing-4.asl.json"
PHOTOS = ("1_happy_face.jpg", "2_sunglass_face.jpg", "3_multiple_faces.jpg", "4_no_face.jpg",
          "single_obama_a.jpg", "odd_large_dani_3088px.jpg")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold(photo: str, repeats: int) -> tuple[float, float, str]:
    """Best wall time and its CPU time of a fresh ``stepflow run`` on ``photo``, and the outcome."""
    best = (float("inf"), 0.0, "")
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "STEPFLOW_HOME": home}
            stack = Stack(Path(home))
            stack.up(photos=Path(home) / "none")
            stack.buckets.put(stack.rider_photo_bucket, photo, (fixtures_dir() / photo).read_bytes())
            event = json.dumps({"userId": "u", "s3Bucket": stack.rider_photo_bucket, "s3Key": photo})
            cpu = _children_cpu()
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "stepflow", "run", str(DEFINITION), "--stack", "riderphoto",
                                   "--input", event, "--json"], env=env, capture_output=True, text=True, check=True)
            wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
            result = json.loads(done.stdout)
            output = result["output"] or {}
            outcome = output.get("messageToSend", {}).get("message", result["status"]) if isinstance(output, dict) else ""
            best = min(best, (wall, cpu, outcome))
    return best


def floor(repeats: int) -> float:
    """A ``stepflow validate`` process on the same definition: interpreter and imports, no faces."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "stepflow", "validate", str(DEFINITION)], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def warm(photo: str, repeats: int) -> tuple[float, float]:
    """Best wall and CPU time of one workflow run on a photo new to the analysis cache."""
    best = (float("inf"), 0.0)
    data = (fixtures_dir() / photo).read_bytes()
    with tempfile.TemporaryDirectory() as home:
        stack = Stack(Path(home))
        stack.up(photos=Path(home) / "none")
        resources, substitutions = bindings(Path(home))
        machine = StateMachine.from_file(DEFINITION, resources=resources, substitutions=substitutions)
        for attempt in range(repeats):
            key = f"{attempt}-{photo}"
            stack.buckets.put(stack.rider_photo_bucket, key, data)
            analysis.clear_cache()
            cpu, started = time.process_time(), time.perf_counter()
            machine.run({"userId": f"user{attempt}", "s3Bucket": stack.rider_photo_bucket, "s3Key": key})
            best = min(best, (time.perf_counter() - started, time.process_time() - cpu))
            for face in stack.collections.list_faces(stack.collection_id):  # each run meets an empty collection
                stack.collections.delete_faces(stack.collection_id, [face["FaceId"]])
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"process floor (stepflow validate, no face models): {floor(args.repeats) * 1000:.0f} ms")
    started = time.perf_counter()
    face_models.hog_detector(), face_models.shape_predictor(), face_models.encoder(), face_models.cnn_detector()
    print(f"loading the models in this process: {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"{'photo':28}{'cold wall':>11}{'cold cpu':>10}{'warm wall':>11}{'warm cpu':>10}  outcome")
    for photo in PHOTOS:
        cold_wall, cold_cpu, outcome = cold(photo, args.repeats)
        warm_wall, warm_cpu = warm(photo, args.repeats)
        print(f"{photo:28}{cold_wall * 1000:>9.0f}ms{cold_cpu * 1000:>8.0f}ms{warm_wall * 1000:>9.0f}ms"
              f"{warm_cpu * 1000:>8.0f}ms  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
