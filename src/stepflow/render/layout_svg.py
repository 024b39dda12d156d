"""SVG of a graph: Graphviz's layout when ``dot`` is installed, else grandalf's layered (Sugiyama)
layout, whose edges bend around the nodes in between instead of cutting through them."""
from __future__ import annotations

import html
from typing import Any

from stepflow.render.dot import to_dot
from stepflow.render.graph import Graph
from stepflow.render.overlay import NOT_TAKEN_COLOUR, STATUS_COLOURS, TAKEN_COLOUR, Overlay, label_lines
from stepflow.render.svg import graphviz_available, to_svg

_LINE_HEIGHT, _CHAR_WIDTH, _PADDING = 13, 6.6, 24
_LABEL_WIDTH = 5.4  # per character of a 9 px edge label
_GAP_X, _GAP_Y, _MARGIN = 30, 46, 20
_MARKER = 1.5  # the Start / End circles' size, relative to their label's height


def graph_svg(graph: Graph, overlay: Overlay | None = None, links: bool = False) -> str:
    """Inline SVG of ``graph``; ``links`` makes each state a link to ``#flow_<node id>`` (the report)."""
    if graphviz_available():
        return to_svg(to_dot(graph, overlay, links=links))
    return layered_svg(graph, overlay, links)


class _Box:
    """A node's size and, once laid out, its centre (what grandalf reads and writes)."""

    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy = (0.0, 0.0)


class _Route:
    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []

    def setpath(self, points: list[tuple[float, float]]) -> None:
        self.points = [tuple(p) for p in points]  # type: ignore[misc]


def layered_svg(graph: Graph, overlay: Overlay | None, links: bool = False) -> str:
    """The graph laid out in layers from Start to End, drawn without Graphviz."""
    # grandalf imports numpy: loaded only when a graph is drawn without Graphviz.
    from grandalf.graphs import Edge as LayoutEdge
    from grandalf.graphs import Graph as LayoutGraph
    from grandalf.graphs import Vertex
    from grandalf.layouts import SugiyamaLayout

    lines = {node_id: label_lines(graph, node_id, overlay) for node_id in graph.nodes}
    vertices = {node_id: Vertex(node_id) for node_id in graph.nodes}
    for node_id, vertex in vertices.items():
        vertex.view = _Box(*_size(graph.nodes[node_id].state_type, lines[node_id]))
    edges = []
    for edge in graph.edges:
        if edge.source != edge.target:  # a state looping to itself is drawn apart
            laid = LayoutEdge(vertices[edge.source], vertices[edge.target])
            laid.view = _Route()
            edges.append((edge, laid))
    layout = LayoutGraph(list(vertices.values()), [laid for _, laid in edges])
    offset = 0.0
    for component in layout.C:  # side by side when a graph falls apart (no Start edge)
        sugiyama = SugiyamaLayout(component)
        sugiyama.xspace, sugiyama.yspace = _GAP_X, _GAP_Y
        sugiyama.init_all()
        sugiyama.draw()
        nodes = [v.view for v in component.sV]
        left = min(box.xy[0] - box.w / 2 for box in nodes)
        for box in nodes:
            box.xy = (box.xy[0] - left + offset, box.xy[1])
        for laid in component.sE:
            laid.view.points = [(x - left + offset, y) for x, y in laid.view.points]
        offset = max(box.xy[0] + box.w / 2 for box in nodes) + _GAP_X
    boxes = [vertex.view for vertex in vertices.values()]
    top = min(box.xy[1] - box.h / 2 for box in boxes)
    dx, dy = _MARGIN, _MARGIN - top
    labels = [(laid.view.points[len(laid.view.points) // 2][0] + 4 + len(edge.label) * _LABEL_WIDTH)
              for edge, laid in edges if edge.label and laid.view.points]
    width = max([box.xy[0] + box.w / 2 for box in boxes] + labels) + 2 * _MARGIN
    height = max(box.xy[1] + box.h / 2 for box in boxes) + dy + _MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica,Arial,sans-serif" font-size="11">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>',
    ]
    for index, edge in enumerate(graph.edges):
        laid = next((laid for e, laid in edges if e is edge), None)
        points = laid.view.points if laid is not None else []
        parts.append(_edge(edge, points, vertices, (dx, dy), overlay, index))
    for node_id, vertex in vertices.items():
        parts.append(_node(graph, node_id, vertex.view, lines[node_id], (dx, dy), overlay, links))
    parts.append("</svg>")
    return "".join(parts)


def _size(state_type: str, lines: list[str]) -> tuple[float, float]:
    text_width = max(len(line) for line in lines) * _CHAR_WIDTH
    if state_type in ("Start", "End"):
        side = max(text_width, _LINE_HEIGHT) * _MARKER
        return side, side
    width, height = text_width + _PADDING, len(lines) * _LINE_HEIGHT + 14
    if state_type == "Choice":  # a diamond holds its text in its middle half
        return width * 1.6, height * 1.6
    return width, height


def _edge(edge: Any, points: list[tuple[float, float]], vertices: dict[str, Any], shift: tuple[float, float],
          overlay: Overlay | None, index: int) -> str:
    dx, dy = shift
    if not points:  # a state looping to itself: a small loop on its right
        box = vertices[edge.source].view
        x, y = box.xy[0] + box.w / 2 + dx, box.xy[1] + dy
        points = [(x, y - 6), (x + 24, y - 14), (x + 24, y + 14), (x, y + 6)]
        dx = dy = 0
    else:
        points = [(x + dx, y + dy) for x, y in points]
        points[0] = _border(vertices[edge.source].view, shift, points[1])
        points[-1] = _border(vertices[edge.target].view, shift, points[-2])
    taken = overlay is not None and index in overlay.taken
    colour = "#555" if overlay is None else (TAKEN_COLOUR if taken else NOT_TAKEN_COLOUR)
    dash = ' stroke-dasharray="5,4"' if edge.kind in ("catch", "branch") else ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    label = ""
    if edge.label:
        x, y = points[len(points) // 2]
        label = f'<text x="{x + 4:.0f}" y="{y:.0f}" fill="{colour}" font-size="9">{_e(edge.label)}</text>'
    width = 2.5 if taken else 1.2
    return (f'<g class="edge" data-source="{edge.source}" data-target="{edge.target}"><title>{_e(edge.label or edge.kind)}</title><polyline points="{path}" fill="none" '
            f'stroke="{colour}" stroke-width="{width}"{dash} marker-end="url(#arrow)"/>{label}</g>')


def _border(box: _Box, shift: tuple[float, float], toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from ``box``'s centre to ``toward`` leaves the box."""
    cx, cy = box.xy[0] + shift[0], box.xy[1] + shift[1]
    vx, vy = toward[0] - cx, toward[1] - cy
    if vx == vy == 0:
        return cx, cy
    scale = min(box.w / 2 / abs(vx) if vx else float("inf"), box.h / 2 / abs(vy) if vy else float("inf"))
    return cx + vx * scale, cy + vy * scale


def _node(graph: Graph, node_id: str, box: _Box, lines: list[str], shift: tuple[float, float],
          overlay: Overlay | None, links: bool) -> str:
    node = graph.nodes[node_id]
    cx, cy = box.xy[0] + shift[0], box.xy[1] + shift[1]
    x, y = cx - box.w / 2, cy - box.h / 2
    fill, stroke, colour = "#333333", "#333333", "#ffffff"
    if node.state_type not in ("Start", "End"):
        fill, stroke, colour = STATUS_COLOURS[overlay.run(node_id).status] if overlay else ("#ffffff", "#555", "#000")
    outline = f'fill="{fill}" stroke="{stroke}" stroke-width="{3 if node.terminal else 1.2}"'
    if node.state_type in ("Start", "End"):
        shape = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{box.w / 2:.1f}" {outline}/>'
    elif node.state_type == "Choice":
        corners = ((cx, y), (x + box.w, cy), (cx, y + box.h), (x, cy))
        shape = f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in corners)}" {outline}/>'
    else:
        shape = f'<rect x="{x:.1f}" y="{y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="8" {outline}/>'
    first = cy - (len(lines) - 1) * _LINE_HEIGHT / 2 + 4
    text = "".join(f'<tspan x="{cx:.1f}" y="{first + i * _LINE_HEIGHT:.1f}">{_e(line)}</tspan>'
                   for i, line in enumerate(lines))
    drawn = f'{shape}<text text-anchor="middle" fill="{colour}">{text}</text>'
    if links and node.state_type not in ("Start", "End"):
        drawn = f'<a href="#flow_{node_id}">{drawn}</a>'
    return f'<g id="node_{node_id}" class="node"><title>{_e(node.name)}</title>{drawn}</g>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)
