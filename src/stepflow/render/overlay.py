"""The path an execution took, read from its AWS-shaped history, laid over a definition's graph.

Only ``get_execution_history`` events are used, so an execution recorded by AWS itself overlays
the same way as a local one. Each event is attributed to the state visit it belongs to by
following ``previousEventId`` back to the nearest ``<Type>StateEntered`` event: that is how AWS
links events, and it keeps concurrent Parallel branches and Map iterations apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal

from stepflow.render.graph import END, START, Graph

NodeStatus = Literal["succeeded", "failed", "caught", "aborted", "entered", "not_reached"]
# Worst first: the colour a node gets when its visits ended differently (a loop, Map iterations).
_RANK: dict[str, int] = {"failed": 0, "caught": 1, "aborted": 2, "entered": 3, "succeeded": 4, "not_reached": 5}

_STATE_EVENT = re.compile(r"(Task|Pass|Choice|Wait|Succeed|Fail|Parallel|Map)State(Entered|Exited)")
_SCHEDULED = {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"}
_SUCCEEDED = {"TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded",
              "ParallelStateSucceeded", "MapStateSucceeded"}
_EXECUTION_ENDED = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}


def _is_failure(event_type: str) -> bool:
    return event_type not in _EXECUTION_ENDED and event_type.endswith(
        ("Failed", "TimedOut")
    )


@dataclass
class NodeRun:
    """What happened to one state over the whole execution."""

    status: NodeStatus = "not_reached"
    entered: int = 0
    succeeded: int = 0
    failed: int = 0
    caught: int = 0
    aborted: int = 0  # stopped unfinished: a sibling branch failed, or the execution was stopped
    retries: int = 0
    iterations: int = 0  # Map states: items processed

    def badge(self) -> str:
        """A short note for the diagram: how often the state ran, retried, iterated."""
        parts = []
        if self.entered > 1:
            outcomes = [f"{n} {word}" for n, word in ((self.failed, "failed"), (self.caught, "caught")) if n]
            parts.append(f"×{self.entered}" + (f" ({', '.join(outcomes)})" if outcomes else ""))
        if self.iterations:
            parts.append(f"{self.iterations} iteration{'s' if self.iterations != 1 else ''}")
        if self.retries:
            parts.append(f"{self.retries} retr{'ies' if self.retries != 1 else 'y'}")
        return ", ".join(parts)


@dataclass
class Overlay:
    """Per-node runs (by node id) and the indexes into ``graph.edges`` of the edges taken."""

    nodes: dict[str, NodeRun] = field(default_factory=dict)
    taken: set[int] = field(default_factory=set)
    execution_status: str = "RUNNING"

    def run(self, node_id: str) -> NodeRun:
        return self.nodes.get(node_id, NodeRun())


@dataclass
class _Visit:
    name: str
    state_type: str
    entered_id: int
    exited: bool = False
    outcomes: list[str] = field(default_factory=list)  # "ok" / "failed", in event order
    scheduled: int = 0
    ended_execution_failure: bool = False
    aborted: bool = False

    def status(self, execution_over: bool) -> NodeStatus:
        if self.state_type == "Fail":
            return "failed"
        last_failed = bool(self.outcomes) and self.outcomes[-1] == "failed"
        if self.exited:
            return "caught" if last_failed else "succeeded"
        if last_failed or self.ended_execution_failure:
            return "failed"
        return "aborted" if self.aborted or execution_over else "entered"


def build_overlay(graph: Graph, history: Iterable[dict[str, Any]]) -> Overlay:
    """Lay an execution's history over ``graph``."""
    events = list(history)
    by_id = {e["id"]: e for e in events}
    visits: dict[int, _Visit] = {}  # by the id of their Entered event
    exits: dict[int, _Visit] = {}  # by the id of their Exited event

    def owner(event_id: int | None, prefix: str = "") -> int | None:
        """The StateEntered event id of the visit an event belongs to (of type ``prefix``)."""
        seen = 0
        while event_id is not None and event_id in by_id and seen <= len(events):
            event = by_id[event_id]
            if event["type"].endswith("StateEntered") and event["type"].startswith(prefix):
                return event_id
            event_id = event.get("previousEventId")
            seen += 1
        return None

    overlay = Overlay()
    for event in events:
        kind = event["type"]
        state_event = _STATE_EVENT.fullmatch(kind)
        if state_event and state_event.group(2) == "Entered":
            name = event["stateEnteredEventDetails"]["name"]
            visits[event["id"]] = _Visit(name, state_event.group(1), event["id"])
            _mark_entry_edge(graph, overlay, by_id, exits, event, name)
            continue
        if state_event:  # Exited names its state, which settles which visit it closes
            visit_id = _latest_open_visit(visits, event["stateExitedEventDetails"]["name"], event, owner)
            if visit_id is not None:
                exits[event["id"]] = visits[visit_id]
        else:
            prefix = "Map" if kind.startswith("MapIteration") else ""
            if kind.startswith(("ParallelState", "MapState")):
                prefix = kind.split("State")[0]
            visit_id = owner(event.get("previousEventId"), prefix)
        visit = visits.get(visit_id) if visit_id is not None else None
        if kind in _EXECUTION_ENDED:
            overlay.execution_status = kind.removeprefix("Execution").upper().replace("TIMEDOUT", "TIMED_OUT")
            if visit is not None and kind in ("ExecutionFailed", "ExecutionTimedOut"):
                visit.ended_execution_failure = True
            continue
        if visit is None:
            continue
        if state_event:
            visit.exited = True
        elif kind in _SCHEDULED:
            visit.scheduled += 1
        elif kind == "MapIterationStarted":
            overlay.nodes.setdefault(graph.node_id(visit.name), NodeRun()).iterations += 1
        elif kind in _SUCCEEDED:
            visit.outcomes.append("ok")
        elif kind.endswith("StateAborted"):
            visit.aborted = True
        elif _is_failure(kind) and not kind.startswith("MapIteration"):
            visit.outcomes.append("failed")

    for visit in visits.values():
        run = overlay.nodes.setdefault(graph.node_id(visit.name), NodeRun())
        status = visit.status(overlay.execution_status != "RUNNING")
        run.entered += 1
        run.retries += max(visit.scheduled - 1, 0)
        if status != "entered":
            setattr(run, status, getattr(run, status) + 1)
        run.status = min(status, run.status, key=_RANK.__getitem__)
    _mark_end_edges(graph, overlay)
    return overlay


def _latest_open_visit(visits: dict[int, _Visit], name: str, event: dict[str, Any], owner: Any) -> int | None:
    """The visit an Exited event closes: its own chain if that leads there, else the latest open one."""
    chained = owner(event.get("previousEventId"))
    if chained is not None and visits[chained].name == name and not visits[chained].exited:
        return chained
    open_ids = [i for i, v in visits.items() if v.name == name and not v.exited and i < event["id"]]
    return open_ids[-1] if open_ids else None


def _mark_entry_edge(
    graph: Graph, overlay: Overlay, by_id: dict[int, dict[str, Any]], exits: dict[int, _Visit],
    event: dict[str, Any], name: str,
) -> None:
    """Mark the edge that led into a state: from the state exited before it, or a scope start."""
    target = graph.node_id(name)
    if not event.get("previousEventId"):  # AWS links the first state's Entered event to 0
        _take(graph, overlay, START, target, kinds={"start"})
        return
    previous = by_id.get(event.get("previousEventId"))  # type: ignore[arg-type]
    while previous is not None:
        kind = previous["type"]
        if kind == "ExecutionStarted":
            _take(graph, overlay, START, target, kinds={"start"})
            return
        if kind.endswith("StateExited"):
            source_name = previous["stateExitedEventDetails"]["name"]
            caught = previous["id"] in exits and exits[previous["id"]].status(False) == "caught"
            _take(graph, overlay, graph.node_id(source_name), target,
                  kinds={"catch"} if caught else {"next", "choice", "default"})
            return
        if kind.endswith("StateEntered"):  # the first state of a Parallel branch or Map iteration
            owner_name = previous["stateEnteredEventDetails"]["name"]
            _take(graph, overlay, graph.node_id(owner_name), target, kinds={"branch"})
            return
        previous = by_id.get(previous.get("previousEventId"))


def _take(graph: Graph, overlay: Overlay, source: str, target: str, kinds: set[str]) -> None:
    for index, edge in enumerate(graph.edges):
        if edge.source == source and edge.target == target and edge.kind in kinds:
            overlay.taken.add(index)


def _mark_end_edges(graph: Graph, overlay: Overlay) -> None:
    """A top-level terminal state that finished (or a Fail state reached) ended the execution."""
    for index, edge in enumerate(graph.edges):
        if edge.target != END:
            continue
        run = overlay.run(edge.source)
        node = graph.nodes[edge.source]
        if run.succeeded or (node.state_type == "Fail" and run.entered):
            overlay.taken.add(index)


# Fill / stroke / text colours by status, shared by every renderer so the pictures agree. Caught
# is orange, not red: the error was handled, as the AWS console distinguishes "Caught error".
STATUS_COLOURS: dict[str, tuple[str, str, str]] = {
    "succeeded": ("#d4edda", "#2e7d32", "#1b5e20"),
    "failed": ("#f8d7da", "#c62828", "#8e0000"),
    "caught": ("#ffe0b2", "#ef6c00", "#8a3c00"),
    "aborted": ("#e0e0e0", "#616161", "#212121"),
    "entered": ("#d6e9f8", "#1565c0", "#0d3c73"),
    "not_reached": ("#f5f5f5", "#bdbdbd", "#9e9e9e"),
}
TAKEN_COLOUR = "#1565c0"
NOT_TAKEN_COLOUR = "#c8c8c8"


def label_lines(graph: Graph, node_id: str, overlay: Overlay | None) -> list[str]:
    """The lines a node shows: its name, its type, and with an execution how often it ran."""
    node = graph.nodes[node_id]
    if node.state_type in ("Start", "End"):
        return [node.name]
    lines = [node.name, node.state_type]
    if overlay is not None and (badge := overlay.run(node_id).badge()):
        lines.append(badge)
    return lines
