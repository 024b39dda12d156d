"""Face collections behave like Rekognition collections over face_recognition encodings."""
from __future__ import annotations

import subprocess
import sys
import threading
import uuid

import numpy as np
import pytest

from stepflow.services.faces import (
    DISTANCE_AT_SIMILARITY_70,
    FaceAlreadyIndexed,
    FaceCollections,
    RekognitionError,
    max_distance,
    similarity,
)

RNG = np.random.default_rng(7)


def random_face() -> np.ndarray:
    vector = RNG.normal(size=128)
    return vector / np.linalg.norm(vector)  # unit length: random faces lie ~1.4 apart


def nudged(vector: np.ndarray, distance: float) -> np.ndarray:
    step = RNG.normal(size=128)
    step -= step.dot(vector) * vector
    return vector + distance * step / np.linalg.norm(step)


@pytest.fixture
def collections(tmp_path):
    store = FaceCollections(tmp_path)
    store.create_collection("rider-photos")
    return store


def index(collections, vector, user):
    return collections.index_faces("rider-photos", [vector], [{"ExternalImageId": user}])[0]


def test_similarity_is_70_at_the_documented_distance_and_inverts():
    assert similarity(DISTANCE_AT_SIMILARITY_70) == pytest.approx(70.0)
    for threshold in (10, 50, 70, 95):
        assert similarity(max_distance(threshold)) == pytest.approx(threshold)
    assert similarity(0.0) > 99.9 and similarity(1.0) < 0.1


def test_index_returns_a_face_record_with_uuids(collections):
    face = index(collections, random_face(), "user_a")
    assert set(face) == {"FaceId", "BoundingBox", "ImageId", "ExternalImageId", "Confidence"}
    uuid.UUID(face["FaceId"])
    uuid.UUID(face["ImageId"])
    assert face["ExternalImageId"] == "user_a"


def test_search_finds_the_near_face_above_threshold_and_not_the_far_one(collections):
    near, far = random_face(), random_face()
    near_face = index(collections, near, "user_a")
    index(collections, far, "user_b")
    matches = collections.search("rider-photos", nudged(near, 0.3), threshold=70, max_faces=3)
    assert [m["Face"]["FaceId"] for m in matches] == [near_face["FaceId"]]
    assert matches[0]["Similarity"] == pytest.approx(float(similarity(0.3)), abs=1e-3)


def test_search_just_beyond_the_threshold_distance_finds_nothing(collections):
    face = random_face()
    index(collections, face, "user_a")
    assert collections.search("rider-photos", nudged(face, 0.52), threshold=70) == []
    assert len(collections.search("rider-photos", nudged(face, 0.48), threshold=70)) == 1


def test_search_orders_by_similarity_and_caps_max_faces(collections):
    base = random_face()
    ids = [index(collections, nudged(base, d), f"u{d}")["FaceId"] for d in (0.3, 0.1, 0.2, 0.05)]
    matches = collections.search("rider-photos", base, threshold=70, max_faces=3)
    assert [m["Face"]["FaceId"] for m in matches] == [ids[3], ids[1], ids[2]]
    scores = [m["Similarity"] for m in matches]
    assert scores == sorted(scores, reverse=True)


def test_faces_persist_across_instances_and_deletes_are_seen(tmp_path, collections):
    face = random_face()
    record = index(collections, face, "user_a")
    reopened = FaceCollections(tmp_path)
    assert [f["FaceId"] for f in reopened.list_faces("rider-photos")] == [record["FaceId"]]
    assert reopened.delete_faces("rider-photos", [record["FaceId"], "unknown"]) == [record["FaceId"]]
    assert collections.search("rider-photos", face, threshold=70) == []


def test_collection_errors_carry_rekognition_exception_names(collections):
    with pytest.raises(RekognitionError, match="ResourceAlreadyExistsException"):
        collections.create_collection("rider-photos")
    with pytest.raises(RekognitionError, match="ResourceNotFoundException"):
        collections.search("missing", random_face())
    with pytest.raises(RekognitionError, match="InvalidParameterException"):
        collections.create_collection("bad/id")
    with pytest.raises(RekognitionError, match="InvalidParameterException"):
        collections.search("rider-photos", [1.0, 2.0])


def test_delete_collection_removes_its_faces(collections):
    index(collections, random_face(), "user_a")
    collections.delete_collection("rider-photos")
    assert collections.list_collections() == []
    collections.create_collection("rider-photos")
    assert collections.list_faces("rider-photos") == []


def test_index_unless_match_refuses_a_face_already_there(collections):
    face = random_face()
    index(collections, face, "user_a")
    with pytest.raises(FaceAlreadyIndexed) as refused:
        collections.index_faces(
            "rider-photos", [nudged(face, 0.2)], [{"ExternalImageId": "user_b"}], unless_match=70
        )
    assert refused.value.matches[0]["Face"]["ExternalImageId"] == "user_a"
    assert len(collections.list_faces("rider-photos")) == 1


def test_concurrent_registrations_of_one_face_index_exactly_one(tmp_path, collections):
    face = random_face()
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def register(user: str) -> None:
        barrier.wait()
        try:
            FaceCollections(tmp_path).index_faces(
                "rider-photos", [nudged(face, 0.1)], [{"ExternalImageId": user}], unless_match=70
            )
            outcomes.append("indexed")
        except FaceAlreadyIndexed:
            outcomes.append("refused")

    threads = [threading.Thread(target=register, args=(f"user_{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["indexed"] + ["refused"] * 7
    assert len(collections.list_faces("rider-photos")) == 1


def test_a_failed_transaction_leaves_no_face_behind(collections, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("crash after the insert")

    monkeypatch.setattr(FaceCollections, "_bump", explode)
    with pytest.raises(RuntimeError):
        index(collections, random_face(), "user_a")
    monkeypatch.undo()
    assert collections.list_faces("rider-photos") == []


def test_a_collection_recreated_by_another_process_is_not_served_from_a_stale_cache(tmp_path):
    collections = FaceCollections(tmp_path)
    collections.create_collection("rider-photos")
    old, new = random_face(), random_face()
    index(collections, old, "user_old")
    assert collections.search("rider-photos", old, threshold=70)  # now cached in this process
    script = (
        "import sys, numpy as np\n"
        "from stepflow.services.faces import FaceCollections\n"
        "c = FaceCollections(sys.argv[1])\n"
        "c.delete_collection('rider-photos'); c.create_collection('rider-photos')\n"
        "c.index_faces('rider-photos', [np.array([float(x) for x in sys.argv[2].split(',')])],"
        " [{'ExternalImageId': 'user_new'}])\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path), ",".join(map(str, new))], check=True)
    assert collections.search("rider-photos", old, threshold=70) == []
    [match] = collections.search("rider-photos", new, threshold=70)
    assert match["Face"]["ExternalImageId"] == "user_new"
