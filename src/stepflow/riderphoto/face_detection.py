"""FaceDetection: the photo must show exactly one face, large enough to recognise, not wearing sunglasses.

As the workshop's function: Rekognition DetectFaces (Attributes ALL) on the S3 object; any count
other than one, or sunglasses, fails with PhotoDoesNotMeetRequirementError; an unsupported or
undecodable file fails the same way with Rekognition's format message; the output is the
FaceDetail without Landmarks (the definition stores it at ``$.detectedFaceDetails``).

One requirement is stepflow's own: a face narrower than MIN_FACE_WIDTH pixels (in the photo as
analysed, reduced to 800 px) is refused like the others. Rekognition's IndexFaces also leaves such
faces out (reason SMALL_BOUNDING_BOX), and the workshop's IndexFace function would then fail on an
empty FaceRecords. Measured on the generated face set (bench/faceset.py): encodings of 37 px faces
lie as close to other people (0.514) as to themselves (up to 0.585), so the duplicate check
cannot be trusted there; from 45 px on, other people stayed at 0.557 and beyond.
"""
from __future__ import annotations

from typing import Any

from stepflow.riderphoto.analysis import analyse_photo
from stepflow.riderphoto.images import PhotoRejected
from stepflow.riderphoto.photo_source import read_photo
from stepflow.riderphoto.stack import Stack


class PhotoDoesNotMeetRequirementError(Exception):
    """The workshop's custom error; Step Functions matches it by this name."""


SUNGLASSES_MESSAGE = "Face is wearing sunglasses"
TOO_SMALL_MESSAGE = "Face is too small to be recognised"
MIN_FACE_WIDTH = 40


def face_count_message(count: int) -> str:
    return f"Detected {count} faces in the photo."


def handler(event: Any, context: Any, stack: Stack | None = None) -> dict[str, Any]:
    stack = stack or Stack.current()
    try:
        analysis = analyse_photo(read_photo(stack, event))
    except PhotoRejected as rejected:
        raise PhotoDoesNotMeetRequirementError(rejected.message) from rejected
    if len(analysis.faces) != 1:
        raise PhotoDoesNotMeetRequirementError(face_count_message(len(analysis.faces)))
    face = analysis.faces[0]
    if face.analysed_width < MIN_FACE_WIDTH:
        raise PhotoDoesNotMeetRequirementError(TOO_SMALL_MESSAGE)
    if face.sunglasses["Value"] is True:
        raise PhotoDoesNotMeetRequirementError(SUNGLASSES_MESSAGE)
    detail = face.face_detail()
    detail.pop("Landmarks", None)  # the original deletes them "to de-clutter the output"
    return detail
