"""What the CLI tests share: running ``python -m stepflow`` as a user would, on a data root of the test's own."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """``cli(*args, home=None)``: run the command in ``tmp_path`` with ``STEPFLOW_HOME`` at ``home``
    (default ``tmp_path / "home"``)."""

    def run(*args: object, home: Path | str | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "STEPFLOW_HOME": str(home if home is not None else tmp_path / "home")}
        return subprocess.run([sys.executable, "-m", "stepflow", *map(str, args)], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=60)

    return run


@pytest.fixture
def definition_file(tmp_path: Path) -> Callable[[dict, str], Path]:
    """``definition_file(definition, name)``: the definition written as JSON to ``tmp_path / name``."""

    def write(definition: dict, name: str) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(definition))
        return path

    return write
