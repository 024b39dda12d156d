"""A graph as a Mermaid flowchart, with the path an execution took when an overlay is given."""
from __future__ import annotations

from stepflow.render.graph import Cluster, Graph
from stepflow.render.overlay import NOT_TAKEN_COLOUR, STATUS_COLOURS, TAKEN_COLOUR, Overlay, label_lines

# Mermaid node shapes by state type: the opening and closing brackets around the label.
_SHAPES = {
    "Start": ("((", "))"), "End": ("(((", ")))"), "Choice": ("{", "}"), "Wait": ("{{", "}}"),
    "Parallel": ("[[", "]]"), "Map": ("[[", "]]"), "Succeed": ("([", "])"), "Fail": ("([", "])"),
    "Pass": ("(", ")"),
}
_ARROWS = {"catch": "-.->", "branch": "-.->"}


def to_mermaid(graph: Graph, overlay: Overlay | None = None) -> str:
    """Mermaid ``flowchart TD`` text for ``graph``."""
    lines = ["flowchart TD"]
    lines += [f"    {_node(graph, node_id, overlay)}" for node_id in graph.top_node_ids]
    for cluster in graph.clusters:
        lines += _cluster(graph, cluster, overlay, "    ")
    for index, edge in enumerate(graph.edges):
        arrow = "==>" if overlay is not None and index in overlay.taken else _ARROWS.get(edge.kind, "-->")
        label = f'|"{_escape(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrow}{label} {edge.target}")
    lines += _styles(graph, overlay)
    return "\n".join(lines) + "\n"


def _node(graph: Graph, node_id: str, overlay: Overlay | None) -> str:
    node = graph.nodes[node_id]
    opening, closing = _SHAPES.get(node.state_type, ("[", "]"))
    text = "<br/>".join(_escape(line) for line in label_lines(graph, node_id, overlay))
    return f'{node_id}{opening}"{text}"{closing}'


def _cluster(graph: Graph, cluster: Cluster, overlay: Overlay | None, indent: str) -> list[str]:
    title = _escape(f"{cluster.owner}: {cluster.label}")
    lines = [f'{indent}subgraph {cluster.id}["{title}"]']
    lines += [f"{indent}    {_node(graph, node_id, overlay)}" for node_id in cluster.node_ids]
    for inner in cluster.clusters:
        lines += _cluster(graph, inner, overlay, indent + "    ")
    lines.append(f"{indent}end")
    return lines


def _styles(graph: Graph, overlay: Overlay | None) -> list[str]:
    """Terminal states get a heavy border; with an execution, nodes and links get their status."""
    lines = ["    classDef terminal stroke-width:3px"]
    terminals = [n.id for n in graph.nodes.values() if n.terminal]
    if terminals:
        lines.append(f"    class {','.join(terminals)} terminal")
    if overlay is None:
        return lines
    by_status: dict[str, list[str]] = {}
    for node_id, node in graph.nodes.items():
        if node.state_type not in ("Start", "End"):
            by_status.setdefault(overlay.run(node_id).status, []).append(node_id)
    for status, node_ids in by_status.items():
        fill, stroke, colour = STATUS_COLOURS[status]
        lines.append(f"    classDef {status} fill:{fill},stroke:{stroke},color:{colour}")
        lines.append(f"    class {','.join(node_ids)} {status}")
    taken = sorted(overlay.taken)
    not_taken = [i for i in range(len(graph.edges)) if i not in overlay.taken]
    if taken:
        lines.append(f"    linkStyle {','.join(map(str, taken))} stroke:{TAKEN_COLOUR},stroke-width:3px")
    if not_taken:
        lines.append(f"    linkStyle {','.join(map(str, not_taken))} stroke:{NOT_TAKEN_COLOUR}")
    return lines


def _escape(text: str) -> str:
    """Mermaid entity codes for the characters its label syntax would otherwise read."""
    return text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
