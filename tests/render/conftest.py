from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFINITIONS = Path(__file__).parent / "definitions"
REPO_DEFINITIONS = Path(__file__).parents[2] / "definitions"


def load(name: str) -> dict[str, Any]:
    """One of this folder's test definitions (fixed copies, so expected texts stay exact)."""
    return json.loads((DEFINITIONS / name).read_text())
