"""One self-contained HTML file for an execution: the graph with the path taken, the event table and
each state's data flow, the graph's states linking to their data flow. No network is needed to view
it: styles and script are inline, the graph is inline SVG (Graphviz's layout when ``dot`` is
installed, else a simple layered layout of our own).
"""
from __future__ import annotations

import html
import json
from typing import Any

from stepflow.render.dot import to_dot
from stepflow.render.graph import END, START, Graph, build_graph
from stepflow.render.overlay import (
    NOT_TAKEN_COLOUR, STATUS_COLOURS, TAKEN_COLOUR, Overlay, build_overlay, label_lines,
)
from stepflow.render.svg import graphviz_available, to_svg
from stepflow.render.timeline import timeline_bars, timeline_svg
from stepflow.render.trace import data_flow

VISITS_SHOWN = 50  # per state: a Map over thousands of items keeps the file readable
EVENTS_SHOWN = 2000
# The AWS console's legend names, where it has one.
_STATUS_NAMES = {"succeeded": "Succeeded", "failed": "Failed", "caught": "Caught error", "aborted": "Cancelled",
                 "entered": "In progress", "not_reached": "Not reached"}


def render_report(execution: Any) -> str:
    """The report of an execution (``stepflow.Execution`` or one read from the store) as HTML text."""
    graph = build_graph(execution.definition)
    overlay = build_overlay(graph, execution.history)
    title = f"{execution.name} · {execution.status}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>stepflow · {_e(title)}</title>",
        f"<style>{REPORT_CSS}</style></head><body>",
        f'<header><h1>{_e(execution.name)} <span class="badge {execution.status.lower()}">{_e(execution.status)}</span></h1>',
        _summary(execution),
        "</header>",
        '<section id="graph"><h2>Graph</h2>',
        legend(),
        f'<div class="graph">{graph_svg(graph, overlay)}</div></section>',
        f'<section id="timeline"><h2>Timeline</h2>{timeline_svg(timeline_bars(execution.history, execution.steps))}</section>',
        data_flows(graph, overlay, execution.steps),
        events_table(execution.history),
        f"<script>{REPORT_SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def graph_svg(graph: Graph, overlay: Overlay | None) -> str:
    """Inline SVG of the graph: Graphviz when installed, else our own layered layout."""
    if graphviz_available():
        return to_svg(to_dot(graph, overlay, links=True))
    return layered_svg(graph, overlay)


def _summary(execution: Any) -> str:
    rows = [("Execution ARN", execution.execution_arn), ("State machine", execution.state_machine_arn),
            ("Started", execution.start_date.isoformat()),
            ("Stopped", execution.stop_date.isoformat() if execution.stop_date else "—")]
    if execution.stop_date:
        rows.append(("Duration", f"{(execution.stop_date - execution.start_date).total_seconds():g} s"))
    if execution.error is not None:
        rows.append(("Error", execution.error))
    if execution.cause is not None:
        rows.append(("Cause", execution.cause))
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(str(v))}</td></tr>" for k, v in rows)
    blocks = f'<table class="summary">{cells}</table>'
    blocks += f"<details open><summary>Input</summary>{_json_block(execution.input)}</details>"
    if execution.status == "SUCCEEDED":
        blocks += f"<details open><summary>Output</summary>{_json_block(execution.output)}</details>"
    return blocks


def legend() -> str:
    items = "".join(
        f'<span class="key"><span class="swatch" style="background:{fill};border-color:{stroke}"></span>'
        f"{_STATUS_NAMES[status]}</span>"
        for status, (fill, stroke, _) in STATUS_COLOURS.items()
    )
    return f'<p class="legend">{items}<span class="key">click a state for its data flow</span></p>'


def data_flows(graph: Graph, overlay: Overlay, steps: list[Any]) -> str:
    by_name: dict[str, list[Any]] = {}
    for step in steps:
        by_name.setdefault(step.name, []).append(step)
    sections = ['<section id="dataflow"><h2>Data flow, state by state</h2>']
    for node_id, node in graph.nodes.items():
        if node.state_type in ("Start", "End"):
            continue
        run = overlay.run(node_id)
        visits = by_name.get(node.name, [])
        badge = f" · {run.badge()}" if run.badge() else ""
        sections.append(
            f'<details class="state {run.status}" id="flow_{node_id}" data-state="{_e(node.name)}">'
            f"<summary><b>{_e(node.name)}</b> <i>{_e(node.state_type)}</i> "
            f'<span class="status">{_STATUS_NAMES[run.status]}{_e(badge)}</span></summary>'
        )
        if not visits:
            sections.append('<p class="none">Not reached in this execution.</p>')
        for number, step in enumerate(visits[:VISITS_SHOWN], start=1):
            sections.append(_visit(step, number, len(visits)))
        if len(visits) > VISITS_SHOWN:
            sections.append(f'<p class="none">… and {len(visits) - VISITS_SHOWN} more visits.</p>')
        sections.append("</details>")
    sections.append("</section>")
    return "\n".join(sections)


def _visit(step: Any, number: int, total: int) -> str:
    where = " / ".join(f"{o} #{i}" for o, i in zip(step.scope[::2], step.scope[1::2]))
    heading = f"Visit {number} of {total}" if total > 1 else "Visit"
    heading += f" · in {where}" if where else ""
    rows = []
    for stage in data_flow(step):
        if stage.note == "unchanged":
            value = '<span class="note">(unchanged)</span>'
        elif stage.note == "discarded":
            value = '<span class="note">(the input: ResultPath discarded the result)</span>'
        else:
            value = _json_block(stage.value)
        changes = "".join(
            f'<li class="c{ {"+": "add", "-": "del", "~": "mod"}[sign] }">{sign} {_e(key)}'
            + (f": <code>{_e(_compact(v))}</code>" if sign != "-" else "") + "</li>"
            for sign, key, v in stage.changes
        )
        rows.append(f"<tr><th>{_e(stage.label)}</th><td>{value}{f'<ul>{changes}</ul>' if changes else ''}</td></tr>")
    for attempt, retry in enumerate(step.retries, start=1):
        rows.append(f'<tr class="retry"><th>retry {attempt}</th><td>{_e(str(retry.get("error")))}: '
                    f'{_e(str(retry.get("cause")))} (retried after {retry.get("delay")} s)</td></tr>')
    if step.status in ("CAUGHT", "FAILED"):
        rows.append(f'<tr class="{step.status.lower()}"><th>{step.status.lower()}</th>'
                    f"<td>{_e(str(step.error))}: {_e(str(step.cause))}</td></tr>")
    if step.next and step.status != "FAILED":
        rows.append(f"<tr><th>next</th><td>{_e(step.next)}</td></tr>")
    return f'<div class="visit"><h4>{_e(heading)} · {step.status}</h4><table>{"".join(rows)}</table></div>'


def events_table(history: list[dict[str, Any]]) -> str:
    rows = []
    shown = history
    if len(history) > EVENTS_SHOWN:  # the start and the end; the CLI prints the whole history
        half = EVENTS_SHOWN // 2
        shown = [*history[:half], None, *history[-half:]]
    for event in shown:
        if event is None:
            rows.append(f'<tr class="gap"><td colspan="6">… {len(history) - EVENTS_SHOWN} events not shown: '
                        "<code>stepflow executions history ID</code> prints them all …</td></tr>")
            continue
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
        name = details.get("name", "") if isinstance(details, dict) else ""
        rows.append(
            f'<tr class="ev" data-type="{_e(event["type"])}"><td>{event["id"]}</td><td>{event["previousEventId"]}</td>'
            f"<td>{_e(str(event['timestamp']))}</td><td>{_e(event['type'])}</td><td>{_e(str(name))}</td>"
            f"<td>{_json_block(details) if details else ''}</td></tr>"
        )
    head = "<tr><th>ID</th><th>Prev</th><th>Timestamp</th><th>Type</th><th>Step</th><th>Details</th></tr>"
    return (f'<section id="events"><h2>Events ({len(history)})</h2>'
            f'<table class="events">{head}{"".join(rows)}</table></section>')


def layered_svg(graph: Graph, overlay: Overlay | None) -> str:
    """A plain layered drawing for when Graphviz is absent: one row per distance from Start."""
    depth = _layers(graph)
    rows: dict[int, list[str]] = {}
    for node_id in graph.nodes:
        rows.setdefault(depth.get(node_id, depth[END]), []).append(node_id)
    width, height, gap_x, gap_y = 170, 52, 30, 40
    columns = max(len(r) for r in rows.values())
    total_width = columns * (width + gap_x) + gap_x
    place: dict[str, tuple[float, float]] = {}
    for row, node_ids in rows.items():
        offset = (total_width - len(node_ids) * (width + gap_x) + gap_x) / 2
        for column, node_id in enumerate(node_ids):
            place[node_id] = (offset + column * (width + gap_x), gap_y / 2 + row * (height + gap_y))
    total_height = (max(rows) + 1) * (height + gap_y)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0f}" height="{total_height:.0f}" '
             f'viewBox="0 0 {total_width:.0f} {total_height:.0f}" font-family="Helvetica,Arial,sans-serif" font-size="11">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for index, edge in enumerate(graph.edges):
        (x1, y1), (x2, y2) = place[edge.source], place[edge.target]
        colour = "#555" if overlay is None else (TAKEN_COLOUR if index in overlay.taken else NOT_TAKEN_COLOUR)
        dash = ' stroke-dasharray="5,4"' if edge.kind in ("catch", "branch") else ""
        parts.append(f'<line x1="{x1 + width / 2:.0f}" y1="{y1 + height:.0f}" x2="{x2 + width / 2:.0f}" y2="{y2:.0f}" '
                     f'stroke="{colour}"{dash} marker-end="url(#arrow)"><title>{_e(edge.label or edge.kind)}</title></line>')
    for node_id, node in graph.nodes.items():
        x, y = place[node_id]
        fill, stroke, colour = ("#333333", "#333333", "#ffffff")
        if node.state_type not in ("Start", "End"):
            fill, stroke, colour = STATUS_COLOURS[overlay.run(node_id).status] if overlay else ("#ffffff", "#555", "#000")
        text = "".join(f'<tspan x="{x + width / 2:.0f}" dy="{0 if i == 0 else 13}">{_e(line)}</tspan>'
                       for i, line in enumerate(label_lines(graph, node_id, overlay)))
        shape = (f'<rect x="{x:.0f}" y="{y:.0f}" width="{width}" height="{height}" rx="8" fill="{fill}" '
                 f'stroke="{stroke}" stroke-width="{3 if node.terminal else 1.2}"/>'
                 f'<text x="{x + width / 2:.0f}" y="{y + 16:.0f}" text-anchor="middle" fill="{colour}">{text}</text>')
        if node.state_type in ("Start", "End"):
            parts.append(f'<g id="node_{node_id}" class="node">{shape}</g>')
        else:
            parts.append(f'<g id="node_{node_id}" class="node"><a href="#flow_{node_id}">{shape}</a></g>')
    parts.append("</svg>")
    return "".join(parts)


def _layers(graph: Graph) -> dict[str, int]:
    """Each node's row: the longest path to it from Start, loops (back edges) left out, End last."""
    outgoing: dict[str, list[str]] = {}
    for edge in graph.edges:
        outgoing.setdefault(edge.source, []).append(edge.target)
    order: list[str] = []  # reverse postorder of a depth-first walk: a topological order without loops
    seen: set[str] = set()
    back: set[tuple[str, str]] = set()

    def walk(node: str, path: set[str]) -> None:
        seen.add(node)
        path.add(node)
        for target in outgoing.get(node, []):
            if target in path:
                back.add((node, target))
            elif target not in seen:
                walk(target, path)
        path.discard(node)
        order.append(node)

    walk(START, set())
    depth = dict.fromkeys(graph.nodes, 0)
    for node in reversed(order):
        for target in outgoing.get(node, []):
            if (node, target) not in back:
                depth[target] = max(depth[target], depth[node] + 1)
    depth[END] = max(depth.values()) + 1
    return depth


def _json_block(value: Any) -> str:
    return f"<pre>{_e(json.dumps(value, indent=2, ensure_ascii=False, default=str))}</pre>"


def _compact(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:199] + "…"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


REPORT_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 2rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.badge{font-size:.8rem;padding:.15rem .5rem;border-radius:.8rem;vertical-align:middle;background:#eee}
.badge.succeeded{background:#d4edda;color:#1b5e20}.badge.failed,.badge.timed_out,.badge.aborted{background:#f8d7da;color:#8e0000}
table{border-collapse:collapse}th,td{text-align:left;vertical-align:top;padding:.2rem .6rem}
.summary th{color:#555;font-weight:normal}
pre{margin:0;font-size:.8rem;white-space:pre-wrap;word-break:break-all;max-height:20rem;overflow:auto;background:#f7f7f7;padding:.3rem}
.graph{overflow:auto;border:1px solid #eee;padding:.5rem;text-align:center}.graph a{cursor:pointer}
.legend .key{margin-right:1rem;font-size:.85rem}.swatch{display:inline-block;width:.9rem;height:.9rem;border:2px solid;margin-right:.3rem;vertical-align:middle}
details.state{border-left:6px solid #bdbdbd;margin:.4rem 0;padding:.3rem .6rem;background:#fff}
details.state.succeeded{border-color:#2e7d32}details.state.failed{border-color:#c62828}
details.state.caught{border-color:#ef6c00}details.state.aborted{border-color:#616161}details.state.entered{border-color:#1565c0}
details.state.not_reached{opacity:.6}details.state.selected{outline:3px solid #1565c0}
details.state summary{cursor:pointer}.status{color:#555;margin-left:.5rem}
.visit{margin:.4rem 0 .8rem 1rem}.visit h4{margin:.3rem 0;font-size:.9rem;color:#444}.visit th{width:11rem;color:#555;font-weight:normal}
.note{color:#888}.visit ul{margin:.2rem 0;padding-left:1.2rem;font-size:.8rem}
.cadd{color:#1b5e20}.cdel{color:#8e0000}.cmod{color:#8a3c00}tr.caught td{color:#8a3c00}tr.failed td{color:#8e0000}tr.retry td{color:#8a6d00}
.events{font-size:.8rem;width:100%}.events tr:nth-child(even){background:#fafafa}.events td pre{max-height:8rem}
"""

# Clicking a state in the graph (a link to #flow_<id>) opens and highlights its data flow; loading
# the report with such a fragment does the same.
REPORT_SCRIPT = """
function showState(id){
  var section=document.getElementById(id);
  if(!section)return;
  document.querySelectorAll('details.state.selected').forEach(function(d){d.classList.remove('selected')});
  section.open=true;section.classList.add('selected');section.scrollIntoView({block:'start'});
}
window.addEventListener('hashchange',function(){showState(location.hash.slice(1))});
document.querySelectorAll('#graph a').forEach(function(a){
  a.addEventListener('click',function(){
    var href=a.getAttribute('href')||a.getAttribute('xlink:href');
    if(href&&href.charAt(0)==='#'){showState(href.slice(1))}
  });
});
if(location.hash)showState(location.hash.slice(1));
document.body.setAttribute('data-ready','true');
"""
