"""A definition as a neutral graph: nodes, labelled edges and nested clusters.

Mermaid, DOT and the HTML report all draw from this one model, so a state machine looks the same
whichever way it is shown. State names are unique across a whole state machine (ASL spec,
"States"), so a state's name identifies its node even inside Parallel branches and Map processors.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from stepflow.asl.errors import StepflowError

EdgeKind = Literal["start", "next", "choice", "default", "catch", "branch", "end"]
START = "__start__"
END = "__end__"
_LABEL_LIMIT = 48


@dataclass(frozen=True)
class Node:
    """One state (or the start / end marker, whose ``state_type`` is "Start" / "End")."""

    id: str
    name: str
    state_type: str
    terminal: bool = False  # End: true, Succeed or Fail: the run of its scope stops here


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    label: str = ""


@dataclass
class Cluster:
    """A nested run: a Parallel branch or a Map item processor, owned by the state ``owner``."""

    id: str
    label: str
    owner: str
    node_ids: list[str] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)  # by node id, in definition order
    edges: list[Edge] = field(default_factory=list)
    top_node_ids: list[str] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    comment: str = ""
    by_name: dict[str, str] = field(default_factory=dict)  # state name -> node id

    def node_id(self, state_name: str) -> str:
        """The node id of a state, by its name."""
        if state_name not in self.by_name:
            raise StepflowError(f"the graph has no state named {state_name!r}")
        return self.by_name[state_name]


def build_graph(definition: dict[str, Any]) -> Graph:
    """Build the graph of a definition dict (as loaded, after substitutions)."""
    graph = Graph(comment=str(definition.get("Comment", "")))
    ids = _IdMaker()
    graph.nodes[START] = Node(START, "Start", "Start")
    graph.nodes[END] = Node(END, "End", "End")
    graph.top_node_ids += [START]
    start_id = _add_scope(graph, ids, definition, graph.top_node_ids, graph.clusters, "")
    graph.edges.insert(0, Edge(START, start_id, "start"))
    for node_id in list(graph.top_node_ids):
        if graph.nodes[node_id].terminal:
            graph.edges.append(Edge(node_id, END, "end"))
    graph.top_node_ids.append(END)
    return graph


def _add_scope(
    graph: Graph,
    ids: _IdMaker,
    scope: dict[str, Any],
    node_ids: list[str],
    clusters: list[Cluster],
    where: str,
) -> str:
    """Add one StartAt/States scope; returns the node id of its StartAt state."""
    states = scope.get("States")
    if not isinstance(states, dict) or not states:
        raise StepflowError(f"{where or '/'}: a scope needs a non-empty States object")
    for name, state in states.items():
        if not isinstance(state, dict):
            raise StepflowError(f"{where}/States/{name}: a state must be an object")
        state_type = str(state.get("Type", "?"))
        terminal = bool(state.get("End")) or state_type in ("Succeed", "Fail")
        node = Node(ids.make(name), name, state_type, terminal)
        graph.nodes[node.id] = node
        graph.by_name.setdefault(name, node.id)
        node_ids.append(node.id)
    name_to_id = {graph.nodes[i].name: i for i in node_ids if graph.nodes[i].state_type != "Start"}

    def target(name: Any, field_where: str) -> str:
        if name not in name_to_id:
            raise StepflowError(f"{field_where}: no state named {name!r} in this scope")
        return name_to_id[name]

    for name, state in states.items():
        here = f"{where}/States/{name}"
        source = name_to_id[name]
        if "Next" in state and state.get("Type") != "Choice":
            graph.edges.append(Edge(source, target(state["Next"], f"{here}/Next"), "next"))
        for index, rule in enumerate(state.get("Choices") or []):
            graph.edges.append(
                Edge(source, target(rule.get("Next"), f"{here}/Choices/{index}/Next"), "choice",
                     shorten(choice_rule_text(rule)))
            )
        if "Default" in state:
            graph.edges.append(Edge(source, target(state["Default"], f"{here}/Default"), "default", "Default"))
        for index, catcher in enumerate(state.get("Catch") or []):
            errors = ", ".join(catcher.get("ErrorEquals") or [])
            graph.edges.append(
                Edge(source, target(catcher.get("Next"), f"{here}/Catch/{index}/Next"), "catch",
                     shorten(f"Catch: {errors}"))
            )
        for label, sub, sub_where in _nested_scopes(state, here):
            cluster = Cluster(ids.make(f"{name} {label}"), label, name)
            clusters.append(cluster)
            first = _add_scope(graph, ids, sub, cluster.node_ids, cluster.clusters, sub_where)
            graph.edges.append(Edge(source, first, "branch", label))
    return target(scope.get("StartAt"), f"{where}/StartAt")


def _nested_scopes(state: dict[str, Any], here: str) -> list[tuple[str, dict[str, Any], str]]:
    """The (label, scope, JSON pointer) of each run nested in a Parallel or Map state."""
    if state.get("Type") == "Parallel":
        return [(f"Branch {i}", b, f"{here}/Branches/{i}") for i, b in enumerate(state.get("Branches") or [])]
    if state.get("Type") == "Map":
        key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        if isinstance(state.get(key), dict):
            return [("Item processor" if key == "ItemProcessor" else "Iterator", state[key], f"{here}/{key}")]
    return []


# Choice rule comparison operators, in short form (ASL spec, "Choice Rules").
_OPERATORS = {
    "Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_TESTS = {"IsNull": "null", "IsPresent": "present", "IsNumeric": "numeric", "IsString": "string",
          "IsBoolean": "boolean", "IsTimestamp": "timestamp"}


def choice_rule_text(rule: dict[str, Any]) -> str:
    """A Choice rule in short form: ``$.size > 10``, ``$.a == "x" and not $.b present``."""
    if "Condition" in rule:  # JSONata: the expression itself, without its {% %} fence
        return str(rule["Condition"]).removeprefix("{%").removesuffix("%}").strip()
    if "And" in rule:
        return " and ".join(_grouped(r) for r in rule["And"])
    if "Or" in rule:
        return " or ".join(_grouped(r) for r in rule["Or"])
    if "Not" in rule:
        return f"not {_grouped(rule['Not'])}"
    variable = str(rule.get("Variable", "?"))
    for key, value in rule.items():
        if key in _TESTS:
            return f"{variable} {'is' if value else 'is not'} {_TESTS[key]}"
        if key.endswith("Matches"):
            return f"{variable} matches {json.dumps(value)}"
        match = re.fullmatch(r"(String|Numeric|Boolean|Timestamp)(\w+?)(Path)?", key)
        if match and match.group(2) in _OPERATORS:
            shown = value if match.group(3) else json.dumps(value)
            return f"{variable} {_OPERATORS[match.group(2)]} {shown}"
    return json.dumps({k: v for k, v in rule.items() if k != "Next"})


def _grouped(rule: dict[str, Any]) -> str:
    text = choice_rule_text(rule)
    return f"({text})" if any(k in rule for k in ("And", "Or")) else text


def shorten(text: str, limit: int = _LABEL_LIMIT) -> str:
    """Keep a label readable in a diagram: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _IdMaker:
    """Identifiers safe in Mermaid and DOT, unique, and recognisably derived from the name."""

    def __init__(self) -> None:
        self._used: set[str] = {START, END}

    def make(self, name: str) -> str:
        base = "s_" + (re.sub(r"[^A-Za-z0-9_]", "_", name) or "state")
        candidate, n = base, 1
        while candidate in self._used:
            n += 1
            candidate = f"{base}_{n}"
        self._used.add(candidate)
        return candidate
