"""``stepflow demo``: the rider-photo workflow on the workshop's validation inputs (README's first command)."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from stepflow.asl.errors import StepflowError
from stepflow.settings import fixtures_dir

EXIT_WRONG_OUTCOME = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the rider-photo workflow on the workshop's inputs on a fresh data root"
    )
    parser.add_argument(
        "--home", type=Path,
        help="data root to use (new or empty folder; default: a fresh temporary folder, kept)",
    )
    parser.add_argument(
        "--batch", action="store_true",
        help="run definitions/rider-photo-batch.asl.json (a Distributed Map over a bucket of photos) "
             "on threads, a process pool and a local Dask cluster, and print photos/s for each",
    )
    parser.add_argument(
        "--executors", default="threads,processes,dask",
        help="with --batch: which of threads, processes, dask to run (comma-separated)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from stepflow.riderphoto.demo import run_demo  # imports face_recognition: only when asked

    if not fixtures_dir().is_dir():
        raise StepflowError(f"the fixture photos are not at {fixtures_dir()} (set STEPFLOW_FIXTURES)")
    if args.home is None:
        root = Path(tempfile.mkdtemp(prefix="stepflow-demo-"))
    else:
        root = args.home.resolve()
        if root.exists() and any(root.iterdir()):
            raise StepflowError(f"--home {root} is not empty; the demo needs a fresh data root")
    if args.batch:
        from stepflow.riderphoto.batch import EXECUTORS, run_batch_demo

        chosen = tuple(name.strip() for name in args.executors.split(",") if name.strip())
        unknown = sorted(set(chosen) - set(EXECUTORS))
        if unknown:
            raise StepflowError(f"--executors: unknown {', '.join(unknown)}; choose from {', '.join(EXECUTORS)}")
        ok = run_batch_demo(root, sys.stdout, chosen)
        print(f"\nresults: STEPFLOW_HOME={root}/<way> stepflow bucket ls wildrydes-batch-results")
        return 0 if ok else EXIT_WRONG_OUTCOME
    ok = run_demo(root, sys.stdout)
    print(f"\ninspect it with STEPFLOW_HOME={root} and: stepflow executions list | "
          "stepflow report 01-user_a-1_happy_face | stepflow table scan | "
          "stepflow collection list-faces")
    return 0 if ok else EXIT_WRONG_OUTCOME
