"""The similarity threshold the workflow searches with (70) separates people on the fixtures."""
from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from stepflow.riderphoto.analysis import analyse_photo
from stepflow.services.faces import max_distance, similarity
from stepflow.settings import fixtures_dir

pytestmark = pytest.mark.faces


@pytest.fixture(scope="module")
def pairs():
    """(distance, same person?) for every pair of labelled single-face photos."""
    manifest = json.loads((fixtures_dir() / "manifest.json").read_text())
    encodings = []
    for photo in manifest["images"]:
        labels = photo["labels"]
        if labels["face_count"] != 1 or labels.get("valid_image") is False:
            continue
        if photo["format"] not in ("JPEG", "PNG"):
            continue
        face = analyse_photo((fixtures_dir() / photo["file"]).read_bytes()).largest_face()
        assert face is not None, photo["file"]
        encodings.append((labels["person_id"], face.encoding))
    return [
        (float(np.linalg.norm(a - b)), person_a == person_b)
        for (person_a, a), (person_b, b) in itertools.combinations(encodings, 2)
    ]


def test_fixtures_hold_same_person_and_different_person_pairs(pairs):
    assert sum(same for _, same in pairs) >= 6
    assert sum(not same for _, same in pairs) >= 300


def test_threshold_70_matches_every_same_person_pair_and_no_other(pairs):
    for distance, same in pairs:
        assert (similarity(distance) >= 70) == same, (distance, same)


def test_the_threshold_lies_inside_the_measured_gap_with_margin(pairs):
    same_max = max(d for d, same in pairs if same)
    different_min = min(d for d, same in pairs if not same)
    assert same_max + 0.03 < max_distance(70) < different_min - 0.03


def test_face_recognitions_default_tolerance_would_confuse_people_here(pairs):
    assert any(d <= 0.6 for d, same in pairs if not same)
