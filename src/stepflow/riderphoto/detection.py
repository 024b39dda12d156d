"""Find faces with face_recognition's dlib models: boxes, 68 landmarks and 128-d encodings.

Measured on the fixtures (bench/faces.py): HOG on the photo reduced to 800 px finds every labelled
face except the turned head behind the wheel in ``2_sunglass_face.jpg``; the CNN detector finds
that one but costs ~10x HOG at the same size and reports a false face in the skyline at 500 px.
So HOG comes first, and the other passes of ``find_face_boxes`` run only where it needs help,
each for a kind of photo the generated set (stepflow.riderphoto.evaluation) showed it failing:
faces under HOG's 80 px window in group photos, dark photos, and printed patches that HOG takes
for a face (a mission patch on a space suit). A photo with one clear face costs one HOG pass.

dlib's object detectors are not safe to share between threads (the HOG one parallelises well, so
each thread gets its own); the CNN detector, shape predictor and encoder are shared under a lock
(they hold the GIL or use both cores already, so the lock costs no throughput).
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any, Literal

import dlib
import numpy as np
from PIL import Image

from stepflow.riderphoto import face_models

# Detection runs on the photo reduced to this side: HOG costs ~30 ms there, and faces a person
# would count stay above HOG's 80 px window in photos of a few people.
DETECTION_MAX_SIDE = 800
# The CNN fallback runs at this side (smaller photos are upsampled to reach it): ~0.4 s;
# 2_sunglass_face is found, and no false face in the skyline (at 500 px there is one).
CNN_MAX_SIDE = 400
# Photos smaller than this are upsampled for HOG (twice at most: 64 px -> 256 px) so faces below
# its 80 px window are found (measured: 3 faces in multi_friends.png at 400 px need it).
HOG_UPSAMPLE_BELOW = 640
MAX_UPSAMPLE = 2
# Pass 2 (see find_face_boxes) runs only when the photo doubled once more stays within this side.
GROUP_UPSAMPLE_MAX_SIDE = 1700
# ... and when the only face pass 1 found is narrower than this share of the photo's shorter side
# (a rider's own photo shows a face of 0.28-0.4 of it in the fixtures).
LONE_FACE_SHARE = 0.25
# Pass 3 runs only on photos whose median luma is below this (0-1); a face whose own median is
# below it is measured on the normalised copy (detect_faces).
DARK_MEDIAN_LUMA = 0.25
# HOG boxes whose margin is below this are confirmed by the CNN; the face is scaled to this width.
CONFIRM_BELOW_MARGIN = 0.5
CONFIRM_FACE_SIDE = 100
_LUMA = np.array([0.299, 0.587, 0.114])
# CNN boxes grown by this factor and moved down by this share of their height (see _hog_like).
_CNN_BOX_GROWTH, _CNN_BOX_SHIFT = 1.15, 0.1

Detector = Literal["hog", "cnn"]

_models_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One face in the image it was found in (pixel coordinates of that image)."""

    box: tuple[int, int, int, int]  # top, right, bottom, left (face_recognition's order), clipped
    confidence: float  # 0-100, a squash of the detector's margin (see _confidence)
    detector: Detector
    landmarks: np.ndarray  # (68, 2) float x, y: dlib's 68-point layout (iBUG 300-W)
    encoding: np.ndarray  # (128,) float64, face_recognition's embedding
    pixels: np.ndarray  # what landmarks and encoding were taken from: the photo, or its
    # exposure-normalised copy for a dark face (detect_faces)


def _confidence(margin: float) -> float:
    """Detector margin (0 at dlib's threshold, ~1-3 for clear faces) -> 0-100, monotone.

    Rekognition's Confidence has no dlib equivalent; this keeps the order of the detector's
    certainty on a familiar scale (margin 0 -> 73, 1 -> 98, 2 -> 99.9).
    """
    return round(100.0 / (1.0 + math.exp(-(3.0 * margin + 1.0))), 4)


def _upsample_for(rgb: np.ndarray, below: int) -> int:
    """How many times dlib should double ``rgb`` so its longer side reaches ``below`` (at most 2)."""
    side = max(rgb.shape[:2])
    times = 0
    while side < below and times < MAX_UPSAMPLE:
        side *= 2
        times += 1
    return times


def _reduce(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """``rgb`` fitted within ``max_side`` and the factor applied (1.0 when already small)."""
    factor = max_side / max(rgb.shape[:2])
    if factor >= 1.0:
        return rgb, 1.0
    image = Image.fromarray(rgb)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return np.asarray(image.resize(size, Image.Resampling.LANCZOS)), factor


def _clip(rgb: np.ndarray, left: float, top: float, right: float, bottom: float) -> tuple[int, int, int, int]:
    height, width = rgb.shape[:2]
    return (max(0, round(top)), min(width, round(right)), min(height, round(bottom)), max(0, round(left)))


def _hog(rgb: np.ndarray, upsample: int) -> list[tuple[tuple[int, int, int, int], float, Detector]]:
    rects, margins, _ = face_models.hog_detector().run(rgb, upsample, 0.0)
    return [(_clip(rgb, r.left(), r.top(), r.right(), r.bottom()), m, "hog") for r, m in zip(rects, margins)]


def _cnn(rgb: np.ndarray, max_side: int) -> list[tuple[tuple[int, int, int, int], float, Detector]]:
    reduced, factor = _reduce(rgb, max_side)
    with _models_lock:
        found = face_models.cnn_detector()(reduced, _upsample_for(reduced, max_side))
    return [(_hog_like(rgb, d.rect, factor), d.confidence, "cnn") for d in found]


def _normalised_exposure(rgb: np.ndarray) -> np.ndarray | None:
    """An underexposed photo corrected as a photo editor's auto-levels would: a gain that takes its
    99th luma percentile to white, then a gamma curve that lifts its median to 0.45; None when
    the photo is not dark. HOG works on gradients, which a dark photo has too few of."""
    luma = rgb @ _LUMA
    median = float(np.median(luma)) / 255.0
    if median >= DARK_MEDIAN_LUMA:
        return None
    gain = 255.0 / max(float(np.percentile(luma, 99)), 1.0)
    median = min(max(median * gain, 1.0 / 255.0), 0.45)
    gamma = math.log(0.45) / math.log(median)
    table = np.round(255.0 * np.clip(np.arange(256) * gain / 255.0, 0.0, 1.0) ** gamma).astype(np.uint8)
    return table[rgb]


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """True when ``b``'s centre lies inside ``a`` (same face found twice, or confirmed)."""
    centre_x, centre_y = (b[1] + b[3]) / 2, (b[0] + b[2]) / 2
    return a[3] <= centre_x <= a[1] and a[0] <= centre_y <= a[2]


def _confirmed(rgb: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether the CNN also sees a face at a weak HOG box: run on the box with a face's width of
    surroundings each side, scaled so the face is ~100 px wide (~20 ms)."""
    top, right, bottom, left = box
    width = right - left
    x0, y0 = max(0, left - width), max(0, top - width)
    crop = rgb[y0:bottom + width, x0:right + width]
    factor = CONFIRM_FACE_SIDE / max(width, 1)
    resized = np.asarray(Image.fromarray(crop).resize(
        (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor))), Image.Resampling.BILINEAR))
    with _models_lock:
        found = face_models.cnn_detector()(resized, 0)
    shifted = (round((top - y0) * factor), round((right - x0) * factor),
               round((bottom - y0) * factor), round((left - x0) * factor))
    return any(_overlaps(shifted, (d.rect.top(), d.rect.right(), d.rect.bottom(), d.rect.left())) for d in found)


def _may_hide_small_faces(rgb: np.ndarray, found: list) -> bool:
    """No face, a group, or one face small for the photo (a person among others further away)."""
    if len(found) != 1:
        return True
    top, right, bottom, left = found[0][0]
    return right - left < LONE_FACE_SHARE * min(rgb.shape[:2])


def find_face_boxes(rgb: np.ndarray) -> list[tuple[tuple[int, int, int, int], float, Detector]]:
    """Face boxes (top, right, bottom, left), confidence and detector, in four passes:

    1. HOG at the photo's size (upsampled when small): every photo, ~30-80 ms at 800 px.
    2. HOG upsampled once more, for faces below its 80 px window: only when pass 1 found none, a
       group (2+), or one face narrower than LONE_FACE_SHARE of the photo's shorter side, and the
       doubled photo stays within 1700 px; ~4x pass 1.
    3. HOG on an exposure-normalised copy: only when nothing was found yet and the photo is dark
       (median luma below DARK_MEDIAN_LUMA).
    4. The CNN on the photo reduced to 400 px: only when nothing was found yet; ~400 ms.
    HOG boxes with a weak margin (below CONFIRM_BELOW_MARGIN) are kept only when the CNN confirms
    them on a crop (~20 ms each): prints, patterns and fabric make weak HOG faces.
    """
    upsample = _upsample_for(rgb, HOG_UPSAMPLE_BELOW)
    found = _hog(rgb, upsample)
    if _may_hide_small_faces(rgb, found) and max(rgb.shape[:2]) * 2 ** (upsample + 1) <= GROUP_UPSAMPLE_MAX_SIDE:
        finer = _hog(rgb, upsample + 1)
        found += [face for face in finer if not any(_overlaps(kept[0], face[0]) for kept in found)]
    if not found:
        brightened = _normalised_exposure(rgb)
        if brightened is not None:
            found = _hog(brightened, upsample)
    found = [face for face in found if face[1] >= CONFIRM_BELOW_MARGIN or _confirmed(rgb, face[0])]
    if not found:
        found = _cnn(rgb, CNN_MAX_SIDE)
    return [(box, _confidence(margin), detector) for box, margin, detector in found]


def _hog_like(rgb: np.ndarray, rect: Any, factor: float) -> tuple[int, int, int, int]:
    """A CNN box (found at ``factor`` scale) as the clipped HOG-style box the 68-point predictor
    was trained on: the CNN's boxes are tighter and sit higher. Measured on 2_sunglass_face and
    copies of it: with the raw box the eye points of the grayscale copy miss the lenses."""
    width, height = rect.width() / factor, rect.height() / factor
    centre_x = (rect.left() + rect.right()) / 2 / factor
    centre_y = (rect.top() + rect.bottom()) / 2 / factor + _CNN_BOX_SHIFT * height
    half_width, half_height = _CNN_BOX_GROWTH * width / 2, _CNN_BOX_GROWTH * height / 2
    return _clip(rgb, centre_x - half_width, centre_y - half_height, centre_x + half_width, centre_y + half_height)


def _is_dark(rgb: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    top, right, bottom, left = box
    face = rgb[top:bottom, left:right]
    return face.size > 0 and float(np.median(face @ _LUMA)) / 255.0 < DARK_MEDIAN_LUMA


def detect_faces(rgb: np.ndarray) -> list[DetectedFace]:
    """Every face in ``rgb`` (uint8 HxWx3) with its landmarks and encoding, in detection order.

    A dark face in a dark photo is measured on the photo's exposure-normalised copy (the one
    detection pass 3 sees): the encoder was trained on well-exposed faces, and the eyewear measure
    needs skin that is not lost in the sensor's noise."""
    brightened = _normalised_exposure(rgb)
    faces = []
    for box, confidence, detector in find_face_boxes(rgb):
        top, right, bottom, left = box
        image = brightened if brightened is not None and _is_dark(rgb, box) else rgb
        with _models_lock:
            shape = face_models.shape_predictor()(image, dlib.rectangle(left, top, right, bottom))
            encoding = np.array(face_models.encoder().compute_face_descriptor(image, shape, 1))
        landmarks = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        faces.append(DetectedFace(box, confidence, detector, landmarks, encoding, image))
    return faces
