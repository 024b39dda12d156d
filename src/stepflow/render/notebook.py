"""What Jupyter (or any front end that renders IPython's rich display) shows for a state machine,
an execution and a stepping session: the graph, the path taken, and a table of steps whose rows
open, as HTML ``<details>``, into the data-flow stages ``--trace`` prints.

Everything is inline HTML and SVG: nothing is fetched and no script runs, so an output reads the
same offline, in a trusted or untrusted notebook, and in nbconvert's HTML.
"""
from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from stepflow.render.graph import Graph, build_graph
from stepflow.render.overlay import STATUS_COLOURS, build_overlay
from stepflow.render.report import visit_rows
from stepflow.render.layout_svg import graph_svg
from stepflow.render.trace import show

STEPS_SHOWN = 200
_CAUSE_SHOWN = 200  # rows: a Map over thousands of items keeps the output readable
_STEP_CLASS = {"SUCCEEDED": "succeeded", "FAILED": "failed", "CAUGHT": "caught"}
_COLUMNS = ("#", "State", "Lane", "Status", "Entered → exited", "Input", "Output", "Error", "Retries")


def machine_bundle(machine: Any) -> dict[str, str]:
    """A StateMachine: its graph."""
    graph = build_graph(machine.definition)
    comment = f'<p class="sf-comment">{_e(graph.comment)}</p>' if graph.comment else ""
    body = (f'<div class="sf-head"><b>{_e(machine.name)}</b> <span class="sf-dim">state machine · '
            f"{_state_count(graph)} states</span></div>{comment}"
            f'<div class="sf-graph">{graph_svg(graph, None)}</div>')
    return {"text/html": _wrap(body), "text/plain": machine_text(machine)}


def execution_bundle(execution: Any, paused_before: str | None = None) -> dict[str, str]:
    """An execution (finished, or still running under a stepping session): the graph with the path
    taken so far and the step table."""
    graph = build_graph(execution.definition)
    overlay = build_overlay(graph, execution.history)
    status = execution.status
    head = (f'<div class="sf-head"><b>{_e(execution.name)}</b> '
            f'<span class="sf-badge sf-b-{status.lower()}">{_e(status)}</span>')
    if paused_before is not None:
        head += f' <span class="sf-dim">paused before</span> <b>{_e(paused_before)}</b>'
    if execution.error is not None or execution.cause is not None:
        cause = execution.cause or ""
        cause = cause if len(cause) <= _CAUSE_SHOWN else cause[: _CAUSE_SHOWN - 1] + "…"  # whole in the step's row
        head += f' <span class="sf-error">{_e(str(execution.error))}: {_e(cause)}</span>'
    head += "</div>"
    body = (head + _legend() + f'<div class="sf-graph">{graph_svg(graph, overlay)}</div>'
            + _step_table(execution.steps, execution.history, execution.start_date))
    if status == "SUCCEEDED":
        body += f'<details class="sf-output"><summary>Output</summary><pre>{_e(show(execution.output, False))}</pre></details>'
    return {"text/html": _wrap(body), "text/plain": execution_text(execution, paused_before)}


def machine_text(machine: Any) -> str:
    graph = build_graph(machine.definition)
    start = machine.definition.get("StartAt")
    return f"<StateMachine {machine.name}: {_state_count(graph)} states, StartAt {start!r}>"


def execution_text(execution: Any, paused_before: str | None = None) -> str:
    """A few lines for a terminal: status, the states in the order they ran, how it ended."""
    names = [step.name for step in execution.steps]
    path = " → ".join(names[:12]) + (f" … (+{len(names) - 12})" if len(names) > 12 else "")
    lines = [f"<Execution {execution.name}: {execution.status}, {len(names)} steps>", f"  path:   {path}"]
    if paused_before is not None:
        lines.append(f"  paused before {paused_before}")
    if execution.status == "SUCCEEDED":
        lines.append(f"  output: {show(execution.output, True)}")
    elif execution.status != "RUNNING":
        lines.append(f"  error:  {execution.error}: {execution.cause}")
    return "\n".join(lines)


def _step_table(steps: list[Any], history: list[dict[str, Any]], start: datetime) -> str:
    times = {event["id"]: event["timestamp"] for event in history}
    header = "".join(f"<span>{_e(c)}</span>" for c in _COLUMNS)
    rows = [f'<div class="sf-row sf-colhead">{header}</div>']
    for number, step in enumerate(steps[:STEPS_SHOWN], start=1):
        status = _STEP_CLASS.get(step.status, "entered")
        if step.exited_event_id is None and step.status == "SUCCEEDED":
            status = "entered"  # still running (a stepping session), or stopped before it ended
        when = f"{_offset(times.get(step.entered_event_id), start)} → {_offset(times.get(step.exited_event_id), start)}"
        error = f"{step.error}" if step.error else ""
        cells = [
            str(number),
            f"<b>{_e(step.name)}</b> <i>{_e(step.state_type)}</i>",
            _e(_lane_text(step.scope)),
            ("✗ " if status == "failed" else "") + _e(step.status if status != "entered" else "RUNNING"),
            _e(when),
            f"<code>{_e(show(step.input, True))}</code>",
            f"<code>{_e(show(step.output, True))}</code>" if step.stage_reached("output") else "",
            _e(error),
            str(len(step.retries) or ""),
        ]
        summary = "".join(f"<span>{cell}</span>" for cell in cells)
        rows.append(
            f'<details class="sf-step sf-{status}" data-state="{_e(step.name)}">'
            f'<summary class="sf-row">{summary}</summary>'
            f'<table class="sf-flow">{visit_rows(step)}</table></details>'
        )
    if len(steps) > STEPS_SHOWN:
        rows.append(f'<p class="sf-dim">… and {len(steps) - STEPS_SHOWN} more steps (execution.steps has them all).</p>')
    return f'<div class="sf-steps">{"".join(rows)}</div>'


def _offset(moment: Any, start: datetime) -> str:
    """An event's time as seconds after the execution started (``+3600s``), or ``…`` if none yet."""
    if moment is None:
        return "…"
    if isinstance(moment, datetime):
        return f"+{(moment - start).total_seconds():g}s"
    return str(moment)


def _lane_text(scope: tuple[Any, ...]) -> str:
    return " / ".join(f"{owner} #{index}" for owner, index in zip(scope[::2], scope[1::2]))


def _state_count(graph: Graph) -> int:
    return sum(1 for node in graph.nodes.values() if node.state_type not in ("Start", "End"))


def _legend() -> str:
    names = {"succeeded": "Succeeded", "failed": "Failed", "caught": "Caught error", "aborted": "Cancelled",
             "entered": "In progress", "not_reached": "Not reached"}
    keys = "".join(
        f'<span class="sf-key"><span class="sf-swatch" style="background:{fill};border-color:{stroke}"></span>{names[status]}</span>'
        for status, (fill, stroke, _) in STATUS_COLOURS.items()
    )
    return f'<div class="sf-legend">{keys}</div>'


def _wrap(body: str) -> str:
    return f'<div class="stepflow"><style>{_CSS}</style>{body}</div>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_CSS = """
.stepflow{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:13px;color:#222}
.stepflow .sf-head{font-size:14px;margin:.3em 0}.stepflow .sf-dim{color:#777}.stepflow .sf-comment{color:#555;margin:.2em 0}
.stepflow .sf-badge{padding:.1em .5em;border-radius:.8em;background:#eee;font-size:12px}
.stepflow .sf-b-succeeded{background:#d4edda;color:#1b5e20}.stepflow .sf-b-failed,.stepflow .sf-b-timed_out,.stepflow .sf-b-aborted{background:#f8d7da;color:#8e0000}
.stepflow .sf-b-running{background:#d6e9f8;color:#0d3c73}
.stepflow .sf-error{color:#8e0000}.stepflow .sf-graph{overflow:auto;text-align:center;margin:.4em 0}
.stepflow .sf-legend{font-size:12px;color:#555}.stepflow .sf-key{margin-right:1em}
.stepflow .sf-swatch{display:inline-block;width:.8em;height:.8em;border:2px solid;margin-right:.3em;vertical-align:middle}
.stepflow .sf-steps{border-top:1px solid #ddd;margin-top:.5em}
.stepflow .sf-row{display:grid;grid-template-columns:2.2em minmax(13em,1.6fr) minmax(6em,1fr) 7.5em 9em minmax(8em,2fr) minmax(8em,2fr) minmax(5em,1fr) 4em;gap:.5em;padding:.25em .4em;align-items:start}
.stepflow .sf-row span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.stepflow .sf-row code{white-space:nowrap !important;background:none;font-size:12px;padding:0}
.stepflow .sf-colhead{font-weight:bold;color:#555;border-bottom:1px solid #ddd}
.stepflow details.sf-step{border-left:5px solid #bdbdbd;border-bottom:1px solid #eee}
.stepflow details.sf-step>summary{cursor:pointer;list-style:none}.stepflow details.sf-step>summary::-webkit-details-marker{display:none}
.stepflow details.sf-step[open]>summary{background:#f3f6fa}
.stepflow details.sf-succeeded{border-left-color:#2e7d32}.stepflow details.sf-caught{border-left-color:#ef6c00}
.stepflow details.sf-failed{border-left-color:#c62828;background:#fdf0f0}.stepflow details.sf-entered{border-left-color:#1565c0}
.stepflow table.sf-flow{border-collapse:collapse;margin:.2em 0 .6em 3em}.stepflow .sf-flow th{text-align:left;color:#555;font-weight:normal;width:13em;vertical-align:top;padding:.15em .5em}
.stepflow .sf-flow td{vertical-align:top;padding:.15em .5em}.stepflow .sf-flow th,.stepflow .sf-flow td,.stepflow pre{text-align:left !important}.stepflow pre{margin:0;font-size:12px;white-space:pre-wrap;word-break:break-all;max-height:18em;overflow:auto;background:#f7f7f7;padding:.3em}
.stepflow .note{color:#888}.stepflow .sf-flow ul{margin:.2em 0;padding-left:1.2em;font-size:12px}
.stepflow .cadd{color:#1b5e20}.stepflow .cdel{color:#8e0000}.stepflow .cmod{color:#8a3c00}
.stepflow tr.caught td{color:#8a3c00}.stepflow tr.failed td{color:#8e0000}.stepflow tr.retry td{color:#8a6d00}
"""
