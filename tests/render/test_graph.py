"""Definitions render as Mermaid and DOT: every state, every kind of edge, nested runs, start/end."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from stepflow.asl.errors import StepflowError
from stepflow.render.dot import to_dot
from stepflow.render.graph import build_graph, choice_rule_text
from stepflow.render.mermaid import to_mermaid
from .conftest import REPO_DEFINITIONS, load


def test_rider_photo_mermaid_shows_catch_parallel_branches_start_and_end():
    text = to_mermaid(build_graph(load("rider-photo-processing-parallel.asl.json")))
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "flowchart TD"
    for expected in [
        '__start__(("Start"))',
        '__end__((("End")))',
        's_FaceDetection["FaceDetection<br/>Task"]',
        's_ParallelProcessing[["ParallelProcessing<br/>Parallel"]]',
        'subgraph s_ParallelProcessing_Branch_0["ParallelProcessing: Branch 0"]',
        'subgraph s_ParallelProcessing_Branch_1["ParallelProcessing: Branch 1"]',
        "__start__ --> s_FaceDetection",
        "s_FaceDetection --> s_CheckFaceDuplicate",
        's_FaceDetection -.->|"Catch: PhotoDoesNotMeetRequirementError"| s_PhotoDoesNotMeetRequirement',
        's_CheckFaceDuplicate -.->|"Catch: FaceAlreadyExistsError"| s_PhotoDoesNotMeetRequirement',
        's_ParallelProcessing -.->|"Branch 0"| s_AddFaceToIndex',
        's_ParallelProcessing -.->|"Branch 1"| s_Thumbnail',
        "s_ParallelProcessing --> s_PersistMetadata",
        "s_PersistMetadata --> __end__",
        "s_PhotoDoesNotMeetRequirement --> __end__",
    ]:
        assert expected in lines, expected
    # branch states are drawn inside their subgraph, and end their branch (not the execution)
    branch = lines.index('subgraph s_ParallelProcessing_Branch_0["ParallelProcessing: Branch 0"]')
    assert lines[branch + 1] == 's_AddFaceToIndex["AddFaceToIndex<br/>Task"]'
    assert lines[branch + 2] == "end"
    assert "s_AddFaceToIndex --> __end__" not in lines
    assert "class s_PhotoDoesNotMeetRequirement,s_PersistMetadata,s_AddFaceToIndex,s_Thumbnail terminal" in lines


def test_every_state_type_has_its_own_shape_in_mermaid():
    text = to_mermaid(build_graph(load("every-state-type.asl.json")))
    for expected in [
        's_Prepare("Prepare<br/>Pass")', 's_Route{"Route<br/>Choice"}', 's_Hold{{"Hold<br/>Wait"}}',
        's_FanOut[["FanOut<br/>Parallel"]]', 's_PerItem[["PerItem<br/>Map"]]',
        's_Done(["Done<br/>Succeed"])', 's_Broken(["Broken<br/>Fail"])', 's_Right["Right<br/>Task"]',
        'subgraph s_PerItem_Item_processor["PerItem: Item processor"]',
    ]:
        assert expected in text, expected


def test_choice_edges_carry_their_rule_and_the_default_edge_is_marked():
    graph = build_graph(load("every-state-type.asl.json"))
    mermaid = to_mermaid(graph)
    dot = to_dot(graph)
    assert 's_Route -->|"$.size #gt; 10 and not $.kind == #quot;small#quot;"| s_Hold' in mermaid
    assert 's_Route -->|"$.urgent is present and $.urgent == true"| s_FanOut' in mermaid
    assert 's_Route -->|"Default"| s_PerItem' in mermaid
    assert 's_Route -> s_Hold [label="$.size > 10 and not $.kind == \\"small\\""];' in dot
    assert 's_Route -> s_PerItem [style=bold, label="Default"];' in dot


def test_dot_has_clusters_for_nested_runs_catch_edges_and_terminal_states():
    dot = to_dot(build_graph(load("every-state-type.asl.json")))
    assert "subgraph cluster_s_FanOut_Branch_0 {" in dot
    assert "subgraph cluster_s_FanOut_Branch_1 {" in dot
    assert "subgraph cluster_s_PerItem_Item_processor {" in dot
    assert 's_PerItem -> s_Broken [style=dashed, color="#c62828", fontcolor="#c62828", label="Catch: States.ALL"];' in dot
    assert 's_Route [id="node_s_Route", label="Route\\nChoice", shape=diamond];' in dot
    assert 's_Done [id="node_s_Done", label="Done\\nSucceed", peripheries=2];' in dot
    assert "__start__ -> s_Prepare;" in dot
    assert "s_Done -> __end__;" in dot and "s_Broken -> __end__;" in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_graphviz_accepts_the_dot_text():
    for name in ("every-state-type.asl.json", "rider-photo-processing-parallel.asl.json"):
        dot = to_dot(build_graph(load(name)), links=True)
        done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert 'id="node_s_Prepare"' in done.stdout or 'id="node_s_FaceDetection"' in done.stdout


@pytest.mark.parametrize("path", sorted(REPO_DEFINITIONS.glob("rider-photo-processing-*.asl.json")), ids=str)
def test_project_rider_photo_definitions_draw_every_state_and_transition(path):
    definition = json.loads(path.read_text())
    graph = build_graph(definition)
    mermaid, dot = to_mermaid(graph), to_dot(graph)

    def scopes(scope):
        yield scope
        for state in scope["States"].values():
            for branch in state.get("Branches", []):
                yield from scopes(branch)
            for key in ("ItemProcessor", "Iterator"):
                if key in state:
                    yield from scopes(state[key])

    for scope in scopes(definition):
        for name, state in scope["States"].items():
            node = graph.node_id(name)
            assert f"{node} [id=" in dot and f'{node}' in mermaid
            for target in [state.get("Next"), state.get("Default"), *[c["Next"] for c in state.get("Catch", [])],
                           *[c["Next"] for c in state.get("Choices", [])]]:
                if target:
                    assert f"{node} -> {graph.node_id(target)}" in dot


@pytest.mark.parametrize(
    ("rule", "short"),
    [
        ({"Variable": "$.type", "StringEquals": "Private"}, '$.type == "Private"'),
        ({"Not": {"Variable": "$.type", "StringEquals": "Private"}}, 'not $.type == "Private"'),
        ({"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                  {"Variable": "$.value", "NumericLessThan": 30}]}, "$.value >= 20 and $.value < 30"),
        ({"Or": [{"Variable": "$.a", "BooleanEquals": True},
                 {"And": [{"Variable": "$.b", "IsPresent": True}, {"Variable": "$.b", "IsNull": False}]}]},
         "$.a == true or ($.b is present and $.b is not null)"),
        ({"Variable": "$.rating", "NumericGreaterThanPath": "$.auditThreshold"}, "$.rating > $.auditThreshold"),
        ({"Variable": "$.when", "TimestampLessThanEquals": "2026-01-01T00:00:00Z"},
         '$.when <= "2026-01-01T00:00:00Z"'),
        ({"Variable": "$.file", "StringMatches": "*.jpg"}, '$.file matches "*.jpg"'),
        ({"Condition": "{% $states.input.size > 10 %}"}, "$states.input.size > 10"),
    ],
)
def test_choice_rules_read_in_short_form(rule, short):
    assert choice_rule_text(rule) == short


def test_names_with_quotes_and_brackets_are_escaped():
    definition = {"StartAt": 'Say "hi" <now>', "States": {'Say "hi" <now>': {"Type": "Pass", "End": True}}}
    graph = build_graph(definition)
    node = graph.node_id('Say "hi" <now>')
    assert node == "s_Say__hi___now_"
    assert f'{node}("Say #quot;hi#quot; #lt;now#gt;<br/>Pass")' in to_mermaid(graph)
    assert f'label="Say \\"hi\\" <now>\\nPass"' in to_dot(graph)


def test_a_transition_to_a_missing_state_names_where_it_is():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    with pytest.raises(StepflowError, match=r"/States/A/Next: no state named 'Nowhere'"):
        build_graph(definition)


def test_a_transition_out_of_a_parallel_branch_is_refused():
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "P"}}}]}}}
    with pytest.raises(StepflowError, match=r"/States/P/Branches/0/States/B/Next: no state named 'P'"):
        build_graph(definition)


def test_a_parallel_inside_a_map_nests_its_branches_inside_the_processor():
    definition = {"StartAt": "Items", "States": {"Items": {
        "Type": "Map", "End": True,
        "Iterator": {"StartAt": "Both", "States": {"Both": {
            "Type": "Parallel", "End": True,
            "Branches": [{"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}},
                         {"StartAt": "Two", "States": {"Two": {"Type": "Succeed"}}}]}}}}}}
    graph = build_graph(definition)
    lines = [line.rstrip() for line in to_mermaid(graph).splitlines()]
    start = lines.index('    subgraph s_Items_Iterator["Items: Iterator"]')
    assert lines[start + 1:start + 9] == [
        '        s_Both[["Both<br/>Parallel"]]',
        '        subgraph s_Both_Branch_0["Both: Branch 0"]',
        '            s_One("One<br/>Pass")',
        "        end",
        '        subgraph s_Both_Branch_1["Both: Branch 1"]',
        '            s_Two(["Two<br/>Succeed"])',
        "        end",
        "    end",
    ]
    dot = to_dot(graph)
    assert dot.index("subgraph cluster_s_Items_Iterator {") < dot.index("subgraph cluster_s_Both_Branch_0 {")
    assert 's_Items -> s_Both [style=dotted, arrowhead=empty, label="Iterator"];' in dot
    assert "s_Items -> __end__;" in dot and "s_One -> __end__" not in dot
