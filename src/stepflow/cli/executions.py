"""``stepflow executions list|show|history|map-runs``: the stored executions, as the AWS CLI shows them.

``--json`` prints exactly the JSON shapes of ``aws stepfunctions list-executions``,
``describe-execution`` and ``get-execution-history`` (timestamps in ISO 8601, AWS CLI v2's default);
without it a table for people. ``map-runs`` shows an execution's Distributed Map runs
(``describe-map-run``'s fields) and, with ``--children``, their child executions.
"""
from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from stepflow.api.shapes import EXECUTION_STATUSES, describe_execution, list_item
from stepflow.render.terminal import print_table
from stepflow.store import data_root_store, iso_datetimes, state_machine_name


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "executions", help="list and inspect stored executions",
        description="The executions `stepflow run` kept in the data root's execution store.",
    )
    commands = parser.add_subparsers(dest="executions_command", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="like aws stepfunctions list-executions")
    listing.add_argument("--state-machine", metavar="ARN|NAME", help="only this state machine's executions")
    listing.add_argument("--status", type=str.upper, choices=EXECUTION_STATUSES, help="only executions with this status")
    listing.add_argument("--json", action="store_true", help="list-executions' JSON")
    listing.set_defaults(handler=list_command)
    for name, helptext, handler in (
        ("show", "like aws stepfunctions describe-execution", show_command),
        ("history", "like aws stepfunctions get-execution-history", history_command),
    ):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("id", metavar="ID", help="the execution's ARN or name")
        command.add_argument("--json", action="store_true", help=f"{helptext.split()[-1]}'s JSON")
        command.set_defaults(handler=handler)
    runs = commands.add_parser("map-runs", help="an execution's Map Runs, like aws stepfunctions describe-map-run")
    runs.add_argument("id", metavar="ID", help="the execution's ARN or name")
    runs.add_argument("--children", action="store_true", help="also list each Map Run's child executions")
    runs.add_argument("--json", action="store_true", help="describe-map-run's JSON for each, with its children")
    runs.set_defaults(handler=map_runs_command)


def list_command(args: argparse.Namespace) -> int:
    executions = data_root_store().list(state_machine=args.state_machine, status=args.status)
    if args.json:
        _print_json({"executions": [list_item(e) for e in executions]})
        return 0
    rows = [(e.name, e.status, _when(e.start_date), _when(e.stop_date), state_machine_name(e.state_machine_arn))
            for e in executions]
    print_table(("NAME", "STATUS", "STARTED", "STOPPED", "STATE MACHINE"), rows)
    return 0


def show_command(args: argparse.Namespace) -> int:
    execution = data_root_store().get(args.id)
    described = describe_execution(execution)
    if args.json:
        _print_json(described)
        return 0
    width = max(len(k) for k in described)
    for key, value in described.items():
        if key.endswith("Details"):
            continue
        shown = _when(value) if isinstance(value, datetime) else value
        print(f"{key:<{width}}  {shown}")
    return 0


def history_command(args: argparse.Namespace) -> int:
    events = data_root_store().get(args.id).history
    if args.json:
        _print_json({"events": events})
        return 0
    rows = []
    for event in events:
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        summary = details.get("name") or details.get("error") or details.get("resource") or ""
        if "index" in details:
            summary = f"{summary} #{details['index']}"
        rows.append((str(event["id"]), str(event["previousEventId"]), str(event["timestamp"]), event["type"], summary))
    print_table(("ID", "PREV", "TIMESTAMP", "TYPE", "STEP / DETAIL"), rows)
    return 0


def map_runs_command(args: argparse.Namespace) -> int:
    store = data_root_store()
    runs = store.map_runs(store.get(args.id).execution_arn)
    if args.json:
        _print_json({"mapRuns": runs if args.children else [{k: v for k, v in r.items() if k != "children"} for r in runs]})
        return 0
    if not runs:
        print("no Map Runs in this execution")
        return 0
    columns = ("succeeded", "failed", "timedOut", "aborted", "pending", "total")
    rows = [(run["label"], run["status"], *(str(run["executionCounts"][c]) for c in columns), run["mapRunArn"])
            for run in runs]
    print_table(("LABEL", "STATUS", *(c.upper() for c in columns), "MAP RUN"), rows)
    for run in runs if args.children else ():
        print(f"\n{run['label']}: {len(run['children'])} child executions")
        print_table(("NAME", "STATUS", "STARTED", "STOPPED", "ERROR"), [
            (c["name"], c["status"], c["start_date"][:19].replace("T", " "), (c["stop_date"] or "-")[:19].replace("T", " "),
             c["error"] or "") for c in run["children"]
        ])
    return 0


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=4, ensure_ascii=False, default=iso_datetimes))


def _when(moment: datetime | None) -> str:
    return moment.isoformat(sep=" ", timespec="seconds") if moment else "-"
