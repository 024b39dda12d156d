"""Rich display in notebooks: a machine shows its graph, an execution the path and a step table
whose rows open into the data-flow stages; inline HTML/SVG with no script and nothing fetched."""
from __future__ import annotations

import re

import pytest

from stepflow import StateMachine
from stepflow.render import layout_svg
from stepflow.render.overlay import STATUS_COLOURS

from . import work_resources
from .conftest import load, node_fills, run_every_state_type

_INPUT = {"size": 20, "kind": "big", "urgent": False, "numbers": [1, 2, 3]}
SUCCEEDED, FAILED, CAUGHT, NOT_REACHED = (STATUS_COLOURS[s][0] for s in ("succeeded", "failed", "caught", "not_reached"))


@pytest.fixture(scope="module")
def execution():
    return run_every_state_type(_INPUT)


def rows(html: str) -> list[tuple[str, str]]:
    """(state name, status class) of each step row, in table order."""
    return re.findall(r'<details class="sf-step sf-(\w+)" data-state="(\w+)">', html)


def test_a_state_machine_shows_its_graph_and_a_short_text(execution):
    machine = StateMachine(load("every-state-type.asl.json"), resources=work_resources.RESOURCES,
                           substitutions=work_resources.SUBSTITUTIONS, name="every-state-type")
    bundle = machine._repr_mimebundle_()
    assert bundle["text/plain"] == "<StateMachine every-state-type: 10 states, StartAt 'Prepare'>"
    html = bundle["text/html"]
    assert "<svg" in html and '<g id="node_s_Route" class="node">' in html
    assert "<details" not in html  # no execution, no steps


def test_an_execution_shows_the_path_taken_and_one_row_per_step_with_the_failure_marked(execution):
    bundle = execution._repr_mimebundle_()
    html = bundle["text/html"]
    shown = [(state, status) for status, state in rows(html)]
    assert shown == [(step.name, step.status.lower()) for step in execution.steps]  # in the order entered
    assert shown[:4] == [("Prepare", "succeeded"), ("Route", "succeeded"), ("Hold", "succeeded"), ("FanOut", "succeeded")]
    assert ("PerItem", "caught") in shown and shown[-1] == ("Broken", "failed")
    assert sorted(shown[-4:-1]) == [("Handle", "failed"), ("Handle", "succeeded"), ("Handle", "succeeded")]
    fills = node_fills(html)
    assert fills["Prepare"] == fills["Route"] == fills["Hold"] == SUCCEEDED
    assert fills["PerItem"] == CAUGHT and fills["Broken"] == FAILED
    assert fills["Done"] == NOT_REACHED  # the success path was never taken
    assert 'FAILED</span> <span class="sf-error">Broken: an item failed</span>' in html
    assert bundle["text/plain"].startswith("<Execution demo: FAILED, 11 steps>\n  path:   Prepare → Route → Hold")


def test_a_rows_details_hold_the_data_flow_stages_that_trace_prints(execution):
    html = execution._repr_mimebundle_()["text/html"]
    prepare = html[html.index('data-state="Prepare"'): html.index("</details>", html.index('data-state="Prepare"'))]
    labels = re.findall(r"<tr><th>([^<]+)</th>", prepare)
    assert labels[:2] == ["input", "after InputPath"] and "output (OutputPath)" in labels
    failed = html[html.rindex('data-state="Handle"'):]
    failed = failed[: failed.index("</details>")]
    assert '<tr class="failed"><th>failed</th><td>ItemRejected: ' in failed


def test_the_display_works_offline_without_javascript(execution):
    html = execution._repr_mimebundle_()["text/html"]
    assert "<script" not in html.lower()
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched at display time


def test_without_graphviz_the_display_draws_the_layered_graph(execution, monkeypatch):
    monkeypatch.setattr(layout_svg, "graphviz_available", lambda: False)
    html = execution._repr_mimebundle_()["text/html"]
    assert "<svg" in html and 'id="graph0"' not in html
    fills = node_fills(html)
    assert fills["Prepare"] == SUCCEEDED and fills["Broken"] == FAILED and fills["Done"] == NOT_REACHED


def test_a_stepping_session_shows_the_path_so_far_and_where_it_is_paused():
    machine = StateMachine(load("every-state-type.asl.json"), resources=work_resources.RESOURCES,
                           substitutions=work_resources.SUBSTITUTIONS, name="every-state-type")
    session = machine.debug(_INPUT, breakpoints=["FanOut"], name="paused")
    session.resume()
    bundle = session._repr_mimebundle_()
    assert 'paused before</span> <b>FanOut</b>' in bundle["text/html"]
    assert [state for _, state in rows(bundle["text/html"])] == ["Prepare", "Route", "Hold"]
    assert "sf-b-running" in bundle["text/html"]
    assert bundle["text/plain"].endswith("paused before FanOut")
    session.quit()
