"""One self-contained HTML file for an execution: the graph with the path taken, the event table and
each state's data flow, the graph's states linking to their data flow. No network is needed to view
it: styles and script are inline, the graph is inline SVG (Graphviz's layout when ``dot`` is
installed, else grandalf's layered layout, see ``layout_svg``).

The page is the Jinja2 template ``templates/report.html.j2`` (with ``report.css`` and ``report.js``);
this module gathers what it shows.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from stepflow.render.graph import Graph, build_graph
from stepflow.render.layout_svg import graph_svg
from stepflow.render.overlay import STATUS_COLOURS, Overlay, build_overlay
from stepflow.render.timeline import timeline_bars, timeline_svg
from stepflow.render.trace import data_flow

VISITS_SHOWN = 50  # per state: a Map over thousands of items keeps the file readable
EVENTS_SHOWN = 2000
# The AWS console's legend names, where it has one.
_STATUS_NAMES = {"succeeded": "Succeeded", "failed": "Failed", "caught": "Caught error", "aborted": "Cancelled",
                 "entered": "In progress", "not_reached": "Not reached"}
_CHANGE_KINDS = {"+": "add", "-": "del", "~": "mod"}


def render_report(execution: Any) -> str:
    """The report of an execution (``stepflow.Execution`` or one read from the store) as HTML text."""
    graph = build_graph(execution.definition)
    overlay = build_overlay(graph, execution.history)
    return _template().render(
        execution=execution,
        summary=_summary(execution),
        legend=_legend(),
        graph_svg=Markup(graph_svg(graph, overlay, links=True)),  # our own SVG, its texts escaped
        timeline_svg=Markup(timeline_svg(timeline_bars(execution.history, execution.steps))),
        states=_states(graph, overlay, execution.steps),
        **_events(execution.history),
    ) + "\n"


# The report's sections, for the console's execution page (``stepflow serve``), which shows them too.

def legend() -> str:
    return str(_parts().legend(_legend()))


def data_flows(graph: Graph, overlay: Overlay, steps: list[Any]) -> str:
    return str(_parts().data_flow(_states(graph, overlay, steps)))


def events_table(history: list[dict[str, Any]]) -> str:
    events = _events(history)
    return str(_parts().events(events["events"], events["event_count"], events["hidden_events"]))


def report_css() -> str:
    return _environment().loader.get_source(_environment(), "report.css")[0]  # type: ignore[union-attr]


def report_script() -> str:
    return _environment().loader.get_source(_environment(), "report.js")[0]  # type: ignore[union-attr]


def _legend() -> list[tuple[str, str, str]]:
    return [(_STATUS_NAMES[status], fill, stroke) for status, (fill, stroke, _) in STATUS_COLOURS.items()]


def _events(history: list[dict[str, Any]]) -> dict[str, Any]:
    shown: list[dict[str, Any] | None] = list(history)
    if len(shown) > EVENTS_SHOWN:  # the start and the end; the CLI prints the whole history
        half = EVENTS_SHOWN // 2
        shown = [*shown[:half], None, *shown[-half:]]
    return {
        "events": [None if event is None else _event(event) for event in shown],
        "event_count": len(history),
        "hidden_events": len(history) - EVENTS_SHOWN,
    }


def _parts() -> Any:
    return _environment().get_template("report_parts.html.j2").module


def visit_rows(step: Any) -> str:
    """A visit's data flow as HTML table rows (the notebook's step tables use the report's rows)."""
    return str(_environment().get_template("visit_rows.html.j2").module.visit_rows(_visit(step, 1, 1)))


def _template() -> jinja2.Template:
    return _environment().get_template("report.html.j2")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("stepflow.render", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["pretty"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return environment


def _summary(execution: Any) -> list[tuple[str, str]]:
    rows = [("Execution ARN", execution.execution_arn), ("State machine", execution.state_machine_arn),
            ("Started", execution.start_date.isoformat()),
            ("Stopped", execution.stop_date.isoformat() if execution.stop_date else "—")]
    if execution.stop_date:
        rows.append(("Duration", f"{(execution.stop_date - execution.start_date).total_seconds():g} s"))
    if execution.error is not None:
        rows.append(("Error", execution.error))
    if execution.cause is not None:
        rows.append(("Cause", execution.cause))
    return rows


def _states(graph: Graph, overlay: Overlay, steps: list[Any]) -> list[dict[str, Any]]:
    by_name: dict[str, list[Any]] = {}
    for step in steps:
        by_name.setdefault(step.name, []).append(step)
    states = []
    for node_id, node in graph.nodes.items():
        if node.state_type in ("Start", "End"):
            continue
        run = overlay.run(node_id)
        visits = by_name.get(node.name, [])
        states.append({
            "node_id": node_id, "name": node.name, "type": node.state_type, "status": run.status,
            "status_name": _STATUS_NAMES[run.status], "badge": run.badge(),
            "visits": [_visit(step, number, len(visits)) for number, step in enumerate(visits[:VISITS_SHOWN], 1)],
            "more": max(0, len(visits) - VISITS_SHOWN),
        })
    return states


def _visit(step: Any, number: int, total: int) -> dict[str, Any]:
    where = " / ".join(f"{o} #{i}" for o, i in zip(step.scope[::2], step.scope[1::2]))
    heading = f"Visit {number} of {total}" if total > 1 else "Visit"
    heading += f" · in {where}" if where else ""
    stages = [
        {"label": stage.label, "note": stage.note, "value": stage.value,
         "changes": [{"kind": _CHANGE_KINDS[sign], "sign": sign, "key": key,
                      "value": None if sign == "-" else _compact(value)} for sign, key, value in stage.changes]}
        for stage in data_flow(step)
    ]
    return {"heading": heading, "step": step, "stages": stages}


def _event(event: dict[str, Any]) -> dict[str, Any]:
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
    step = details.get("name", "") if isinstance(details, dict) else ""
    return {**event, "details": details, "step": step}


def _compact(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:199] + "…"
