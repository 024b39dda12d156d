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
