#!/usr/bin/env python3
"""The rider-photo batch (definitions/rider-photo-batch.asl.json) on the fixture photos: photos/s
on threads, a process pool and a local Dask cluster with 1 and 2 workers, against the same photos
run one by one in a loop. Run: ``.venv/bin/python bench/riderphoto_batch.py [WORKERS...]``.

Worker processes start by importing dlib and loading its models (a few seconds each), which a
batch of a few dozen photos does not amortise; the loop and threads pay that once, up front.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from stepflow.riderphoto.batch import run_batch_demo


def main(argv: list[str]) -> int:
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok = True
    for workers in [int(a) for a in argv] or [1, 2]:
        with tempfile.TemporaryDirectory() as base:
            ok = run_batch_demo(Path(base), sys.stdout, workers=workers) and ok
        print()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
