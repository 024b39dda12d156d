#!/usr/bin/env python3
"""Rider-photo benchmark: workflow overhead per photo, throughput, and face search at scale.

    .venv/bin/python bench/riderphoto.py [--photos 50] [--sizes 10000,100000,1000000]

1. Per photo: RiderPhotoProcessing-4's wall time against the bare cost of one decode + one
   detection + one encoding of that photo (analysis.analyse_decoded). Target <= 1.2x.
2. Throughput: N photos (distinct content: fixtures re-encoded) through the workflow on 1 and 2
   worker threads.
3. Face search: SearchFacesByImage's vectorised pass over 10k / 100k / 1M indexed faces (random
   unit vectors indexed through the real API, persisted in SQLite). Target: 1M under 200 ms.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stepflow.machine import StateMachine  # noqa: E402
from stepflow.riderphoto import analysis  # noqa: E402
from stepflow.riderphoto.stack import Stack, bindings  # noqa: E402
from stepflow.services.faces import FaceCollections  # noqa: E402
from stepflow.settings import fixtures_dir  # noqa: E402

DEFINITION = ROOT / "definitions" / "rider-photo-processing-4.asl.json"
OVERHEAD_PHOTOS = (
    "1_happy_face.jpg", "2_sunglass_face.jpg", "3_multiple_faces.jpg", "4_no_face.jpg",
    "single_obama_a.jpg", "single_biden_a.jpg", "single_synth05.jpg", "odd_large_dani_3088px.jpg",
)


def fresh_machine(root: Path) -> tuple[Stack, StateMachine]:
    stack = Stack(root)
    stack.up(photos=root / "no-photos")
    resources, substitutions = bindings(root)
    return stack, StateMachine(DEFINITION, resources=resources, substitutions=substitutions)


def best_of(repeats: int, work) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def overhead(repeats: int) -> list[dict]:
    """Workflow time / bare analysis time per photo (cache cleared before each timing)."""
    rows = []
    for name in OVERHEAD_PHOTOS:
        data = (fixtures_dir() / name).read_bytes()

        def bare() -> None:
            analysis.analyse_decoded(data)

        def workflow(cached: bool) -> None:
            with tempfile.TemporaryDirectory() as home:
                stack, machine = fresh_machine(Path(home))
                stack.buckets.put(stack.rider_photo_bucket, name, data)
                if cached:
                    analysis.analyse_photo(data)
                else:
                    analysis.clear_cache()
                started = time.perf_counter()
                execution = machine.run(
                    {"userId": "user_a", "s3Bucket": stack.rider_photo_bucket, "s3Key": name}
                )
                timings.append(time.perf_counter() - started)
                assert execution.status == "SUCCEEDED", execution.error

        bare()  # warm the models
        bare_seconds = best_of(repeats, bare)
        timings: list[float] = []
        for _ in range(repeats):
            workflow(cached=False)
        cold = min(timings)
        # The workflow's own cost, measured apart from detection (analysis already cached):
        # on a shared, busy machine this is the steadier figure.
        timings.clear()
        for _ in range(repeats):
            workflow(cached=True)
        rows.append({"photo": name, "bare_s": bare_seconds, "workflow_s": cold,
                     "ratio": cold / bare_seconds, "own_s": min(timings),
                     "ratio_from_own": (bare_seconds + min(timings)) / bare_seconds})
    return rows


def distinct_photos(count: int) -> list[tuple[str, bytes]]:
    """``count`` photos with distinct bytes: the accepted-format fixtures, re-encoded in turn."""
    manifest = json.loads((fixtures_dir() / "manifest.json").read_text())
    sources = [p["file"] for p in manifest["images"]
               if p["format"] in ("JPEG", "PNG") and p["labels"].get("valid_image") is not False]
    photos = []
    for index in range(count):
        name = sources[index % len(sources)]
        data = (fixtures_dir() / name).read_bytes()
        if index >= len(sources):  # a second pass: same picture, different bytes
            with Image.open(io.BytesIO(data)) as image:
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=90 - index % 7)
                data = out.getvalue()
            name = f"copy{index}_{Path(name).stem}.jpg"
        photos.append((name, data))
    return photos


def throughput(count: int, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as home:
        stack, machine = fresh_machine(Path(home))
        photos = distinct_photos(count)
        for name, data in photos:
            stack.buckets.put(stack.rider_photo_bucket, name, data)
        analysis.clear_cache()

        def one(item: tuple[int, str]) -> str:
            index, name = item
            return machine.run({"userId": f"user_{index}", "s3Bucket": stack.rider_photo_bucket,
                                "s3Key": name}).status

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            statuses = list(pool.map(one, enumerate(name for name, _ in photos)))
        seconds = time.perf_counter() - started
    return {"workers": workers, "photos": count, "seconds": seconds, "photos_per_s": count / seconds,
            "statuses": {s: statuses.count(s) for s in set(statuses)}}


def search_at(sizes: list[int], batch: int = 50_000) -> list[dict]:
    rows = []
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as home:
        collections = FaceCollections(Path(home))
        collections.create_collection("bench")
        indexed = 0
        for size in sizes:
            started = time.perf_counter()
            while indexed < size:
                n = min(batch, size - indexed)
                block = rng.normal(size=(n, 128)).astype(np.float32)
                block /= np.linalg.norm(block, axis=1, keepdims=True)
                collections.index_faces("bench", block, [{"ExternalImageId": "u"}] * n)
                indexed += n
            index_seconds = time.perf_counter() - started
            probe = rng.normal(size=128)
            probe /= np.linalg.norm(probe)
            collections.search("bench", probe, 70, 3)  # warm
            times = []
            for _ in range(10):
                started = time.perf_counter()
                collections.search("bench", probe, 70, 3)
                times.append(time.perf_counter() - started)
            cold = FaceCollections(Path(home))  # another instance, same process cache
            started = time.perf_counter()
            FaceCollections._cache.clear()
            cold.search("bench", probe, 70, 3)
            load_seconds = time.perf_counter() - started
            rows.append({"faces": size, "search_ms_median": 1000 * statistics.median(times),
                         "search_ms_max": 1000 * max(times), "first_search_after_load_s": load_seconds,
                         "index_s": index_seconds})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()

    print("1. workflow wall time vs bare decode + detect + encode (best of %d)" % args.repeats)
    for row in overhead(args.repeats):
        print(f"   {row['photo']:<28} bare {row['bare_s'] * 1000:6.1f} ms  workflow "
              f"{row['workflow_s'] * 1000:6.1f} ms  ratio {row['ratio']:.2f}  | workflow's own "
              f"{row['own_s'] * 1000:5.1f} ms -> ratio {row['ratio_from_own']:.2f}")
    print(f"2. throughput, {args.photos} distinct photos through the workflow")
    for workers in (1, 2):
        row = throughput(args.photos, workers)
        print(f"   {workers} worker(s): {row['seconds']:.1f} s, {row['photos_per_s']:.2f} photos/s "
              f"{row['statuses']}")
    print("3. face search (FaceMatchThreshold 70, MaxFaces 3)")
    for row in search_at([int(s) for s in args.sizes.split(",")]):
        print(f"   {row['faces']:>9,} faces: median {row['search_ms_median']:6.1f} ms, max "
              f"{row['search_ms_max']:6.1f} ms; first search after loading from SQLite "
              f"{row['first_search_after_load_s']:.2f} s; indexing took {row['index_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
