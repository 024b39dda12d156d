"""Rekognition tasks: the same face engine and collections as the rider-photo functions.

Shapes as the Rekognition API reference gives them (DetectFaces FaceDetails; SearchFacesByImage
SearchedFaceBoundingBox, SearchedFaceConfidence, FaceMatches, FaceModelVersion; IndexFaces
FaceRecords, UnindexedFaces with reason EXCEEDS_MAX_FACES); errors as the SDK integration names
them (LocalStack's AWS-validated error_handling/test_aws_sdk.snapshot.json shows the
SERVICE.EXCEPTION naming and the "(Service: ..., Status Code: ..., Request ID: ...)" cause).
"""
from __future__ import annotations

import base64

import pytest

from stepflow import StateMachine
from stepflow.riderphoto import face_search
from stepflow.riderphoto.stack import Stack
from stepflow.settings import fixtures_dir

pytestmark = pytest.mark.faces


@pytest.fixture
def stack(stepflow_home):
    stack = Stack(stepflow_home)
    stack.up(photos=fixtures_dir())
    for name in ("single_obama_a.jpg", "single_obama_b.jpg"):
        stack.buckets.put(stack.rider_photo_bucket, name, (fixtures_dir() / name).read_bytes())
    return stack


def call(action, parameters):
    return StateMachine({"StartAt": "R", "States": {"R": {
        "Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:rekognition:{action}", "Parameters": parameters,
        "End": True}}}).run({})


def image(stack, key):
    return {"S3Object": {"Bucket": stack.rider_photo_bucket, "Name": key}}


def test_detect_faces_counts_faces_and_reports_sunglasses(stack):
    found = call("detectFaces", {"Image": image(stack, "3_multiple_faces.jpg"), "Attributes": ["ALL"]}).output
    assert len(found["FaceDetails"]) == 3
    sunglasses = call("detectFaces", {"Image": image(stack, "2_sunglass_face.jpg"), "Attributes": ["ALL"]}).output
    assert sunglasses["FaceDetails"][0]["Sunglasses"]["Value"] is True
    default = call("detectFaces", {"Image": image(stack, "1_happy_face.jpg")}).output["FaceDetails"][0]
    assert set(default) == {"BoundingBox", "Pose", "Quality", "Confidence"}


def test_image_bytes_are_read_too(stack):
    data = base64.b64encode((fixtures_dir() / "4_no_face.jpg").read_bytes()).decode()
    assert call("detectFaces", {"Image": {"Bytes": data}}).output == {"FaceDetails": []}


def test_index_then_search_and_the_lambda_door_sees_the_same_collection(stack):
    indexed = call("indexFaces", {"CollectionId": "rider-photos", "Image": image(stack, "single_obama_a.jpg"),
                                  "ExternalImageId": "user_f", "MaxFaces": 1}).output
    (record,) = indexed["FaceRecords"]
    assert record["Face"]["ExternalImageId"] == "user_f" and indexed["UnindexedFaces"] == []
    search = call("searchFacesByImage", {"CollectionId": "rider-photos", "Image": image(stack, "single_obama_b.jpg"),
                                         "FaceMatchThreshold": 70, "MaxFaces": 3}).output
    assert [m["Face"]["FaceId"] for m in search["FaceMatches"]] == [record["Face"]["FaceId"]]
    assert search["FaceMatches"][0]["Similarity"] >= 70
    event = {"userId": "user_g", "s3Bucket": stack.rider_photo_bucket, "s3Key": "single_obama_b.jpg"}
    with pytest.raises(face_search.FaceAlreadyExistsError):  # the Lambda door finds the same face
        face_search.handler(event, None, stack=stack)
    listed = call("listFaces", {"CollectionId": "rider-photos"}).output["Faces"]
    assert [f["FaceId"] for f in listed] == [record["Face"]["FaceId"]]
    deleted = call("deleteFaces", {"CollectionId": "rider-photos", "FaceIds": [record["Face"]["FaceId"]]}).output
    assert deleted == {"DeletedFaces": [record["Face"]["FaceId"]]}


def test_index_faces_keeps_the_largest_faces_and_lists_the_rest(stack):
    indexed = call("indexFaces", {"CollectionId": "rider-photos", "Image": image(stack, "3_multiple_faces.jpg"),
                                  "MaxFaces": 1}).output
    assert len(indexed["FaceRecords"]) == 1
    assert [u["Reasons"] for u in indexed["UnindexedFaces"]] == [["EXCEEDS_MAX_FACES"]] * 2


def test_errors_are_named_as_the_sdk_integration_names_them(stack):
    missing = call("searchFacesByImage", {"CollectionId": "nope", "Image": image(stack, "1_happy_face.jpg")})
    assert missing.error == "Rekognition.ResourceNotFoundException"
    assert missing.cause.startswith("The collection id: nope does not exist (Service: Rekognition, Status Code: 400")
    no_object = call("detectFaces", {"Image": image(stack, "absent.jpg")})
    assert no_object.error == "Rekognition.InvalidS3ObjectException"
    faceless = call("searchFacesByImage", {"CollectionId": "rider-photos", "Image": image(stack, "4_no_face.jpg")})
    assert faceless.error == "Rekognition.InvalidParameterException"
    stack.buckets.put(stack.rider_photo_bucket, "photo.gif", b"GIF89a not really")
    gif = call("detectFaces", {"Image": image(stack, "photo.gif")})
    assert gif.error == "Rekognition.InvalidImageFormatException"
    created = call("createCollection", {"CollectionId": "other"}).output
    assert created["CollectionArn"].endswith("collection/other") and created["StatusCode"] == 200
    again = call("createCollection", {"CollectionId": "other"})
    assert again.error == "Rekognition.ResourceAlreadyExistsException"
    assert call("deleteCollection", {"CollectionId": "other"}).output == {"StatusCode": 200}
