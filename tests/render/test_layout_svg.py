"""Without Graphviz, the SVG is laid out in layers and no edge cuts through a node it does not join."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stepflow.asl.loader import load_definition
from stepflow.render.graph import build_graph
from stepflow.render.layout_svg import layered_svg

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
DEFINITIONS = [ROOT / "definitions" / f"rider-photo-processing-{n}.asl.json" for n in (1, 4)] + sorted(
    (Path(__file__).parent / "definitions").glob("*.json"))


def boxes(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    """Each node's bounding box (x0, y0, x1, y1) by node id."""
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        node_id = group.get("id", "")[len("node_"):]
        shape = next(e for e in group.iter() if e.tag in (f"{SVG}rect", f"{SVG}circle", f"{SVG}polygon"))
        if shape.tag == f"{SVG}rect":
            x, y, w, h = (float(shape.get(k)) for k in ("x", "y", "width", "height"))
            found[node_id] = (x, y, x + w, y + h)
        elif shape.tag == f"{SVG}circle":
            cx, cy, r = (float(shape.get(k)) for k in ("cx", "cy", "r"))
            found[node_id] = (cx - r, cy - r, cx + r, cy + r)
        else:
            xs, ys = zip(*(map(float, p.split(",")) for p in shape.get("points").split()))
            found[node_id] = (min(xs), min(ys), max(xs), max(ys))
    return found


def crosses(a: tuple[float, float], b: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    """Whether segment a-b passes through the inside of ``box`` (shrunk by 2 px: touching is fine)."""
    x0, y0, x1, y1 = box[0] + 2, box[1] + 2, box[2] - 2, box[3] - 2
    low, high = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.name)
def test_no_edge_cuts_through_a_node_it_does_not_join(path):
    graph = build_graph(load_definition(path.read_text()))
    root = ET.fromstring(layered_svg(graph, None))
    nodes = boxes(root)
    assert set(nodes) == set(graph.nodes)
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    assert len(edges) == len(graph.edges)
    for group in edges:
        points = [tuple(map(float, p.split(","))) for p in group.find(f"{SVG}polyline").get("points").split()]
        for node_id, box in nodes.items():
            if node_id in (group.get("data-source"), group.get("data-target")):
                continue
            for a, b in zip(points, points[1:]):
                assert not crosses(a, b, box), f"{group.get('data-source')}->{group.get('data-target')} cuts {node_id}"


def test_nodes_do_not_overlap():
    graph = build_graph(load_definition(DEFINITIONS[1].read_text()))
    nodes = list(boxes(ET.fromstring(layered_svg(graph, None))).values())
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
