"""A graph as Graphviz DOT, with the path an execution took when an overlay is given."""
from __future__ import annotations

from stepflow.render.graph import Cluster, Graph
from stepflow.render.overlay import NOT_TAKEN_COLOUR, STATUS_COLOURS, TAKEN_COLOUR, Overlay, label_lines

_SHAPES = {
    "Start": 'shape=circle, style=filled, fillcolor="#333333", fontcolor=white, width=0.6, fixedsize=true',
    "End": 'shape=doublecircle, style=filled, fillcolor="#333333", fontcolor=white, width=0.5, fixedsize=true',
    "Choice": "shape=diamond",
    "Wait": "shape=hexagon",
    "Parallel": "shape=box3d",
    "Map": "shape=box3d",
}
_EDGE_STYLES = {
    "catch": 'style=dashed, color="#c62828", fontcolor="#c62828"',
    "branch": "style=dotted, arrowhead=empty",
    "default": "style=bold",
}


def to_dot(graph: Graph, overlay: Overlay | None = None, links: bool = False) -> str:
    """DOT text for ``graph``; ``links`` makes each state a link to ``#flow_<node id>`` (the report)."""
    lines = [
        "digraph StateMachine {",
        '    graph [rankdir=TB, fontname="Helvetica", fontsize=11, nodesep=0.4];',
        '    node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    lines += [f"    {_node(graph, node_id, overlay, links)}" for node_id in graph.top_node_ids]
    for cluster in graph.clusters:
        lines += _cluster(graph, cluster, overlay, links, "    ")
    for index, edge in enumerate(graph.edges):
        attributes = [_EDGE_STYLES.get(edge.kind, "")]
        if edge.label:
            attributes.append(f"label={_quote(edge.label)}")
        if overlay is not None:
            taken = index in overlay.taken
            colour = TAKEN_COLOUR if taken else NOT_TAKEN_COLOUR
            attributes.append(f'color="{colour}", fontcolor="{colour}"' + (", penwidth=2.5" if taken else ""))
        rendered = ", ".join(a for a in attributes if a)
        lines.append(f"    {edge.source} -> {edge.target}" + (f" [{rendered}];" if rendered else ";"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(graph: Graph, node_id: str, overlay: Overlay | None, links: bool) -> str:
    node = graph.nodes[node_id]
    attributes = [f"id={_quote('node_' + node_id)}", f"label={_quote(chr(10).join(label_lines(graph, node_id, overlay)))}"]
    if node.state_type in _SHAPES:
        attributes.append(_SHAPES[node.state_type])
    if node.terminal:
        attributes.append("peripheries=2")
    if overlay is not None and node.state_type not in ("Start", "End"):
        fill, stroke, colour = STATUS_COLOURS[overlay.run(node_id).status]
        attributes.append(f'fillcolor="{fill}", color="{stroke}", fontcolor="{colour}"')
    if links and node.state_type not in ("Start", "End"):
        attributes.append(f"URL={_quote('#flow_' + node_id)}, tooltip={_quote(node.name)}")
    return f"{node_id} [{', '.join(attributes)}];"


def _cluster(graph: Graph, cluster: Cluster, overlay: Overlay | None, links: bool, indent: str) -> list[str]:
    lines = [
        f"{indent}subgraph cluster_{cluster.id} {{",
        f"{indent}    label={_quote(f'{cluster.owner}: {cluster.label}')}; style=\"rounded,dashed\"; color=\"#888888\";",
    ]
    lines += [f"{indent}    {_node(graph, node_id, overlay, links)}" for node_id in cluster.node_ids]
    for inner in cluster.clusters:
        lines += _cluster(graph, inner, overlay, links, indent + "    ")
    lines.append(f"{indent}}}")
    return lines


def _quote(text: str) -> str:
    """A DOT double-quoted string; a newline becomes DOT's centred line break."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
