"""FaceDetection: the photo must show exactly one face, not wearing sunglasses.

As the workshop's function: Rekognition DetectFaces (Attributes ALL) on the S3 object; any count
other than one, or sunglasses, fails with PhotoDoesNotMeetRequirementError; an unsupported or
undecodable file fails the same way with Rekognition's format message; the output is the
FaceDetail without Landmarks (the definition stores it at ``$.detectedFaceDetails``).
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
    if face.sunglasses["Value"] is True:
        raise PhotoDoesNotMeetRequirementError(SUNGLASSES_MESSAGE)
    detail = face.face_detail()
    detail.pop("Landmarks", None)  # the original deletes them "to de-clutter the output"
    return detail
