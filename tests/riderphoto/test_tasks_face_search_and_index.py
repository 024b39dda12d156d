"""CheckFaceDuplicate and AddFaceToIndex: search at threshold 70, index under the userId."""
from __future__ import annotations

import uuid

import pytest

from stepflow.riderphoto import face_search, index_face
from stepflow.riderphoto.aws_errors import AWSServiceError
from stepflow.riderphoto.face_search import FaceAlreadyExistsError
from stepflow.riderphoto.stack import Stack
from stepflow.settings import fixtures_dir

pytestmark = pytest.mark.faces


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    stack.up(photos=fixtures_dir())
    for name in ("single_obama_a.jpg", "single_obama_b.jpg", "single_biden_a.jpg", "3_multiple_faces.jpg"):
        stack.buckets.put(stack.rider_photo_bucket, name, (fixtures_dir() / name).read_bytes())
    return stack


def event(stack, user, key):
    return {"userId": user, "s3Bucket": stack.rider_photo_bucket, "s3Key": key}


def test_index_returns_the_face_record_under_the_user_id(stack):
    face = index_face.handler(event(stack, "user_a", "1_happy_face.jpg"), None, stack=stack)
    assert set(face) == {"FaceId", "BoundingBox", "ImageId", "ExternalImageId", "Confidence"}
    assert face["ExternalImageId"] == "user_a"
    uuid.UUID(face["FaceId"]), uuid.UUID(face["ImageId"])
    assert stack.collections.list_faces("rider-photos") == [face]


def test_search_on_an_empty_collection_returns_null(stack):
    assert face_search.handler(event(stack, "user_a", "1_happy_face.jpg"), None, stack=stack) is None


def test_search_finds_another_photo_of_an_indexed_person_with_the_original_message(stack):
    index_face.handler(event(stack, "user_f", "single_obama_a.jpg"), None, stack=stack)
    with pytest.raises(FaceAlreadyExistsError) as found:
        face_search.handler(event(stack, "user_g", "single_obama_b.jpg"), None, stack=stack)
    assert str(found.value) == "Face in the picture is already in the system. "


def test_search_does_not_match_a_different_person(stack):
    index_face.handler(event(stack, "user_f", "single_obama_a.jpg"), None, stack=stack)
    assert face_search.handler(event(stack, "user_b", "single_biden_a.jpg"), None, stack=stack) is None


def test_index_refuses_a_face_already_indexed_under_another_user(stack):
    index_face.handler(event(stack, "user_f", "single_obama_a.jpg"), None, stack=stack)
    with pytest.raises(FaceAlreadyExistsError):
        index_face.handler(event(stack, "user_g", "single_obama_b.jpg"), None, stack=stack)
    assert len(stack.collections.list_faces("rider-photos")) == 1


def test_search_without_a_collection_is_resource_not_found(stack):
    stack.collections.delete_collection("rider-photos")
    with pytest.raises(AWSServiceError) as failed:
        face_search.handler(event(stack, "user_a", "1_happy_face.jpg"), None, stack=stack)
    assert type(failed.value).__name__ == "ResourceNotFoundException"


def test_search_of_a_faceless_photo_is_invalid_parameter_as_rekognition_says(stack):
    with pytest.raises(AWSServiceError, match="There are no faces in the image") as failed:
        face_search.handler(event(stack, "user_d", "4_no_face.jpg"), None, stack=stack)
    assert type(failed.value).__name__ == "InvalidParameterException"


def test_an_invalid_user_id_is_refused_before_indexing(stack):
    with pytest.raises(AWSServiceError) as failed:
        index_face.handler(event(stack, "user a/../b", "1_happy_face.jpg"), None, stack=stack)
    assert type(failed.value).__name__ == "InvalidParameterException"
    assert stack.collections.list_faces("rider-photos") == []
