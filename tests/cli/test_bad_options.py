"""Options with values nothing can use end with a typed message and exit 2, never an internal error."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest


def stepflow(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {"STEPFLOW_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "stepflow", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=60)


@pytest.mark.parametrize("option", [["--map-executor", "weird"], ["--dask", "bogus://x"]])
def test_a_map_executor_that_is_no_executor_names_the_forms_accepted(tmp_path, option):
    pytest.importorskip("distributed")
    definition = tmp_path / "one.asl.json"
    definition.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    done = stepflow(tmp_path, "run", str(definition), *option)
    assert done.returncode == 2, done.stderr
    assert "is not threads[:N], processes[:N], local:N or a Dask scheduler address" in done.stderr
    assert "internal error" not in done.stderr


def test_serve_refuses_a_port_out_of_range_as_a_usage_error(tmp_path):
    done = stepflow(tmp_path, "serve", "--port", "99999")
    assert done.returncode == 2
    assert "'99999' is not a port (0 to 65535)" in done.stderr
