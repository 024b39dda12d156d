"""AddFaceToIndex: index the photo's face in the collection under the rider's userId.

As the workshop's function: IndexFaces with ExternalImageId = userId, returning
``FaceRecords[0].Face`` ({FaceId, BoundingBox, ImageId, ExternalImageId, Confidence}).

One deliberate difference: on AWS, CheckFaceDuplicate and IndexFaces are separate calls, so two
executions registering the same face at once can both pass the check and both be indexed. Here
the index re-checks the face (same threshold as the search) inside its write transaction and
fails with FaceAlreadyExistsError instead, so exactly one registration of a face gets in.
"""
from __future__ import annotations

from typing import Any

from stepflow.riderphoto.aws_errors import event_field, service_error
from stepflow.riderphoto.face_search import (
    FACE_EXISTS_MESSAGE,
    FACE_MATCH_THRESHOLD,
    FaceAlreadyExistsError,
    searched_face,
)
from stepflow.riderphoto.stack import Stack
from stepflow.services.faces import FaceAlreadyIndexed, RekognitionError


def handler(event: Any, context: Any, stack: Stack | None = None) -> dict[str, Any]:
    stack = stack or Stack.current()
    user_id = event_field(event, "userId")
    face = searched_face(stack, event)
    description = {
        "BoundingBox": face.bounding_box,
        "Confidence": face.confidence,
        "ExternalImageId": user_id,
    }
    try:
        records = stack.collections.index_faces(
            stack.collection_id, [face.encoding], [description], unless_match=FACE_MATCH_THRESHOLD
        )
    except FaceAlreadyIndexed as duplicate:
        raise FaceAlreadyExistsError(FACE_EXISTS_MESSAGE) from duplicate
    except RekognitionError as error:
        raise service_error(error.code, error.message) from error
    return records[0]
