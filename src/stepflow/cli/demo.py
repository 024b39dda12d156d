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
    ok = run_demo(root, sys.stdout)
    print(f"\ninspect it with STEPFLOW_HOME={root} and: stepflow executions list | "
          "stepflow report 01-user_a-1_happy_face | stepflow table scan | "
          "stepflow collection list-faces")
    return 0 if ok else EXIT_WRONG_OUTCOME
