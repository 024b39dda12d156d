from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFINITIONS = Path(__file__).parent / "definitions"
REPO_DEFINITIONS = Path(__file__).parents[2] / "definitions"


def load(name: str) -> dict[str, Any]:
    """One of this folder's test definitions (fixed copies, so expected texts stay exact)."""
    return json.loads((DEFINITIONS / name).read_text())


def run_every_state_type(execution_input: dict[str, Any], name: str = "demo") -> Any:
    """A real engine run of the every-state-type definition with ``work_resources``' handlers."""
    from stepflow.machine import StateMachine

    from . import work_resources

    machine = StateMachine(load("every-state-type.asl.json"), resources=work_resources.RESOURCES,
                           substitutions=work_resources.SUBSTITUTIONS, name="every-state-type")
    return machine.run(execution_input, name=name)


def node_fills(html_or_svg: str) -> dict[str, str]:
    """Each drawn state's fill colour, by state name, from Graphviz's SVG or the layered fallback's."""
    import re

    fills = {}
    for node_id, body in re.findall(r'<g id="node_s_(\w+)" class="node">(.*?)</g>', html_or_svg, re.S):
        found = re.search(r'fill="(#[0-9a-fA-F]{6})"', body)
        if found:
            fills.setdefault(node_id, found.group(1))
    return fills
