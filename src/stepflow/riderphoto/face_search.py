"""CheckFaceDuplicate: search the collection for the photo's largest face.

As the workshop's function: SearchFacesByImage with FaceMatchThreshold 70 and MaxFaces 3; any match
fails with FaceAlreadyExistsError (its message keeps the original's trailing space); no match
returns null (the definition discards it with ``"ResultPath": null``).
"""
from __future__ import annotations

from typing import Any

from stepflow.riderphoto.analysis import FaceInfo, analyse_photo
from stepflow.riderphoto.aws_errors import service_error
from stepflow.riderphoto.images import PhotoRejected
from stepflow.riderphoto.photo_source import read_photo
from stepflow.riderphoto.stack import Stack
from stepflow.services.faces import RekognitionError

FACE_MATCH_THRESHOLD = 70.0
MAX_FACES = 3
FACE_EXISTS_MESSAGE = "Face in the picture is already in the system. "
# SearchFacesByImage's answer for an image without a face.
NO_FACE_MESSAGE = "There are no faces in the image. Should be at least 1."


class FaceAlreadyExistsError(Exception):
    """The workshop's custom error; Step Functions matches it by this name."""


def searched_face(stack: Stack, event: Any) -> FaceInfo:
    """The photo's largest face: the one Rekognition searches with and indexes.

    Rekognition's own errors keep their names: an undecodable photo is
    InvalidImageFormatException / ImageTooLargeException, a faceless one InvalidParameterException.
    """
    try:
        analysis = analyse_photo(read_photo(stack, event))
    except PhotoRejected as rejected:
        raise service_error(rejected.code, rejected.message) from rejected
    face = analysis.largest_face()
    if face is None:
        raise service_error("InvalidParameterException", NO_FACE_MESSAGE)
    return face


def handler(event: Any, context: Any, stack: Stack | None = None) -> None:
    stack = stack or Stack.current()
    face = searched_face(stack, event)
    try:
        matches = stack.collections.search(
            stack.collection_id, face.encoding, FACE_MATCH_THRESHOLD, MAX_FACES
        )
    except RekognitionError as error:
        raise service_error(error.code, error.message) from error
    if matches:
        raise FaceAlreadyExistsError(FACE_EXISTS_MESSAGE)
    return None
