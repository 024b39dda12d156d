"""Score the face analysis on a labelled set: each decision apart, and the workflow's outcome.

Analyses are kept on disk between runs (pickles keyed by the photo's SHA-256 and a fingerprint of
the analysis code, the models and the libraries), so only a change to the analysis pays for
analysing the set again.

The workflow's outcome is RiderPhotoProcessing-4 run with the library (the same definition,
handlers and local stack as ``stepflow run ... --stack riderphoto``; the CLI only adds process
start-up). Per side of the split, a fresh stack enrols one photo of some of the people (every
person with several source photos, and every other person otherwise), then each other photo of
that side is run as a new rider; a rider the workflow indexes is removed again, so each photo
meets the same collection. The expected outcome follows the workshop's rules from the labels:
not one face -> "Detected N faces in the photo.", a face narrower than the workflow's minimum
(measured on the set's own geometry) -> "Face is too small to be recognised", sunglasses -> "Face
is wearing sunglasses", an enrolled person -> FaceAlreadyExistsError, anyone else -> indexed.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stepflow.riderphoto import analysis
from stepflow.riderphoto.evaluation.faceset import FaceSet, LabelledPhoto
from stepflow.riderphoto.face_detection import MIN_FACE_WIDTH, TOO_SMALL_MESSAGE
from stepflow.riderphoto.images import PhotoRejected
from stepflow.settings import cache_dir

DEFINITION = Path(__file__).resolve().parents[4] / "definitions" / "rider-photo-processing-4.asl.json"
INDEXED = "indexed"


def analysis_fingerprint() -> str:
    """Changes whenever the analysis could: its modules, the model files' package, dlib, Pillow."""
    digest = hashlib.sha256()
    package = Path(analysis.__file__).parent
    for module in ("analysis", "detection", "eyewear", "images", "face_models"):
        path = package / f"{module}.py"
        if path.exists():
            digest.update(path.read_bytes())
    for distribution in ("dlib-bin", "face_recognition_models", "Pillow", "numpy"):
        try:
            digest.update(f"{distribution}={importlib.metadata.version(distribution)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(distribution.encode())
    return digest.hexdigest()[:16]


def analyse_all(face_set: FaceSet, photos: Iterable[LabelledPhoto], cache: Path | None = None
                ) -> dict[str, analysis.PhotoAnalysis | PhotoRejected]:
    """Each photo's analysis (or rejection), from the disk cache where this code already made it."""
    folder = (cache or cache_dir()) / f"analyses-{analysis_fingerprint()}"
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, analysis.PhotoAnalysis | PhotoRejected] = {}
    for photo in photos:
        data = face_set.path(photo).read_bytes()
        kept = folder / f"{hashlib.sha256(data).hexdigest()}.pickle"
        if kept.exists():
            results[photo.name] = pickle.loads(kept.read_bytes())
            continue
        try:
            result: analysis.PhotoAnalysis | PhotoRejected = analysis.analyse_decoded(data)
        except PhotoRejected as rejected:
            result = rejected
        kept.write_bytes(pickle.dumps(result))
        results[photo.name] = result
    return results


@dataclass(frozen=True)
class Confusion:
    """Labelled value -> predicted value -> count, and the photos that disagree."""

    title: str
    counts: Counter[tuple[object, object]]
    wrong: list[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def right(self) -> int:
        return sum(n for (truth, got), n in self.counts.items() if truth == got)


def _faces(result: analysis.PhotoAnalysis | PhotoRejected) -> list[analysis.FaceInfo]:
    return [] if isinstance(result, PhotoRejected) else result.faces


def face_count_confusion(photos: list[LabelledPhoto], results: dict) -> Confusion:
    counts: Counter[tuple[object, object]] = Counter()
    wrong = []
    for photo in photos:
        found = len(_faces(results[photo.name]))
        counts[(photo.face_count, found)] += 1
        if found != photo.face_count:
            wrong.append(f"{photo.name}: {found} faces, labelled {photo.face_count}")
    return Confusion("face count", counts, wrong)


def eyewear_confusion(photos: list[LabelledPhoto], results: dict, attribute: str) -> tuple[Confusion, list[tuple[bool, float]]]:
    """Sunglasses or eyeglasses on the photos labelled and found with exactly one face; also the
    measure each decision came from (lens_cover or frame_edge), for margins."""
    counts: Counter[tuple[object, object]] = Counter()
    wrong, measures = [], []
    for photo in photos:
        faces = _faces(results[photo.name])
        if photo.face_count != 1 or len(faces) != 1:
            continue
        truth = getattr(photo, attribute)
        got = getattr(faces[0], attribute)["Value"]
        measure = faces[0].measures.lens_cover if attribute == "sunglasses" else faces[0].measures.frame_edge
        counts[(truth, got)] += 1
        measures.append((truth, measure))
        if truth != got:
            wrong.append(f"{photo.name}: {attribute} {got}, labelled {truth} (measure {measure:.3f})")
    return Confusion(attribute, counts, wrong), measures


@dataclass(frozen=True)
class Pair:
    distance: float
    same: bool
    a: str
    b: str
    smaller_face: int  # pixels, the smaller of the two faces' box widths in the analysed photos


def face_pairs(photos: list[LabelledPhoto], results: dict) -> list[Pair]:
    """Every pair of one-face photos (as labelled and as found) of one side whose face the workflow
    would search with (not refused as too small): distance, same person?"""
    singles = []
    for photo in photos:
        faces = _faces(results[photo.name])
        if photo.person and len(faces) == 1 and faces[0].analysed_width >= MIN_FACE_WIDTH:
            singles.append((photo, faces[0].encoding, faces[0].analysed_width))
    return [Pair(float(np.linalg.norm(ea - eb)), pa.person == pb.person, pa.name, pb.name, min(wa, wb))
            for (pa, ea, wa), (pb, eb, wb) in itertools.combinations(singles, 2)]


def duplicate_distance() -> float:
    """The largest encoding distance the workflow's duplicate check (similarity 70) accepts."""
    from stepflow.riderphoto.face_search import FACE_MATCH_THRESHOLD  # noqa: PLC0415
    from stepflow.services.faces import max_distance  # noqa: PLC0415

    return max_distance(FACE_MATCH_THRESHOLD)


def expected_outcome(photo: LabelledPhoto, enrolled: set[str]) -> tuple[str, str | None]:
    """(error or "indexed", message) the workshop's rules give for this photo's labels."""
    if photo.face_count != 1:
        return "PhotoDoesNotMeetRequirementError", f"Detected {photo.face_count} faces in the photo."
    if photo.face_pixels is not None and photo.face_pixels < MIN_FACE_WIDTH:
        return "PhotoDoesNotMeetRequirementError", TOO_SMALL_MESSAGE
    if photo.sunglasses:
        return "PhotoDoesNotMeetRequirementError", "Face is wearing sunglasses"
    if photo.person in enrolled:
        return "FaceAlreadyExistsError", "Face in the picture is already in the system."
    return INDEXED, None


@dataclass(frozen=True)
class WorkflowResult:
    photo: LabelledPhoto
    expected: tuple[str, str | None]
    got: tuple[str, str | None]

    @property
    def right(self) -> bool:
        return self.expected == self.got


def _largest(result: analysis.PhotoAnalysis | PhotoRejected) -> analysis.FaceInfo:
    face = None if isinstance(result, PhotoRejected) else result.largest_face()
    if face is None:
        raise ValueError("an enrolment photo must show a face")
    return face


def enrolment(photos: list[LabelledPhoto]) -> dict[str, LabelledPhoto]:
    """person -> the photo enrolling them: the unchanged original of a person's first source photo,
    for every person with several source photos and every other one of the rest (by name)."""
    originals: dict[str, list[LabelledPhoto]] = {}
    for photo in sorted(photos, key=lambda p: p.name):
        if photo.change == "original" and photo.person and photo.face_count == 1 and not photo.sunglasses:
            originals.setdefault(photo.person, []).append(photo)
    sources: Counter[str] = Counter(p.person for p in photos if p.change == "original" and p.person)
    chosen = {}
    for index, (person, candidates) in enumerate(sorted(originals.items())):
        if sources[person] > 1 or index % 2 == 0:
            chosen[person] = candidates[0]
    return chosen


def run_workflow(face_set: FaceSet, photos: list[LabelledPhoto], results: dict) -> list[WorkflowResult]:
    """RiderPhotoProcessing-4 on each photo against one enrolled collection (see the module doc)."""
    from stepflow.machine import StateMachine  # noqa: PLC0415
    from stepflow.riderphoto.demo import outcome_of  # noqa: PLC0415
    from stepflow.riderphoto.stack import Stack, bindings  # noqa: PLC0415

    enrolled = enrolment(photos)
    outcomes = []
    with tempfile.TemporaryDirectory() as home:
        root = Path(home)
        stack = Stack(root)
        stack.up(photos=root / "no-photos")
        resources, substitutions = bindings(root)
        machine = StateMachine.from_file(DEFINITION, resources=resources, substitutions=substitutions)

        def run(photo: LabelledPhoto, user: str) -> tuple[str, str | None]:
            data = face_set.path(photo).read_bytes()
            key = photo.name.replace("/", "_").replace("~", "_")
            stack.buckets.put(stack.rider_photo_bucket, key, data)
            if not isinstance(results[photo.name], PhotoRejected):
                analysis.remember(data, results[photo.name])
            execution = machine.run({"userId": user, "s3Bucket": stack.rider_photo_bucket, "s3Key": key})
            outcome = outcome_of(execution, 0.0)
            if execution.status == "SUCCEEDED" and outcome.error is None:
                return INDEXED, None
            return str(outcome.error), (outcome.message or "").strip() or None

        for number, (person, photo) in enumerate(sorted(enrolled.items())):
            face = _largest(results[photo.name])  # indexed directly: enrolment is not under test
            stack.collections.index_faces(stack.collection_id, [face.encoding], [{"ExternalImageId": f"enrolled-{number}"}])
        enrolled_names = {photo.name for photo in enrolled.values()}
        for number, photo in enumerate(photos):
            if photo.name in enrolled_names:
                continue
            user = f"rider-{number}"
            got = run(photo, user)
            if got[0] == INDEXED:
                ids = [f["FaceId"] for f in stack.collections.list_faces(stack.collection_id)
                       if f.get("ExternalImageId") == user]
                stack.collections.delete_faces(stack.collection_id, ids)
            outcomes.append(WorkflowResult(photo, expected_outcome(photo, set(enrolled)), got))
    return outcomes
