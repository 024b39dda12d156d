"""SVG of a graph: through the Graphviz ``dot`` program, which lays out graphs far better than we
could, or, where Graphviz is not installed, a plain layered layout of our own."""
from __future__ import annotations

import html
import shutil
import subprocess

from stepflow.asl.errors import StepflowError
from stepflow.render.dot import to_dot
from stepflow.render.graph import END, START, Graph
from stepflow.render.overlay import NOT_TAKEN_COLOUR, STATUS_COLOURS, TAKEN_COLOUR, Overlay, label_lines

_TIMEOUT_SECONDS = 60


class GraphvizMissing(StepflowError):
    """Graphviz is not installed, so no SVG can be laid out."""


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def dot_to(dot_text: str, output_format: str = "svg") -> bytes:
    """Run ``dot -T<format>`` on DOT text (``svg`` or ``png``) and return what it writes."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing(
            "SVG needs the Graphviz 'dot' program, which is not installed "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
            "use --format mermaid or --format dot instead"
        )
    done = subprocess.run(
        [program, f"-T{output_format}"], input=dot_text.encode(), capture_output=True,
        timeout=_TIMEOUT_SECONDS, check=False,
    )
    if done.returncode != 0:
        raise StepflowError(f"Graphviz dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def to_svg(dot_text: str) -> str:
    """The SVG of DOT text, without the XML prolog so it can be inlined in HTML."""
    svg = dot_to(dot_text, "svg").decode()
    return svg[svg.index("<svg"):]


def graph_svg(graph: Graph, overlay: Overlay | None, links: bool = False) -> str:
    """Inline SVG of the graph: Graphviz when installed, else our own layered layout. ``links``
    makes each state a link to ``#flow_<node id>`` (the report's data-flow sections)."""
    if graphviz_available():
        return to_svg(to_dot(graph, overlay, links=links))
    return layered_svg(graph, overlay, links)


def layered_svg(graph: Graph, overlay: Overlay | None, links: bool = False) -> str:
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
        if node.state_type in ("Start", "End") or not links:
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


def _e(text: str) -> str:
    return html.escape(text, quote=True)
