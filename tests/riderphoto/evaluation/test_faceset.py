"""The generated face set: split by identity, seeded, and the held-out floor the analysis must keep.

The floor is measured on the deterministic set (bench/faceset.py --held-out prints the details):
on the held-out side, at least 97% of the workflow's outcomes as the labels say and not one
different person taken for a duplicate. It fails when detection, eyewear or encodings regress.
"""
from __future__ import annotations

import pytest

from stepflow.riderphoto.evaluation import faceset, scoring
from stepflow.riderphoto.evaluation.faceset import HELD_OUT, TUNING
from stepflow.settings import fixtures_dir


@pytest.fixture(scope="module")
def sources():
    if not (fixtures_dir() / "manifest.json").is_file():
        pytest.skip("the shared fixtures are not there")
    try:
        return faceset._sources(fixtures_dir())
    except faceset.FaceSetError as missing:
        pytest.skip(str(missing))


def test_no_person_and_no_group_photo_falls_on_both_sides(sources) -> None:
    sides = faceset.split_units(sources, faceset.DEFAULT_SEED)
    persons: dict[str, set[str]] = {}
    for source in sources:
        for person in [source.labels["person_id"], *(source.labels.get("persons") or [])]:
            if person:
                persons.setdefault(person, set()).add(sides[source.unit])
    assert persons and all(len(seen) == 1 for seen in persons.values())
    assert "obama" in persons and persons["obama"] == {sides["multi_two_people.jpg"]}


def test_each_side_gets_eyewear_groups_faceless_photos_and_repeated_people(sources) -> None:
    sides = faceset.split_units(sources, faceset.DEFAULT_SEED)
    for side in (TUNING, HELD_OUT):
        strata = {s.stratum for s in sources if sides[s.unit] == side}
        assert strata == {"eyewear", "group", "no face", "one photo", "several photos"}


def test_the_split_is_seeded(sources) -> None:
    assert faceset.split_units(sources, 14) == faceset.split_units(sources, 14)
    assert faceset.split_units(sources, 14) != faceset.split_units(sources, 15)


def test_expected_outcomes_follow_the_workshops_rules() -> None:
    def photo(**labels):
        base = {"name": "x", "source": "x", "change": "original", "split": TUNING, "face_count": 1,
                "sunglasses": False, "eyeglasses": False, "person": "p", "face_pixels": 100}
        return faceset.LabelledPhoto(**{**base, **labels})

    assert scoring.expected_outcome(photo(face_count=3, person=None), set()) == (
        "PhotoDoesNotMeetRequirementError", "Detected 3 faces in the photo.")
    assert scoring.expected_outcome(photo(sunglasses=True), {"p"})[1] == "Face is wearing sunglasses"
    assert scoring.expected_outcome(photo(), {"p"})[0] == "FaceAlreadyExistsError"
    assert scoring.expected_outcome(photo(eyeglasses=True), set()) == (scoring.INDEXED, None)


@pytest.mark.faces
def test_held_out_floor_97_percent_right_and_no_different_person_taken_for_a_duplicate(sources) -> None:
    face_set = faceset.build_face_set()
    photos = face_set.split(HELD_OUT)
    assert len(photos) > 150
    results = scoring.analyse_all(face_set, photos)
    pairs = scoring.face_pairs(photos, results)
    accepted = [p for p in pairs if not p.same and p.distance <= scoring.duplicate_distance()]
    assert accepted == []
    outcomes = scoring.run_workflow(face_set, photos, results)
    right = sum(outcome.right for outcome in outcomes)
    assert right >= 0.97 * len(outcomes), [(o.photo.name, o.got) for o in outcomes if not o.right]
