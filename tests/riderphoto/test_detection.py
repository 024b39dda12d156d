"""detect_faces: HOG first, the CNN on a reduced photo only where HOG finds nothing."""
from __future__ import annotations

import random
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stepflow.riderphoto import detection, face_models
from stepflow.riderphoto.detection import detect_faces, find_face_boxes
from stepflow.riderphoto.evaluation import transforms
from stepflow.riderphoto.images import decode_photo
from stepflow.settings import fixtures_dir

pytestmark = pytest.mark.faces


def _photo(name: str, max_side: int = detection.DETECTION_MAX_SIDE) -> np.ndarray:
    path = Path(fixtures_dir()) / name
    if not path.exists():
        pytest.skip(f"fixture {path} not found")
    return decode_photo(path.read_bytes(), max_side=max_side).rgb


def test_the_turned_head_hog_misses_is_found_by_the_cnn_fallback() -> None:
    rgb = _photo("2_sunglass_face.jpg")
    assert len(face_models.hog_detector()(rgb, 1)) == 0  # the trap: HOG alone rejects it as 0 faces
    boxes = find_face_boxes(rgb)
    assert [detector for _, _, detector in boxes] == ["cnn"]
    top, right, bottom, left = boxes[0][0]
    # the face is in the left half of the frame (the driver), at the 800 px scale, not the 400 px one
    assert right < rgb.shape[1] / 2 and bottom - top > 100


def test_photos_with_faces_use_hog_only(monkeypatch: pytest.MonkeyPatch) -> None:
    rgb = _photo("3_multiple_faces.jpg")
    monkeypatch.setattr(detection, "_reduce", lambda *_: pytest.fail("the CNN ran"))
    assert [detector for _, _, detector in find_face_boxes(rgb)] == ["hog"] * 3


def test_small_photos_are_upsampled_so_a_30_px_face_is_found() -> None:
    rgb = _photo("odd_tiny_64px_synth16.jpg")
    assert len(face_models.hog_detector()(rgb, 0)) == 0
    assert detection._upsample_for(rgb, detection.HOG_UPSAMPLE_BELOW) == 2
    assert len(detect_faces(rgb)) == 1


def test_a_blank_image_has_no_faces() -> None:
    assert detect_faces(np.full((300, 400, 3), 128, np.uint8)) == []


def test_the_cnn_fallback_runs_at_its_reduced_size_without_upsampling(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    real = face_models.cnn_detector()
    monkeypatch.setattr(face_models, "cnn_detector",
                        lambda: lambda rgb, upsample: seen.append((rgb.shape, upsample)) or real(rgb, upsample))
    find_face_boxes(_photo("4_no_face.jpg"))
    assert seen == [((266, 400, 3), 0)]  # 800 x 533 halved


def test_each_face_has_68_landmarks_inside_its_box_and_a_128_d_encoding() -> None:
    rgb = _photo("single_obama_a.jpg")
    (face,) = detect_faces(rgb)
    top, right, bottom, left = face.box
    assert face.landmarks.shape == (68, 2) and face.encoding.shape == (128,)
    eyes = face.landmarks[36:48]
    assert (left <= eyes[:, 0]).all() and (eyes[:, 0] <= right).all()
    assert (top <= eyes[:, 1]).all() and (eyes[:, 1] <= bottom).all()
    assert 0 < face.confidence <= 100


def test_concurrent_detection_gives_the_same_faces_as_sequential() -> None:
    photos = [_photo("single_biden_a.jpg"), _photo("multi_two_people.jpg")]
    expected = [[f.box for f in detect_faces(rgb)] for rgb in photos]
    got: dict[int, list] = {}

    def run(index: int) -> None:
        got[index] = [[f.box for f in detect_faces(photos[index % 2])] for _ in range(2)]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(runs == [expected[i % 2]] * 2 for i, runs in got.items()) and len(got) == 4


def _skimage_photo(name: str) -> np.ndarray:
    from stepflow.riderphoto.evaluation.faceset import FaceSetError, _skimage_data

    try:
        path = _skimage_data() / name
    except FaceSetError as missing:
        pytest.skip(str(missing))
    return np.asarray(Image.open(path).convert("RGB"))


def test_a_printed_patch_that_hog_takes_for_a_face_is_not_confirmed_by_the_cnn() -> None:
    rgb = _skimage_photo("astronaut.png")  # the mission patch on her suit fools HOG
    hog = detection._hog(rgb, detection._upsample_for(rgb, detection.HOG_UPSAMPLE_BELOW))  # pass 1
    weak = [box for box, margin, _ in hog if margin < detection.CONFIRM_BELOW_MARGIN]
    assert len(hog) == 2 and len(weak) == 1
    assert not detection._confirmed(rgb, weak[0])
    assert len(find_face_boxes(rgb)) == 1


def test_a_clear_face_costs_one_hog_pass_and_no_cnn(monkeypatch: pytest.MonkeyPatch) -> None:
    rgb = _photo("1_happy_face.jpg")
    passes = []
    real_hog = detection._hog
    monkeypatch.setattr(detection, "_hog", lambda image, upsample: passes.append(upsample) or real_hog(image, upsample))
    monkeypatch.setattr(face_models, "cnn_detector", lambda: pytest.fail("the CNN ran"))
    assert len(find_face_boxes(rgb)) == 1 and passes == [0]


def test_small_faces_of_a_group_are_found_by_the_upsampled_pass() -> None:
    tiles = []
    for name in ("single_synth05.jpg", "single_synth12.jpg", "single_synth22.jpg", "single_synth31.jpg"):
        image = Image.fromarray(_photo(name))
        (face,) = detect_faces(np.asarray(image))
        tiles.append(transforms.head_tile(image, face.box, 45))
    tiles.insert(1, transforms.head_tile(Image.fromarray(_photo("single_obama_a.jpg")),
                                         detect_faces(_photo("single_obama_a.jpg"))[0].box, 110))
    group, boxes = transforms.group(Image.new("RGB", (100, 100), (90, 110, 90)), tiles, random.Random(3))
    photo = Image.new("RGB", (800, 450), (90, 110, 90))  # 800 px: pass 1 runs without upsampling
    photo.paste(group, (10, 10))
    boxes = [(top + 10, right + 10, bottom + 10, left + 10) for top, right, bottom, left in boxes]
    rgb = np.asarray(photo)
    assert len(detection._hog(rgb, 0)) == 1  # pass 1 sees only the large face
    found = find_face_boxes(rgb)
    assert len(found) == 5
    assert all(any(detection._overlaps(box, f[0]) for f in found) for box in boxes)


def test_a_dark_photo_is_found_on_its_exposure_normalised_copy_and_measured_there() -> None:
    dark = np.asarray(transforms.exposure(Image.fromarray(_photo("single_obama_b.jpg")), 0.3, 1.6))
    assert detection._hog(dark, 0) == [] or detection._normalised_exposure(dark) is not None
    (face,) = detect_faces(dark)
    assert face.pixels is not dark and face.pixels.mean() > 2 * dark.mean()
    assert detection._normalised_exposure(_photo("1_happy_face.jpg")) is None  # a normal photo is left alone
