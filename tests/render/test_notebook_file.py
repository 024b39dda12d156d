"""docs/notebooks/rider-photo.ipynb executed end to end on a real Python kernel (nbclient +
ipykernel), with the real rider-photo stack (face detection on the workshop's photos), and its
outputs checked: graphs with the path's states marked, step tables with the steps."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from stepflow.render.overlay import STATUS_COLOURS

from .conftest import node_fills

pytest.importorskip("nbclient", reason="the notebook extra (nbclient, ipykernel) is not installed")
sys.path.insert(0, str(Path(__file__).parents[2] / "docs" / "notebooks"))
import notebooks  # noqa: E402  (docs/notebooks/notebooks.py: how the docs run their notebooks)

pytestmark = pytest.mark.faces
SUCCEEDED, FAILED, CAUGHT, NOT_REACHED = (STATUS_COLOURS[s][0] for s in ("succeeded", "failed", "caught", "not_reached"))


@pytest.fixture(scope="module")
def outputs() -> dict[str, list[dict]]:
    """Each code cell's outputs, by the cell's first line."""
    notebook = notebooks.execute("rider-photo.ipynb")
    return {cell.source.splitlines()[0]: cell.outputs for cell in notebook.cells if cell.cell_type == "code"}


def html_of(outputs: dict[str, list[dict]], first_line: str) -> str:
    (result,) = [o for o in outputs[first_line] if o["output_type"] == "execute_result"]
    return result["data"]["text/html"]


def steps_of(html: str) -> list[tuple[str, str]]:
    return [(state, status) for status, state in re.findall(r'<details class="sf-step sf-(\w+)" data-state="(\w+)">', html)]


def test_every_cell_ran_without_an_error(outputs):
    assert not [o for cell in outputs.values() for o in cell if o["output_type"] == "error"]


def test_the_machine_cell_shows_the_graph(outputs):
    html = html_of(outputs, "machine = StateMachine.from_file(REPO / \"definitions\" / \"rider-photo-processing-4.asl.json\",")
    assert "<svg" in html
    for state in ("FaceDetection", "ParallelProcessing", "Thumbnail", "PersistMetadata"):
        assert f'<g id="node_s_{state}" class="node">' in html


def test_the_happy_path_shows_its_states_marked_and_its_steps(outputs):
    html = html_of(outputs, 'happy = machine.run(photo("user_a", "1_happy_face.jpg"), name="happy-face")')
    fills = node_fills(html)
    for state in ("FaceDetection", "CheckFaceDuplicate", "ParallelProcessing", "AddFaceToIndex", "Thumbnail", "PersistMetadata"):
        assert fills[state] == SUCCEEDED, state
    assert fills["PhotoDoesNotMeetRequirement"] == NOT_REACHED
    assert [s for s, _ in steps_of(html)][:3] == ["FaceDetection", "CheckFaceDuplicate", "ParallelProcessing"]
    assert sorted(steps_of(html)) == sorted((s, "succeeded") for s in (
        "FaceDetection", "CheckFaceDuplicate", "ParallelProcessing", "AddFaceToIndex", "Thumbnail", "PersistMetadata"))


def test_sunglasses_show_the_caught_step_and_the_missing_photo_the_failed_one(outputs):
    sunglasses = html_of(outputs, 'sunglasses = machine.run(photo("user_b", "2_sunglass_face.jpg"), name="sunglasses")')
    assert node_fills(sunglasses)["FaceDetection"] == CAUGHT
    assert steps_of(sunglasses) == [("FaceDetection", "caught"), ("PhotoDoesNotMeetRequirement", "succeeded")]
    assert "PhotoDoesNotMeetRequirementError" in sunglasses
    missing = html_of(outputs, 'missing = machine.run(photo("user_x", "not-uploaded.jpg"), name="missing-photo")')
    assert node_fills(missing)["FaceDetection"] == FAILED
    assert steps_of(missing) == [("FaceDetection", "failed")]
    assert '<tr class="failed"><th>failed</th><td>InvalidS3ObjectException: ' in missing


def test_stepping_catches_the_duplicate_face_and_the_map_edit_changes_the_choice(outputs):
    stepping = outputs['session = machine.debug(photo("user_e", "1_happy_face.jpg"), name="same-face-new-user")']
    printed = "".join(o.get("text", "") for o in stepping if o["output_type"] == "stream")
    assert printed.startswith("FaceDetection {'userId': 'user_e'")
    assert "FaceDetection -> CheckFaceDuplicate" in printed
    assert "CheckFaceDuplicate CAUGHT FaceAlreadyExistsError" in printed
    paused = [o for o in stepping if o["output_type"] == "execute_result"][0]["data"]
    assert paused["text/plain"].endswith("paused before PhotoDoesNotMeetRequirement")
    edited = outputs['sizes = StateMachine({']
    printed = "".join(o.get("text", "") for o in edited if o["output_type"] == "stream")
    assert printed.splitlines() == [
        "('Sizes', 0) IsLarge {'key': 'a.jpg', 'kb': 120}", "Shrink", "('Sizes', 1) IsLarge {'key': 'b.jpg', 'kb': 900}",
    ]
    result = [o for o in edited if o["output_type"] == "execute_result"][0]["data"]["text/plain"]
    assert 'output: [{"key": "a.jpg", "action": "shrink"}, {"key": "b.jpg", "action": "shrink"}]' in result
