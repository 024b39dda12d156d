"""analyse_photo on the labelled fixtures: face counts, sunglasses, FaceDetail shape, cache."""
from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stepflow.riderphoto import analysis
from stepflow.riderphoto.analysis import analyse_photo
from stepflow.riderphoto.images import UNSUPPORTED_FORMAT_MESSAGE, PhotoRejected
from stepflow.settings import fixtures_dir

pytestmark = pytest.mark.faces

MANIFEST = fixtures_dir() / "manifest.json"
ENTRIES = json.loads(MANIFEST.read_text())["images"] if MANIFEST.exists() else []
VALID = [e for e in ENTRIES if e["labels"].get("valid_image", True) and e["format"] in ("JPEG", "PNG")]
INVALID = [e for e in ENTRIES if e not in VALID]


def _bytes(name: str) -> bytes:
    path = Path(fixtures_dir()) / name
    if not path.exists():
        pytest.skip(f"fixture {path} not found")
    return path.read_bytes()


@pytest.mark.parametrize("entry", VALID, ids=lambda e: e["file"])
def test_every_valid_fixture_has_its_labelled_face_count_and_sunglasses(entry: dict) -> None:
    result = analyse_photo(_bytes(entry["file"]))
    labels = entry["labels"]
    assert len(result.faces) == labels["face_count"]
    if labels["face_count"] == 1:
        assert result.faces[0].sunglasses["Value"] is labels["sunglasses"]
    assert (result.width, result.height, result.format) == (
        (entry["height"], entry["width"]) if entry["exif_orientation"] in (5, 6, 7, 8)
        else (entry["width"], entry["height"])) + (entry["format"],)


@pytest.mark.parametrize("entry", INVALID, ids=lambda e: e["file"])
def test_invalid_or_unsupported_fixtures_are_rejected_with_the_workshops_message(entry: dict) -> None:
    with pytest.raises(PhotoRejected) as caught:
        analyse_photo(_bytes(entry["file"]))
    assert caught.value.message == UNSUPPORTED_FORMAT_MESSAGE


def test_face_detail_is_shaped_like_rekognitions_without_landmarks() -> None:
    face = analyse_photo(_bytes("1_happy_face.jpg")).faces[0]
    detail = face.face_detail()
    assert list(detail) == ["BoundingBox", "Eyeglasses", "Sunglasses", "Pose", "Quality", "Confidence"]
    assert set(detail["BoundingBox"]) == {"Width", "Height", "Left", "Top"}
    assert all(0 <= v <= 1 for v in detail["BoundingBox"].values())
    for attribute in ("Eyeglasses", "Sunglasses"):
        assert set(detail[attribute]) == {"Value", "Confidence"}
        assert 50 <= detail[attribute]["Confidence"] <= 100
    assert set(detail["Pose"]) == {"Roll", "Yaw", "Pitch"}
    assert all(0 <= v <= 100 for v in detail["Quality"].values())
    assert 0 < detail["Confidence"] <= 100
    json.dumps(detail)  # plain JSON, ready for the state machine
    assert face.encoding.shape == (128,) and face.encoding.dtype == np.float64


def test_boxes_of_a_reduced_large_photo_are_given_in_full_size_pixels() -> None:
    result = analyse_photo(_bytes("odd_large_dani_3088px.jpg"))
    face = result.faces[0]
    top, right, bottom, left = face.box
    assert 0 <= left < right <= result.width and 0 <= top < bottom <= result.height
    assert (right - left) / result.width == pytest.approx(face.bounding_box["Width"], abs=0.002)
    assert left / result.width == pytest.approx(face.bounding_box["Left"], abs=0.002)
    assert right - left > 800  # a face of ~1300 px in the 2320 px photo, not of the 800 px copy


@pytest.mark.parametrize("name", ["odd_exif6_synth13.jpg", "odd_exif3_synth14.jpg"])
def test_exif_rotated_photos_are_analysed_upright(name: str) -> None:
    pose = analyse_photo(_bytes(name)).faces[0].pose
    assert abs(pose["Roll"]) < 15  # the eyes are level: the face was turned upright


def test_head_tilt_shows_as_roll() -> None:
    upright = Image.open(io.BytesIO(_bytes("single_synth05.jpg")))
    buffer = io.BytesIO()
    upright.rotate(-20, resample=Image.Resampling.BILINEAR, fillcolor=(255, 255, 255)).save(buffer, "PNG")
    roll = analyse_photo(buffer.getvalue()).faces[0].pose["Roll"]
    base = analyse_photo(_bytes("single_synth05.jpg")).faces[0].pose["Roll"]
    assert roll - base == pytest.approx(20, abs=5)


def test_largest_face_is_the_face_with_the_biggest_box() -> None:
    result = analyse_photo(_bytes("3_multiple_faces.jpg"))
    largest = result.largest_face()
    assert largest is not None and largest.area == max(face.area for face in result.faces)
    assert analyse_photo(_bytes("4_no_face.jpg")).largest_face() is None


def test_same_person_encodings_are_closer_than_different_people() -> None:
    def encoding(name: str) -> np.ndarray:
        return analyse_photo(_bytes(name)).faces[0].encoding

    same = np.linalg.norm(encoding("single_obama_a.jpg") - encoding("single_obama_b.jpg"))
    other = np.linalg.norm(encoding("single_obama_a.jpg") - encoding("single_biden_a.jpg"))
    assert same < 0.5 < other


def test_a_photo_is_analysed_once_however_many_tasks_ask_at_the_same_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # bytes after a JPEG's end marker change the hash but not the picture: a photo not yet cached
    data = _bytes("single_obama_b.jpg") + b"cache-test"
    calls = []
    real = analysis.analyse_decoded

    def counting(photo: bytes) -> analysis.PhotoAnalysis:
        calls.append(photo)
        return real(photo)

    monkeypatch.setattr(analysis, "analyse_decoded", counting)
    results: list[analysis.PhotoAnalysis] = []
    threads = [threading.Thread(target=lambda: results.append(analyse_photo(data))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(results) == 3 and all(result is results[0] for result in results)
    assert analyse_photo(data) is results[0]


def test_rejections_are_not_cached_and_the_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(2):
        with pytest.raises(PhotoRejected):
            analyse_photo(b"GIF89a not really")
    monkeypatch.setattr(analysis, "CACHE_SIZE", 2)
    photo = _bytes("odd_tiny_64px_synth16.jpg")
    for suffix in (b"1", b"2", b"3"):
        analyse_photo(photo + suffix)
    assert len(analysis._cache) <= 2
