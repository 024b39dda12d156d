"""One photo's faces, analysed once: Rekognition-like FaceDetails for the workflow's three face tasks.

FaceDetection, CheckFaceDuplicate and AddFaceToIndex all need the same photo's faces; the analysis
is cached by the SHA-256 of the photo's bytes (bounded, thread-safe, and a second caller asking
for a photo being analysed waits for that analysis instead of starting another), so the pipeline
costs about one decode and one detection per photo.

What is computed, and how (no field is filled with a made-up value; fields Rekognition returns
that dlib cannot estimate, such as AgeRange, Gender or Emotions, are left out):
- BoundingBox: ratios of the photo's upright width and height, as Rekognition gives them.
- Confidence: the detector's margin squashed to 0-100 (detection._confidence).
- Sunglasses, Eyeglasses: eyewear.py, from the 68 landmarks.
- Pose: Roll from the eye line; Yaw and Pitch from where the nose tip sits between the jaw's
  sides and between the eyes and the chin, after undoing the roll. Degrees, approximate.
- Quality: Brightness is the face box's mean luma on 0-100; Sharpness maps the variance of a
  Laplacian over the face box to 0-100 (half way at a variance of 100).
"""
from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np

from stepflow.riderphoto import eyewear, face_models
from stepflow.riderphoto.detection import DETECTION_MAX_SIDE, DetectedFace, detect_faces
from stepflow.riderphoto.images import PhotoFormat, decode_photo

CACHE_SIZE = 256  # analyses are small (no pixels kept): a few kB each

_LUMA = np.array([0.299, 0.587, 0.114])


@dataclass(frozen=True, eq=False)
class FaceInfo:
    """One face, in the coordinates of the full upright photo."""

    box: tuple[int, int, int, int]  # top, right, bottom, left in pixels
    analysed_width: int  # the box's width in the pixels the encoder saw (the photo within 800 px)
    bounding_box: dict[str, float]  # Rekognition's {"Width", "Height", "Left", "Top"} ratios
    confidence: float  # 0-100
    encoding: np.ndarray  # (128,) float64, face_recognition's embedding
    sunglasses: dict[str, Any]  # {"Value": bool, "Confidence": float}
    eyeglasses: dict[str, Any]
    pose: dict[str, float]  # {"Roll", "Yaw", "Pitch"} degrees
    quality: dict[str, float]  # {"Brightness", "Sharpness"} 0-100
    measures: eyewear.EyewearMeasures  # what sunglasses/eyeglasses were decided from

    @property
    def area(self) -> int:
        top, right, bottom, left = self.box
        return (bottom - top) * (right - left)

    def face_detail(self) -> dict[str, Any]:
        """Rekognition DetectFaces FaceDetail (Attributes ALL, key order as AWS), no Landmarks."""
        return {
            "BoundingBox": dict(self.bounding_box),
            "Eyeglasses": dict(self.eyeglasses),
            "Sunglasses": dict(self.sunglasses),
            "Pose": dict(self.pose),
            "Quality": dict(self.quality),
            "Confidence": self.confidence,
        }


@dataclass(frozen=True, eq=False)
class PhotoAnalysis:
    """A photo's size and format and every face found in it."""

    width: int
    height: int
    format: PhotoFormat
    faces: list[FaceInfo]

    def largest_face(self) -> FaceInfo | None:
        """The face with the largest box: what Rekognition's SearchFacesByImage searches with."""
        return max(self.faces, key=lambda face: face.area, default=None)


def _pose(landmarks: np.ndarray) -> dict[str, float]:
    left_eye, right_eye = landmarks[36:42].mean(axis=0), landmarks[42:48].mean(axis=0)
    dx, dy = right_eye - left_eye
    roll = math.atan2(dy, dx)
    cos, sin = math.cos(-roll), math.sin(-roll)
    level = (landmarks - left_eye) @ np.array([[cos, sin], [-sin, cos]])  # roll undone
    jaw_left, jaw_right, nose, chin = level[0], level[16], level[30], level[8]
    eyes_y = (level[36:48, 1]).mean()
    across = (nose[0] - jaw_left[0]) / max(jaw_right[0] - jaw_left[0], 1e-6)  # 0.5 when frontal
    down = (nose[1] - eyes_y) / max(chin[1] - eyes_y, 1e-6)  # ~0.32 when level (frontal fixtures)
    return {
        "Roll": round(math.degrees(roll), 4),
        "Yaw": round(math.degrees(math.asin(max(-1.0, min(1.0, 2 * across - 1)))), 4),
        "Pitch": round(math.degrees(math.asin(max(-1.0, min(1.0, (0.32 - down) / 0.32)))), 4),
    }


def _quality(rgb: np.ndarray, box: tuple[int, int, int, int]) -> dict[str, float]:
    top, right, bottom, left = box
    luma = rgb[top:bottom, left:right].astype(np.float64) @ _LUMA
    if luma.shape[0] < 3 or luma.shape[1] < 3:
        return {"Brightness": 0.0, "Sharpness": 0.0}
    laplacian = (luma[:-2, 1:-1] + luma[2:, 1:-1] + luma[1:-1, :-2] + luma[1:-1, 2:]
                 - 4 * luma[1:-1, 1:-1])
    variance = float(laplacian.var())
    return {"Brightness": round(float(luma.mean()) / 2.55, 4),
            "Sharpness": round(100.0 * variance / (variance + 100.0), 4)}


def _face_info(rgb: np.ndarray, scale: float, face: DetectedFace) -> FaceInfo:
    height, width = rgb.shape[:2]
    top, right, bottom, left = face.box
    measures = eyewear.measure_eyewear(face.pixels, face.landmarks)
    return FaceInfo(
        box=(round(top / scale), round(right / scale), round(bottom / scale), round(left / scale)),
        analysed_width=right - left,
        bounding_box={"Width": (right - left) / width, "Height": (bottom - top) / height,
                      "Left": left / width, "Top": top / height},
        confidence=face.confidence,
        encoding=face.encoding,
        sunglasses=eyewear.sunglasses(measures),
        eyeglasses=eyewear.eyeglasses(measures),
        pose=_pose(face.landmarks),
        quality=_quality(rgb, face.box),
        measures=measures,
    )


def analyse_decoded(data: bytes) -> PhotoAnalysis:
    """Decode and analyse without the cache (raises images.PhotoRejected)."""
    face_models.preload()
    photo = decode_photo(data, max_side=DETECTION_MAX_SIDE)
    faces = [_face_info(photo.rgb, photo.scale, face) for face in detect_faces(photo.rgb)]
    return PhotoAnalysis(photo.width, photo.height, photo.format, faces)


_cache: OrderedDict[str, Future[PhotoAnalysis]] = OrderedDict()
_cache_lock = threading.Lock()


def analyse_photo(data: bytes) -> PhotoAnalysis:
    """The photo's analysis, computed once per distinct content (raises images.PhotoRejected)."""
    key = hashlib.sha256(data).hexdigest()
    with _cache_lock:
        future = _cache.get(key)
        owner = future is None
        if future is None:
            future = _cache[key] = Future()
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(key)
    if owner:
        try:
            future.set_result(analyse_decoded(data))
        except BaseException as error:  # rejections are cheap to recompute: not kept
            with _cache_lock:
                if _cache.get(key) is future:
                    del _cache[key]
            future.set_exception(error)
    return future.result()


def remember(data: bytes, result: PhotoAnalysis) -> None:
    """Put an analysis made earlier (the evaluation keeps them on disk) into the cache for ``data``."""
    future: Future[PhotoAnalysis] = Future()
    future.set_result(result)
    with _cache_lock:
        _cache[hashlib.sha256(data).hexdigest()] = future
        _cache.move_to_end(hashlib.sha256(data).hexdigest())
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def clear_cache() -> None:
    """Forget every cached analysis (tests, benchmarks)."""
    with _cache_lock:
        _cache.clear()
