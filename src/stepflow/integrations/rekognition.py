"""Rekognition tasks (``arn:aws:states:::aws-sdk:rekognition:ACTION``) on the local face collections.

One engine, two doors: the faces are found and measured by the same analysis the rider-photo
functions use (``riderphoto.analysis``: face_recognition/dlib, the eyewear measures) and kept in
the same collections (``services.faces``), so a definition calling DetectFaces, SearchFacesByImage
or IndexFaces directly sees what the workshop's Lambda functions see. Images come from
``Image.S3Object`` (a bucket of the data root) or ``Image.Bytes`` (base64). Errors are named as
the SDK integration names them: ``Rekognition.InvalidParameterException``,
``Rekognition.ResourceNotFoundException``, ``Rekognition.InvalidS3ObjectException`` ...
"""
from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any, Callable

from stepflow.integrations.aws_service import ServiceNames, parameters_of, service_error, within_limits
from stepflow.integrations.base import Integration, TaskCall, task_names
from stepflow.services.buckets import Buckets, NoSuchBucket, NoSuchKey
from stepflow.services.dataroot import UnsafeNameError
from stepflow.services.errors import ServiceError

if TYPE_CHECKING:  # the face engine (numpy, dlib) comes with the 'faces' extra: imported when a task runs
    from stepflow.riderphoto.analysis import FaceInfo, PhotoAnalysis
    from stepflow.services.faces import FaceCollections

NAMES = ServiceNames(
    "Rekognition", "AmazonRekognition", "AmazonRekognitionException",
    "Rekognition", "Rekognition", "RekognitionException",
    modeled=frozenset({
        "InvalidParameterException", "ResourceNotFoundException", "ResourceAlreadyExistsException",
        "InvalidS3ObjectException", "InvalidImageFormatException", "ImageTooLargeException",
        "AccessDeniedException", "ThrottlingException",
    }),
)
_S3_OBJECT_MESSAGE = "Unable to get object metadata from S3. Check object key, region and/or access permissions."
_NO_FACE_MESSAGE = "There are no faces in the image. Should be at least 1."


class _Failure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _collections(root: Any) -> FaceCollections:
    from stepflow.services.faces import FaceCollections

    return FaceCollections(root)


def _model_version() -> str:
    from stepflow.services.faces import FACE_MODEL_VERSION

    return FACE_MODEL_VERSION


def _analysis(request: dict[str, Any], buckets: Buckets) -> PhotoAnalysis:
    from stepflow.riderphoto.analysis import analyse_photo
    from stepflow.riderphoto.images import PhotoRejected

    image = request.get("Image")
    if not isinstance(image, dict):
        raise _Failure("InvalidParameterException", "Request has invalid parameters")
    if "Bytes" in image:
        try:
            data = base64.b64decode(image["Bytes"], validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise _Failure("InvalidImageFormatException", "Request has invalid image format") from None
    else:
        location = image.get("S3Object") or {}
        try:
            data = buckets.get(location.get("Bucket"), location.get("Name"))
        except (NoSuchBucket, NoSuchKey, UnsafeNameError):
            raise _Failure("InvalidS3ObjectException", _S3_OBJECT_MESSAGE) from None
    try:
        return analyse_photo(data)
    except PhotoRejected as rejected:
        raise _Failure(rejected.code, rejected.message) from None


def _detail(face: FaceInfo, attributes: Any) -> dict[str, Any]:
    """A FaceDetail: the DEFAULT attributes, or all of them when ``Attributes`` holds ALL."""
    detail = face.face_detail()
    if "ALL" in (attributes or []):
        return detail
    return {key: detail[key] for key in ("BoundingBox", "Pose", "Quality", "Confidence")}


def detect_faces(request: dict[str, Any], root: Any) -> dict[str, Any]:
    analysis = _analysis(request, Buckets(root))
    return {"FaceDetails": [_detail(face, request.get("Attributes")) for face in analysis.faces]}


def _largest(analysis: PhotoAnalysis) -> FaceInfo:
    face = analysis.largest_face()
    if face is None:
        raise _Failure("InvalidParameterException", _NO_FACE_MESSAGE)
    return face


def search_faces_by_image(request: dict[str, Any], root: Any) -> dict[str, Any]:
    collections = _collections(root)
    collection_id = request.get("CollectionId")
    if not collections.exists(collection_id):  # checked before the image, as Rekognition does
        raise _Failure("ResourceNotFoundException", f"The collection id: {collection_id} does not exist")
    face = _largest(_analysis(request, Buckets(root)))
    matches = collections.search(
        collection_id, face.encoding, float(request.get("FaceMatchThreshold", 80.0)),
        int(request.get("MaxFaces", 4096)),
    )
    return {"SearchedFaceBoundingBox": dict(face.bounding_box), "SearchedFaceConfidence": face.confidence,
            "FaceMatches": matches, "FaceModelVersion": _model_version()}


def index_faces(request: dict[str, Any], root: Any) -> dict[str, Any]:
    collections = _collections(root)
    collection_id = request.get("CollectionId")
    if not collections.exists(collection_id):
        raise _Failure("ResourceNotFoundException", f"The collection id: {collection_id} does not exist")
    analysis = _analysis(request, Buckets(root))
    faces = sorted(analysis.faces, key=lambda f: f.area, reverse=True)
    kept = faces[: int(request.get("MaxFaces", 100))]
    external = request.get("ExternalImageId")
    records = collections.index_faces(
        collection_id, [face.encoding for face in kept],
        [{"BoundingBox": face.bounding_box, "Confidence": face.confidence, "ExternalImageId": external}
         for face in kept],
    ) if kept else []
    attributes = request.get("DetectionAttributes")
    return {
        "FaceRecords": [{"Face": record, "FaceDetail": _detail(face, attributes)}
                        for record, face in zip(records, kept)],
        "FaceModelVersion": _model_version(),
        "UnindexedFaces": [{"Reasons": ["EXCEEDS_MAX_FACES"], "FaceDetail": _detail(face, attributes)}
                           for face in faces[len(kept):]],
    }


def create_collection(request: dict[str, Any], root: Any) -> dict[str, Any]:
    return _collections(root).create_collection(request.get("CollectionId"))


def delete_collection(request: dict[str, Any], root: Any) -> dict[str, Any]:
    return _collections(root).delete_collection(request.get("CollectionId"))


def list_faces(request: dict[str, Any], root: Any) -> dict[str, Any]:
    faces = _collections(root).list_faces(request.get("CollectionId"))
    return {"Faces": faces[: int(request.get("MaxResults", 4096))], "FaceModelVersion": _model_version()}


def delete_faces(request: dict[str, Any], root: Any) -> dict[str, Any]:
    return {"DeletedFaces": _collections(root).delete_faces(request.get("CollectionId"), request.get("FaceIds") or [])}


ACTIONS: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {
    "detectFaces": detect_faces, "searchFacesByImage": search_faces_by_image, "indexFaces": index_faces,
    "createCollection": create_collection, "deleteCollection": delete_collection,
    "listFaces": list_faces, "deleteFaces": delete_faces,
}
RESOURCES = tuple(f"arn:aws:states:::aws-sdk:rekognition:{action}" for action in ACTIONS)


class RekognitionTask(Integration):
    def __init__(self, resource: str) -> None:
        super().__init__(resource)
        self.action = ACTIONS[task_names(resource)[1]]

    def invoke(self, call: TaskCall) -> Any:
        request = parameters_of(call.parameters, call.state_name, self.resource)
        try:
            return within_limits(call, lambda: self.action(request, call.resources.data_root))
        except (_Failure, ServiceError) as failure:
            raise service_error(NAMES, failure.code, failure.message, sdk=True) from None
