"""The rider-photo workflow (definition 4) tested the way a user tests it with stepflow's toolkit.

Fast unit tests mock the face tasks from a MockConfigFile (FaceDetection, CheckFaceDuplicate,
AddFaceToIndex) while the thumbnail, metadata and notification tasks run for real on an isolated
stack; one end-to-end test runs real face detection on the workshop's photos.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from stepflow.riderphoto.stack import Stack, bindings
from stepflow.settings import fixtures_dir
from stepflow.testing import (
    MockConfig,
    assert_history_contains,
    assert_not_visited,
    assert_states_visited,
    run_test_case,
    step,
    test_state,
)

DEFINITION = Path(__file__).resolve().parents[2] / "definitions" / "rider-photo-processing-4.asl.json"
MOCKS = MockConfig.load(Path(__file__).parent / "data" / "MockConfigFile.json")
REGISTERED = ["FaceDetection", "CheckFaceDuplicate", "ParallelProcessing", "PersistMetadata"]
MOCKED_FACE_ID = "7d9a1c2e-0000-4000-8000-000000000001"


@pytest.fixture
def stack(stepflow_home) -> Stack:
    stack = Stack(stepflow_home)
    stack.up(photos=fixtures_dir())
    return stack


@pytest.fixture
def workflow(stack, make_state_machine):
    resources, substitutions = bindings(stack.root)
    return make_state_machine(DEFINITION, resources=resources, substitutions=substitutions)


def photo(stack: Stack, user: str, key: str) -> dict[str, str]:
    return {"userId": user, "s3Bucket": stack.rider_photo_bucket, "s3Key": key}


def test_happy_path_indexes_the_face_makes_a_thumbnail_and_stores_the_metadata(stack, workflow):
    execution = run_test_case(workflow, "HappyPath", photo(stack, "user_a", "1_happy_face.jpg"), mock_config=MOCKS)

    assert execution.status == "SUCCEEDED"
    assert_states_visited(execution, REGISTERED)
    assert_states_visited(execution, ["AddFaceToIndex"], scope=("ParallelProcessing", 0))
    assert_states_visited(execution, ["Thumbnail"], scope=("ParallelProcessing", 1))
    assert_not_visited(execution, "PhotoDoesNotMeetRequirement")
    # ResultPath null: the duplicate check leaves the data unchanged.
    assert step(execution, "CheckFaceDuplicate").output == step(execution, "CheckFaceDuplicate").input
    assert stack.tables.get_item(stack.table, "user_a") == {
        "Username": "user_a",
        "s3key": "1_happy_face.jpg",
        "s3bucket": stack.rider_photo_bucket,
        "faceId": MOCKED_FACE_ID,
        "thumbnail": {"s3key": "resized-1_happy_face.jpg", "s3bucket": stack.thumbnail_bucket},
    }
    assert stack.buckets.keys(stack.thumbnail_bucket) == ["resized-1_happy_face.jpg"]


def test_sunglasses_go_straight_to_the_notification(stack, workflow):
    execution = run_test_case(workflow, "Sunglasses", photo(stack, "user_b", "2_sunglass_face.jpg"), mock_config=MOCKS)

    assert_states_visited(execution, ["FaceDetection", "PhotoDoesNotMeetRequirement"])
    assert execution.output == {
        "messageToSend": {"title": "PhotoDoesNotMeetRequirementError", "message": "Face is wearing sunglasses"}
    }
    assert_history_contains(execution, [
        ("LambdaFunctionFailed", {"error": "PhotoDoesNotMeetRequirementError"}),
        ("TaskStateExited", {"name": "FaceDetection"}),
        ("TaskStateEntered", {"name": "PhotoDoesNotMeetRequirement"}),
        "ExecutionSucceeded",
    ])
    assert stack.tables.scan(stack.table) == []


def test_a_face_already_indexed_is_refused_through_the_notification(stack, workflow):
    execution = run_test_case(workflow, "Duplicate", photo(stack, "user_c", "1_happy_face.jpg"), mock_config=MOCKS)

    assert_states_visited(execution, ["FaceDetection", "CheckFaceDuplicate", "PhotoDoesNotMeetRequirement"])
    assert execution.output["messageToSend"] == {
        "title": "FaceAlreadyExistsError", "message": "Face in the picture is already in the system. "
    }
    assert stack.buckets.keys(stack.thumbnail_bucket) == []


@pytest.mark.parametrize(
    "test_case, status, last_state",
    [("HappyPath", "SUCCEEDED", "PersistMetadata"), ("Sunglasses", "SUCCEEDED", "PhotoDoesNotMeetRequirement")],
)
def test_the_same_mock_file_drives_boto3_style_code_through_the_client(stack, sfn_client, test_case, status, last_state):
    sfn_client.resources.update(bindings(stack.root)[0])
    sfn_client.substitutions.update(stack.outputs())
    arn = sfn_client.create_state_machine(
        name="rider-photo-processing-4", definition=DEFINITION.read_text(), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    sfn_client.mock_config = MOCKS  # or: pytest --stepflow-mock-config FILE

    started = sfn_client.start_execution(
        stateMachineArn=f"{arn}#{test_case}", input=json.dumps(photo(stack, "user_d", "1_happy_face.jpg"))
    )
    described = sfn_client.wait_for_execution(started["executionArn"])
    events = sfn_client.get_execution_history(executionArn=started["executionArn"])["events"]

    assert described["status"] == status
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    assert entered[-1] == last_state


def test_the_duplicate_checks_catcher_routes_to_the_notification_in_a_single_state_test(stack):
    response = test_state(
        DEFINITION.read_text(),
        json.dumps(photo(stack, "user_e", "1_happy_face.jpg")),
        state_name="CheckFaceDuplicate",
        mock={"errorOutput": {"error": "FaceAlreadyExistsError", "cause": "already there"}},
        inspection_level="DEBUG",
    )

    assert response["status"] == "CAUGHT_ERROR"
    assert response["nextState"] == "PhotoDoesNotMeetRequirement"
    assert json.loads(response["output"])["errorInfo"] == {"Error": "FaceAlreadyExistsError", "Cause": "already there"}
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 0}


@pytest.mark.faces
def test_end_to_end_with_real_faces_registers_a_rider_then_refuses_the_same_face(stack, workflow):
    if not (fixtures_dir() / "1_happy_face.jpg").is_file():
        pytest.skip("the workshop photos are not available")

    first = workflow.run(photo(stack, "user_a", "1_happy_face.jpg"))
    again = workflow.run(photo(stack, "user_b", "1_happy_face.jpg"))

    assert first.status == "SUCCEEDED", first.cause
    assert_states_visited(first, REGISTERED)
    assert stack.tables.get_item(stack.table, "user_a")["faceId"]
    assert_states_visited(again, ["FaceDetection", "CheckFaceDuplicate", "PhotoDoesNotMeetRequirement"])
    assert again.output["messageToSend"]["title"] == "FaceAlreadyExistsError"
