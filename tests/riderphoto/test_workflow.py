"""The four workshop definitions run end to end on the local stack with the workshop's outcomes."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from stepflow.machine import StateMachine
from stepflow.riderphoto.analysis import analyse_photo
from stepflow.riderphoto.demo import load_validation, mismatches, outcome_of
from stepflow.riderphoto.face_detection import MIN_FACE_WIDTH, TOO_SMALL_MESSAGE
from stepflow.riderphoto.stack import Stack, bindings
from stepflow.settings import fixtures_dir

pytestmark = pytest.mark.faces

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"
UNSUPPORTED = "Unsupported image file format. Only JPEG or PNG is supported"
DUPLICATE = "Face in the picture is already in the system. "
REGISTERED = ["FaceDetection", "CheckFaceDuplicate", "ParallelProcessing", "PersistMetadata"]
REFUSED = ["FaceDetection", "PhotoDoesNotMeetRequirement"]
DUPLICATED = ["FaceDetection", "CheckFaceDuplicate", "PhotoDoesNotMeetRequirement"]


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    stack.up(photos=fixtures_dir())
    return stack


def machine(stack, stage: int) -> StateMachine:
    resources, substitutions = bindings(stack.root)
    return StateMachine.from_file(
        DEFINITIONS / f"rider-photo-processing-{stage}.asl.json",
        resources=resources,
        substitutions=substitutions,
    )


def put(stack, name):
    stack.buckets.put(stack.rider_photo_bucket, name, (fixtures_dir() / name).read_bytes())


def run(stack, sm, user, key):
    execution = sm.run({"userId": user, "s3Bucket": stack.rider_photo_bucket, "s3Key": key})
    return execution, outcome_of(execution, 0.0)


def test_definitions_use_substitutions_for_all_six_functions():
    text = (DEFINITIONS / "rider-photo-processing-4.asl.json").read_text()
    for name in ("FaceDetection", "NotificationPlaceholder", "FaceSearch", "IndexFace",
                 "Thumbnail", "PersistMetadata"):
        assert f'"${{{name}FunctionArn}}"' in text
    assert "arn:aws:lambda" not in text


@pytest.mark.parametrize(
    ("user", "key", "path", "message"),
    [
        ("user_a", "1_happy_face.jpg", ["FaceDetection"], None),
        ("user_b", "2_sunglass_face.jpg", REFUSED, "Face is wearing sunglasses"),
        ("user_c", "3_multiple_faces.jpg", REFUSED, "Detected 3 faces in the photo."),
        ("user_d", "4_no_face.jpg", REFUSED, "Detected 0 faces in the photo."),
    ],
)
def test_stage_1_detects_faces_and_notifies_refusals(stack, user, key, path, message):
    execution, outcome = run(stack, machine(stack, 1), user, key)
    assert (outcome.status, outcome.path, outcome.message) == ("SUCCEEDED", path, message)
    if message is None:
        assert execution.output["detectedFaceDetails"]["Sunglasses"]["Value"] is False
        assert execution.output["userId"] == user
    else:
        assert execution.output == {"messageToSend": {
            "title": "PhotoDoesNotMeetRequirementError", "message": message}}


def test_stage_2_passes_the_duplicate_check_while_nothing_is_indexed(stack):
    sm = machine(stack, 2)
    for user in ("user_a", "user_x"):
        execution, outcome = run(stack, sm, user, "1_happy_face.jpg")
        assert outcome.path == ["FaceDetection", "CheckFaceDuplicate"]
        assert set(execution.output) == {"userId", "s3Bucket", "s3Key", "detectedFaceDetails"}


def test_stage_3_indexes_and_thumbnails_in_parallel_then_refuses_the_same_face(stack):
    sm = machine(stack, 3)
    execution, outcome = run(stack, sm, "user_a", "1_happy_face.jpg")
    assert outcome.path == ["FaceDetection", "CheckFaceDuplicate", "ParallelProcessing"]
    assert outcome.branches == [["AddFaceToIndex"], ["Thumbnail"]]
    face, thumbnail = execution.output["parallelResult"]
    assert face["ExternalImageId"] == "user_a"
    assert thumbnail == {"thumbnail": {"s3key": "resized-1_happy_face.jpg",
                                       "s3bucket": stack.thumbnail_bucket}}
    # "What happens if you start a new workflow with a different userId but the same s3key?"
    _, again = run(stack, sm, "user_b", "1_happy_face.jpg")
    assert (again.path, again.error, again.message) == (DUPLICATED, "FaceAlreadyExistsError", DUPLICATE)


def test_stage_4_gives_every_outcome_of_the_workshop_validation(stack):
    validation = load_validation()
    for name in validation["photos"]:
        put(stack, name)
    sm = machine(stack, 4)
    problems = []
    for case in validation["runs"]:
        user, key = case["input"]["userId"], case["input"]["s3Key"]
        _, outcome = run(stack, sm, user, key)
        indexed = {f["ExternalImageId"] for f in stack.collections.list_faces("rider-photos")}
        problems += [f"{user} {key}: {p}" for p in mismatches(outcome, case["expect"], indexed, user)]
    assert problems == []
    items = {item["Username"]: item for item in stack.tables.scan(stack.table)}
    assert set(items) == {"user_a", "user_f"}
    assert items["user_a"]["thumbnail"]["s3key"] == "resized-1_happy_face.jpg"
    faces = {f["ExternalImageId"]: f["FaceId"] for f in stack.collections.list_faces("rider-photos")}
    assert items["user_f"]["faceId"] == faces["user_f"]


def manifest_photos():
    return json.loads((fixtures_dir() / "manifest.json").read_text())["images"]


def expected_refusal(photo) -> str | None:
    """What FaceDetection must say about a fixture, from its labels (None: accepted)."""
    labels = photo["labels"]
    if labels.get("valid_image") is False or photo["format"] not in ("JPEG", "PNG"):
        return UNSUPPORTED
    if labels["face_count"] != 1:
        return f"Detected {labels['face_count']} faces in the photo."
    # stepflow refuses faces too small to recognise (face_detection.MIN_FACE_WIDTH): the 64 px photo
    if analyse_photo((fixtures_dir() / photo["file"]).read_bytes()).faces[0].analysed_width < MIN_FACE_WIDTH:
        return TOO_SMALL_MESSAGE
    if labels["sunglasses"]:
        return "Face is wearing sunglasses"
    return None


def test_every_fixture_gets_the_outcome_its_labels_call_for(stack):
    """One run of stage 4 per fixture, in manifest order: refusals as labelled; an accepted
    photo registers unless the same person was registered before, then it is a duplicate."""
    sm = machine(stack, 4)
    registered: set[str] = set()
    wrong = []
    for number, photo in enumerate(manifest_photos()):
        put(stack, photo["file"])
        refusal = expected_refusal(photo)
        person = photo["labels"]["person_id"]
        if refusal is not None:
            expected = (REFUSED, "PhotoDoesNotMeetRequirementError", refusal)
        elif person in registered:
            expected = (DUPLICATED, "FaceAlreadyExistsError", DUPLICATE)
        else:
            expected = (REGISTERED, None, None)
            registered.add(person)
        _, outcome = run(stack, sm, f"user_{number:02d}", photo["file"])
        if (outcome.path, outcome.error, outcome.message) != expected or outcome.status != "SUCCEEDED":
            wrong.append((photo["file"], outcome.status, outcome.path, outcome.message))
    assert wrong == []
    assert len(stack.collections.list_faces("rider-photos")) == len(registered)


def test_concurrent_registrations_of_one_face_index_and_persist_exactly_one(stack):
    sm = machine(stack, 4)
    barrier = threading.Barrier(6)
    outcomes = {}

    def register(user: str) -> None:
        barrier.wait()
        outcomes[user] = run(stack, sm, user, "1_happy_face.jpg")[1]

    threads = [threading.Thread(target=register, args=(f"user_{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [user for user, o in outcomes.items() if o.path == REGISTERED and o.status == "SUCCEEDED"]
    assert len(winners) == 1
    for user, outcome in outcomes.items():
        if user in winners:
            continue
        # Lost at the search (caught and notified) or, if both searched before either indexed,
        # at the index's own re-check, which fails the Parallel state and so the execution.
        assert outcome.error == "FaceAlreadyExistsError", (user, outcome)
    faces = stack.collections.list_faces("rider-photos")
    assert [f["ExternalImageId"] for f in faces] == winners
    items = stack.tables.scan(stack.table)
    assert [(i["Username"], i["faceId"]) for i in items] == [(winners[0], faces[0]["FaceId"])]


class CommitFails:
    """A SQLite connection whose COMMIT dies, as a process killed at that moment would."""

    def __init__(self, connection, fail_commit):
        self._connection, self._fail_commit = connection, fail_commit

    def execute(self, sql, *args):
        if sql == "COMMIT" and self._fail_commit():
            raise MemoryError("process dies while committing")
        return self._connection.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._connection, name)


@pytest.mark.parametrize("store", ["dynamodb.sqlite3", "rekognition.sqlite3"])
def test_a_crash_while_committing_leaves_collection_and_table_consistent(stack, monkeypatch, store):
    from stepflow.services import sqlite

    real_connect = sqlite.connect

    def connect(path):
        connection = real_connect(path)
        return CommitFails(connection, lambda: path.name == store and connection.in_transaction
                           and connection.total_changes > 0)

    monkeypatch.setattr(sqlite, "connect", connect)
    execution, _ = run(stack, machine(stack, 4), "user_a", "1_happy_face.jpg")
    monkeypatch.undo()
    assert (execution.status, execution.error) == ("FAILED", "MemoryError")
    faces = stack.collections.list_faces("rider-photos")
    items = stack.tables.scan(stack.table)
    if store == "rekognition.sqlite3":  # the index never happened, so nothing was persisted
        assert faces == [] and items == []
    else:  # indexed, but the item write died whole: no partial item
        assert len(faces) == 1 and items == []
    # the stores still work: the rider can try again (the face, if indexed, is now a duplicate)
    _, retry = run(stack, machine(stack, 4), "user_a", "1_happy_face.jpg")
    assert retry.path == (REGISTERED if store == "rekognition.sqlite3" else DUPLICATED)
