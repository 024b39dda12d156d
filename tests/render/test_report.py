"""The HTML report: self-contained, the graph linked to each state's data flow, every event listed."""
from __future__ import annotations

import re

import pytest

from stepflow.render import report
from stepflow.render.graph import build_graph
from stepflow.render.overlay import build_overlay
from stepflow.render.svg import graphviz_available

from .conftest import run_every_state_type

# Routed through Hold and FanOut, then the Map's third item (3) fails and the Catch sends it to Broken.
_INPUT = {"size": 20, "kind": "big", "urgent": False, "numbers": [1, 2, 3]}


@pytest.fixture(scope="module")
def execution():
    return run_every_state_type(_INPUT)


def test_overlay_from_a_real_history_agrees_with_the_engines_step_records(execution):
    graph = build_graph(execution.definition)
    overlay = build_overlay(graph, execution.history)
    for step in execution.steps:
        run = overlay.run(graph.node_id(step.name))
        assert run.entered == sum(1 for s in execution.steps if s.name == step.name)
        expected = {"SUCCEEDED": "succeeded", "FAILED": "failed", "CAUGHT": "caught"}[step.status]
        assert getattr(run, expected) >= 1, step.name
    assert overlay.run(graph.node_id("PerItem")).iterations == 3
    assert overlay.run(graph.node_id("Right")).retries == 0
    assert overlay.run(graph.node_id("Done")).status == "not_reached"


def test_the_report_needs_no_network(execution):
    html = report.render_report(execution)
    assert "<script src" not in html and "<link" not in html and "@import" not in html
    urls = re.findall(r'(?:src|href)="(https?:[^"]*)"', html)
    assert urls == []


def test_each_state_in_the_graph_links_to_its_data_flow(execution):
    html = report.render_report(execution)
    graph = build_graph(execution.definition)
    for node_id, node in graph.nodes.items():
        if node.state_type in ("Start", "End"):
            continue
        assert f'href="#flow_{node_id}"' in html, node.name
        assert f'id="flow_{node_id}"' in html, node.name
    handle = html[html.index('id="flow_s_Handle"'):]
    handle = handle[: handle.index("</details>")]
    assert handle.count('<div class="visit">') == 3
    assert "ItemRejected: " in handle and "three is not allowed" in handle
    assert 'class="state failed"' in html[html.index('id="flow_s_Handle"') - 40:html.index('id="flow_s_Handle"')]


def test_the_event_table_lists_every_event(execution):
    html = report.render_report(execution)
    assert html.count('<tr class="ev"') == len(execution.history)
    assert f"<h2>Events ({len(execution.history)})</h2>" in html
    assert 'data-type="MapIterationFailed"' in html and 'data-type="ExecutionFailed"' in html


def test_each_visit_shows_its_data_flow_stages(execution):
    html = report.render_report(execution)
    prepare = html[html.index('id="flow_s_Prepare"'):]
    prepare = prepare[: prepare.index("</details>")]
    for label in ("input", "after InputPath", "after Parameters", "result", "after ResultPath", "output (OutputPath)"):
        assert f"<th>{label}</th>" in prepare
    assert "+ batch" in prepare


def test_without_graphviz_the_report_draws_its_own_graph(execution, monkeypatch):
    from stepflow.render import layout_svg

    monkeypatch.setattr(layout_svg, "graphviz_available", lambda: False)
    html = report.render_report(execution)
    svg = html[html.index("<svg"): html.index("</svg>")]
    assert '<g id="node_s_Handle" class="node"><title>Handle</title><a href="#flow_s_Handle">' in svg
    assert svg.count('class="node"') == len(build_graph(execution.definition).nodes)


@pytest.mark.skipif(not graphviz_available(), reason="Graphviz dot is not installed")
def test_with_graphviz_the_graph_is_graphvizs_svg(execution):
    html = report.render_report(execution)
    assert '<g id="node_s_Handle" class="node">' in html
    assert '<g id="graph0" class="graph"' in html and "<title>StateMachine</title>" in html


def test_a_long_history_shows_its_start_and_end(execution, monkeypatch):
    monkeypatch.setattr(report, "EVENTS_SHOWN", 10)
    html = report.render_report(execution)
    assert html.count('<tr class="ev"') == 10
    assert f"… {len(execution.history) - 10} events not shown" in html
    assert 'data-type="ExecutionStarted"' in html and 'data-type="ExecutionFailed"' in html
