"""Stand-ins for the workshop's six functions, with answers shaped as the real ones give them, so
the lesson's page is the same on every machine. ``stepflow run ... --stack riderphoto`` and the
notebook (docs/notebooks/rider-photo.ipynb) run the real ones: face detection on the photos."""
from stepflow import TaskError

ARN = "arn:aws:lambda:us-east-1:123456789012:function:wildrydes-step-module-resources-{}".format
FACE = {"BoundingBox": {"Width": 0.39, "Height": 0.58, "Left": 0.55, "Top": 0.18},
        "Sunglasses": {"Value": False, "Confidence": 99.9}, "Confidence": 99.9}


def face_detection(event, context):
    if "sunglass" in event["s3Key"]:
        raise TaskError("PhotoDoesNotMeetRequirementError", "Face is wearing sunglasses")
    return FACE


def face_search(event, context):
    return None  # no face in the collection matches: not a duplicate


def index_face(event, context):
    return {"FaceId": "0f1e2d3c-0000-4000-8000-00000000000a", "BoundingBox": FACE["BoundingBox"]}


def thumbnail(event, context):
    return {"thumbnail": {"s3key": f"resized-{event['s3Key']}",
                          "s3bucket": "wildrydes-step-module-resources-thumbnails3bucket"}}


def persist_metadata(event, context):
    return {}


def notification(event, context):
    return {"messageToSend": event["errorInfo"]}


RESOURCES = {
    ARN("FaceDetectionFunction"): face_detection,
    ARN("FaceSearchFunction"): face_search,
    ARN("IndexFaceFunction"): index_face,
    ARN("ThumbnailFunction"): thumbnail,
    ARN("PersistMetadataFunction"): persist_metadata,
    ARN("NotificationPlaceholderFunction"): notification,
}
SUBSTITUTIONS = {
    "FaceDetectionFunctionArn": ARN("FaceDetectionFunction"),
    "FaceSearchFunctionArn": ARN("FaceSearchFunction"),
    "IndexFaceFunctionArn": ARN("IndexFaceFunction"),
    "ThumbnailFunctionArn": ARN("ThumbnailFunction"),
    "PersistMetadataFunctionArn": ARN("PersistMetadataFunction"),
    "NotificationPlaceholderFunctionArn": ARN("NotificationPlaceholderFunction"),
}
