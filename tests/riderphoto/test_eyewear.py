"""Sunglasses and eyeglasses from landmarks: painted lenses and frames on a bare face, and fixtures."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance

from stepflow.riderphoto.analysis import analyse_photo
from stepflow.riderphoto.detection import detect_faces
from stepflow.riderphoto.eyewear import EyewearMeasures, eyeglasses, measure_eyewear, sunglasses
from stepflow.riderphoto.images import decode_photo
from stepflow.settings import fixtures_dir

# The manifest labels sunglasses only; these photos show clear eyeglasses.
CLEAR_EYEGLASSES = ["eyeglasses_synth38.jpg", "single_awsman_frontal.jpg", "single_awsman_turned.jpg"]
SUNGLASSES = ["2_sunglass_face.jpg", "sunglasses_awsman_clipon.jpg", "sunglasses_gd_black.jpg",
              "sunglasses_gd_hat.jpg"]
BARE = ["1_happy_face.jpg", "single_obama_a.jpg", "single_synth05.jpg", "odd_small_160px_synth17.jpg"]


def _bytes(name: str) -> bytes:
    path = Path(fixtures_dir()) / name
    if not path.exists():
        pytest.skip(f"fixture {path} not found")
    return path.read_bytes()


def test_attributes_are_decided_by_the_thresholds_with_confidence_growing_away_from_them() -> None:
    covered = sunglasses(EyewearMeasures(skin_visible=0.0, dark=0.8, frame_edge=0.5))
    bare = sunglasses(EyewearMeasures(skin_visible=0.5, dark=0.1, frame_edge=0.0))
    borderline = sunglasses(EyewearMeasures(skin_visible=0.3, dark=0.55, frame_edge=0.0))
    assert covered["Value"] is True and bare["Value"] is False and borderline["Value"] is True
    assert borderline["Confidence"] < 60 < bare["Confidence"] and covered["Confidence"] > 95
    assert eyeglasses(EyewearMeasures(skin_visible=0.0, dark=0.8, frame_edge=0.0))["Value"] is True
    assert eyeglasses(EyewearMeasures(skin_visible=0.5, dark=0.1, frame_edge=0.5))["Value"] is True
    assert eyeglasses(EyewearMeasures(skin_visible=0.5, dark=0.1, frame_edge=0.05))["Value"] is False


def _face_with(paint: str) -> tuple[np.ndarray, np.ndarray]:
    """single_synth05 (bare eyes) with eyewear painted over its own landmarks."""
    rgb = decode_photo(_bytes("single_synth05.jpg"), max_side=800).rgb
    landmarks = detect_faces(rgb)[0].landmarks
    image = Image.fromarray(rgb).convert("RGBA")
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    lenses = []
    for eye in (slice(36, 42), slice(42, 48)):
        (cx, cy), width = landmarks[eye].mean(axis=0), np.ptp(landmarks[eye][:, 0])
        lenses.append((cx - 0.9 * width, cy - 0.6 * width, cx + 0.9 * width, cy + 0.6 * width))
    for box in lenses:
        if paint == "dark lenses":
            draw.ellipse(box, fill=(20, 20, 25, 255))
        elif paint == "brown tint":
            draw.ellipse(box, fill=(90, 50, 20, 200))
        draw.ellipse(box, outline=(30, 30, 30, 255), width=6)
    bridge_y = (landmarks[39, 1] + landmarks[42, 1]) / 2 - 5
    draw.line((lenses[0][2] - 3, bridge_y, lenses[1][0] + 3, bridge_y), fill=(30, 30, 30, 255), width=6)
    return np.asarray(Image.alpha_composite(image, overlay).convert("RGB")), landmarks


@pytest.mark.faces
@pytest.mark.parametrize("paint, wears_sunglasses", [("dark lenses", True), ("brown tint", True),
                                                     ("clear frame", False)])
def test_painted_lenses_count_as_sunglasses_and_a_clear_frame_as_eyeglasses_only(
        paint: str, wears_sunglasses: bool) -> None:
    rgb, landmarks = _face_with(paint)
    measures = measure_eyewear(rgb, landmarks)
    assert sunglasses(measures)["Value"] is wears_sunglasses
    assert eyeglasses(measures)["Value"] is True


@pytest.mark.faces
def test_the_bare_face_the_paint_goes_on_has_no_eyewear() -> None:
    rgb = decode_photo(_bytes("single_synth05.jpg"), max_side=800).rgb
    measures = measure_eyewear(rgb, detect_faces(rgb)[0].landmarks)
    assert not sunglasses(measures)["Value"] and not eyeglasses(measures)["Value"]


@pytest.mark.faces
@pytest.mark.parametrize("name", SUNGLASSES + CLEAR_EYEGLASSES + BARE)
def test_fixture_eyewear_matches_what_the_photos_show(name: str) -> None:
    face = analyse_photo(_bytes(name)).faces[0]
    assert face.sunglasses["Value"] is (name in SUNGLASSES)
    assert face.eyeglasses["Value"] is (name in SUNGLASSES or name in CLEAR_EYEGLASSES)


@pytest.mark.faces
@pytest.mark.parametrize("factor", [0.75, 1.5])
@pytest.mark.parametrize("name", SUNGLASSES + CLEAR_EYEGLASSES + ["single_obama_b.jpg"])
def test_eyewear_decisions_hold_when_the_photo_is_resized(name: str, factor: float) -> None:
    # at these sizes the landmark predictor slides the clip-on wearer's eye points onto his cheeks
    original = Image.open(io.BytesIO(_bytes(name))).convert("RGB")
    size = (round(original.width * factor), round(original.height * factor))
    _assert_eyewear_as_labelled(name, original.resize(size, Image.Resampling.BICUBIC))


@pytest.mark.faces
@pytest.mark.parametrize("change", ["grayscale", "darker", "brighter"])
@pytest.mark.parametrize("name", SUNGLASSES + CLEAR_EYEGLASSES + ["single_obama_b.jpg", "odd_small_160px_synth17.jpg"])
def test_eyewear_decisions_hold_in_grayscale_and_other_exposures(name: str, change: str) -> None:
    original = Image.open(io.BytesIO(_bytes(name))).convert("RGB")
    changed = {"grayscale": lambda: original.convert("L"),
               "darker": lambda: ImageEnhance.Brightness(original).enhance(0.6),
               "brighter": lambda: ImageEnhance.Brightness(original).enhance(1.4)}[change]()
    _assert_eyewear_as_labelled(name, changed)


def _assert_eyewear_as_labelled(name: str, picture: Image.Image) -> None:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    face = analyse_photo(buffer.getvalue()).faces[0]
    assert face.sunglasses["Value"] is (name in SUNGLASSES)
    assert face.eyeglasses["Value"] is (name in SUNGLASSES or name in CLEAR_EYEGLASSES)
