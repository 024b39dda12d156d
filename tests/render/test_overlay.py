"""An execution's history laid over its graph: statuses, counts and the edges taken."""
from __future__ import annotations

from stepflow.render.dot import to_dot
from stepflow.render.graph import build_graph
from stepflow.render.mermaid import to_mermaid
from stepflow.render.overlay import STATUS_COLOURS, build_overlay

from .conftest import load
from .history_builder import HistoryBuilder


def _rider_photo_parallel_run(detection: str = "succeeded") -> list[dict]:
    """The history AWS records for the rider-photo workflow; branches chain to ParallelStateStarted."""
    h = HistoryBuilder()
    h.add("ExecutionStarted", input="{}", roleArn="arn:aws:iam::123456789012:role/r")
    if detection == "caught":
        h.task("FaceDetection", failures=("PhotoDoesNotMeetRequirementError",), outcome="caught")
        h.task("PhotoDoesNotMeetRequirement")
        h.add("ExecutionSucceeded", output="{}")
        return h.events
    h.task("FaceDetection", failures=("Lambda.ServiceException",))  # retried once, then succeeded
    h.task("CheckFaceDuplicate")
    h.add("ParallelStateEntered", name="ParallelProcessing", input="{}")
    started = h.add("ParallelStateStarted")
    thumbnail_done = h.task("Thumbnail", after=started)
    index_done = h.task("AddFaceToIndex", after=started)
    h.add("ParallelStateSucceeded", after=max(thumbnail_done, index_done))
    h.add("ParallelStateExited", name="ParallelProcessing", output="[{}, {}]")
    h.task("PersistMetadata")
    h.add("ExecutionSucceeded", output="{}")
    return h.events


def _every_state_type_routed() -> HistoryBuilder:
    """every-state-type.asl.json's run as far as its Choice: Prepare passed and Route chose."""
    h = HistoryBuilder()
    h.add("ExecutionStarted", input="{}")
    h.visit("Pass", "Prepare")
    h.visit("Choice", "Route")
    return h


def _statuses(graph, overlay) -> dict[str, str]:
    return {n.name: overlay.run(i).status for i, n in graph.nodes.items() if n.state_type not in ("Start", "End")}


def _taken(graph, overlay) -> set[tuple[str, str, str]]:
    return {(graph.edges[i].source, graph.edges[i].target, graph.edges[i].kind) for i in overlay.taken}


def test_a_successful_run_marks_its_path_and_dims_what_it_did_not_reach():
    graph = build_graph(load("rider-photo-processing-parallel.asl.json"))
    overlay = build_overlay(graph, _rider_photo_parallel_run())
    assert overlay.execution_status == "SUCCEEDED"
    assert _statuses(graph, overlay) == {
        "FaceDetection": "succeeded", "CheckFaceDuplicate": "succeeded", "ParallelProcessing": "succeeded",
        "AddFaceToIndex": "succeeded", "Thumbnail": "succeeded", "PersistMetadata": "succeeded",
        "PhotoDoesNotMeetRequirement": "not_reached",
    }
    assert _taken(graph, overlay) == {
        ("__start__", "s_FaceDetection", "start"),
        ("s_FaceDetection", "s_CheckFaceDuplicate", "next"),
        ("s_CheckFaceDuplicate", "s_ParallelProcessing", "next"),
        ("s_ParallelProcessing", "s_AddFaceToIndex", "branch"),
        ("s_ParallelProcessing", "s_Thumbnail", "branch"),
        ("s_ParallelProcessing", "s_PersistMetadata", "next"),
        ("s_PersistMetadata", "__end__", "end"),
    }
    assert overlay.run("s_FaceDetection").retries == 1
    assert overlay.run("s_FaceDetection").badge() == "1 retry"


def test_a_caught_error_is_its_own_status_and_follows_the_catch_edge():
    graph = build_graph(load("rider-photo-processing-parallel.asl.json"))
    overlay = build_overlay(graph, _rider_photo_parallel_run("caught"))
    statuses = _statuses(graph, overlay)
    assert statuses["FaceDetection"] == "caught"
    assert statuses["PhotoDoesNotMeetRequirement"] == "succeeded"
    assert statuses["CheckFaceDuplicate"] == statuses["ParallelProcessing"] == "not_reached"
    assert ("s_FaceDetection", "s_PhotoDoesNotMeetRequirement", "catch") in _taken(graph, overlay)
    assert ("s_FaceDetection", "s_CheckFaceDuplicate", "next") not in _taken(graph, overlay)
    assert ("s_PhotoDoesNotMeetRequirement", "__end__", "end") in _taken(graph, overlay)


def test_map_iterations_loops_and_a_fail_state_are_counted_and_coloured():
    graph = build_graph(load("every-state-type.asl.json"))
    h = _every_state_type_routed()
    h.add("MapStateEntered", name="PerItem", input="{}")
    started = h.add("MapStateStarted", length=3)
    ends = []
    for index, outcome in enumerate(["succeeded", "succeeded", "failed"]):
        iteration = h.add("MapIterationStarted", after=started, name="PerItem", index=index)
        last = h.task("Handle", after=iteration, failures=("Boom",) if outcome == "failed" else (), outcome=outcome)
        ends.append(h.add("MapIterationFailed" if outcome == "failed" else "MapIterationSucceeded",
                          after=last, name="PerItem", index=index))
    h.add("MapStateFailed", after=ends[-1])
    h.add("MapStateExited", name="PerItem", output="{}")  # the Catch on PerItem handled it
    h.add("FailStateEntered", name="Broken", input="{}")
    h.add("ExecutionFailed", error="Broken", cause="an item failed")

    overlay = build_overlay(graph, h.events)
    assert overlay.execution_status == "FAILED"
    statuses = _statuses(graph, overlay)
    assert statuses["PerItem"] == "caught"
    assert statuses["Handle"] == "failed"  # one of its three visits failed: the worst shows
    assert statuses["Broken"] == "failed"
    assert statuses["Hold"] == statuses["FanOut"] == statuses["Done"] == "not_reached"
    handle = overlay.run("s_Handle")
    assert (handle.entered, handle.succeeded, handle.failed) == (3, 2, 1)
    assert overlay.run("s_PerItem").iterations == 3
    assert overlay.run("s_PerItem").badge() == "3 iterations"
    assert {("s_Route", "s_PerItem", "default"), ("s_PerItem", "s_Handle", "branch"),
            ("s_PerItem", "s_Broken", "catch"), ("s_Broken", "__end__", "end")} <= _taken(graph, overlay)
    mermaid = to_mermaid(graph, overlay)
    assert 's_Handle["Handle<br/>Task<br/>×3 (1 failed)"]' in mermaid
    assert "class s_Hold,s_FanOut,s_Done,s_Left,s_Right not_reached" in mermaid
    assert "s_PerItem ==>|\"Catch: States.ALL\"| s_Broken" in mermaid
    fill, stroke, colour = STATUS_COLOURS["caught"]
    assert f'label="PerItem\\nMap\\n3 iterations", shape=box3d, fillcolor="{fill}", color="{stroke}"' in to_dot(graph, overlay)


def test_a_running_execution_shows_the_state_in_progress():
    graph = build_graph(load("every-state-type.asl.json"))
    h = _every_state_type_routed()
    h.add("WaitStateEntered", name="Hold", input="{}")
    overlay = build_overlay(graph, h.events)
    assert overlay.execution_status == "RUNNING"
    assert overlay.run("s_Hold").status == "entered"
    assert overlay.run("s_Route").status == "succeeded"
    assert ("s_Route", "s_Hold", "choice") in _taken(graph, overlay)


def test_a_loop_counts_each_visit():
    definition = {"StartAt": "Count", "States": {
        "Count": {"Type": "Pass", "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Count"}],
                  "Default": "Stop"},
        "Stop": {"Type": "Succeed"}}}
    graph = build_graph(definition)
    h = HistoryBuilder()
    h.add("ExecutionStarted", input="{}")
    for _ in range(3):
        h.visit("Pass", "Count")
        h.visit("Choice", "Again")
    h.visit("Succeed", "Stop")
    h.add("ExecutionSucceeded", output="{}")
    overlay = build_overlay(graph, h.events)
    assert overlay.run("s_Count").entered == 3 and overlay.run("s_Count").badge() == "×3"
    assert {("s_Again", "s_Count", "choice"), ("s_Again", "s_Stop", "default"), ("s_Stop", "__end__", "end"),
            ("__start__", "s_Count", "start")} <= _taken(graph, overlay)
    assert 's_Count("Count<br/>Pass<br/>×3")' in to_mermaid(graph, overlay)


def test_a_branch_stopped_by_its_failing_sibling_shows_as_cancelled():
    graph = build_graph(load("rider-photo-processing-parallel.asl.json"))
    h = HistoryBuilder()
    h.add("ExecutionStarted", input="{}")
    h.task("FaceDetection")
    h.task("CheckFaceDuplicate")
    h.add("ParallelStateEntered", name="ParallelProcessing", input="{}")
    started = h.add("ParallelStateStarted")
    h.add("TaskStateEntered", after=started, name="Thumbnail", input="{}")  # still running when...
    failed = h.task("AddFaceToIndex", after=started, failures=("States.TaskFailed",), outcome="failed")
    h.add("ParallelStateFailed", after=failed)
    h.add("ExecutionFailed", error="States.TaskFailed", cause="")
    overlay = build_overlay(graph, h.events)
    statuses = _statuses(graph, overlay)
    assert statuses["AddFaceToIndex"] == "failed"
    assert statuses["ParallelProcessing"] == "failed"
    assert statuses["Thumbnail"] == "aborted"
    assert statuses["PersistMetadata"] == "not_reached"
    assert ("s_ParallelProcessing", "s_PersistMetadata", "next") not in _taken(graph, overlay)


def test_a_state_aborted_event_marks_the_visit_cancelled_and_a_stopped_execution_aborts_the_rest():
    graph = build_graph(load("every-state-type.asl.json"))
    h = _every_state_type_routed()
    h.add("WaitStateEntered", name="Hold", input="{}")
    h.add("WaitStateAborted")
    h.add("ExecutionAborted")
    overlay = build_overlay(graph, h.events)
    assert overlay.execution_status == "ABORTED"
    assert overlay.run("s_Hold").status == "aborted" and overlay.run("s_Hold").aborted == 1


def test_the_start_edge_of_a_real_run_is_drawn_as_taken():
    # AWS (and the engine) link the first StateEntered event to 0, not to ExecutionStarted.
    from stepflow import StateMachine

    definition = {"StartAt": "First", "States": {"First": {"Type": "Pass", "End": True}}}
    execution = StateMachine(definition).run()
    assert execution.history[1]["previousEventId"] == 0
    graph = build_graph(definition)
    assert ("__start__", "s_First", "start") in _taken(graph, build_overlay(graph, execution.history))
