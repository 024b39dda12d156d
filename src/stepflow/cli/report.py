"""``stepflow report``: one self-contained HTML file for a stored execution."""
from __future__ import annotations

import argparse
import re
import sys

from stepflow.cli._inputs import write_output
from stepflow.render.report import render_report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an execution's HTML report",
        description="Write one HTML file (viewable offline) with the graph and the path taken, "
        "the event table and each state's data flow.",
    )
    parser.add_argument("execution", metavar="EXECUTION_ID", help="the stored execution's ARN or name")
    parser.add_argument("--output", metavar="FILE", help="where to write (default: <execution name>.html)")
    parser.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    from stepflow.store import data_root_store

    execution = data_root_store().get(args.execution)
    output = args.output or re.sub(r"[^\w.-]", "_", execution.name) + ".html"
    write_output(output, render_report(execution))
    print(f"wrote {output}", file=sys.stderr)
    return 0
