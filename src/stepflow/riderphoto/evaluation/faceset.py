"""A labelled face set nobody tuned on, generated from the shared fixtures and public-domain photos.

Every labelled photo of the fixtures (and scikit-image's public-domain ``astronaut``) is changed
the ways riders' photos differ from the fixtures (transforms.py): crops, faces scaled down to 100
and 60 px, under- and over-exposure, blur, heavy JPEG compression, rotation, a covered lower face,
an RGBA cut-out, a printed patch beside the face; faceless and group photos get the changes that
keep their labels; and group photos of 2-5 small faces are composed from single-face photos.

The split is by identity, never by picture: every photo of a person (and every group photo with
them in it) falls on one side, so nothing learnt from a face on the tuning side is tested on the
held-out side. Identities are dealt to the two sides in turn within strata (eyewear, several
photos of one person, one photo, group, no face), ordered by a seeded hash, so each side gets
some of each kind.

Face geometry for the changes (where the face is, to crop or scale it) comes from
dlib's plain detectors run once on each source (HOG, the CNN where HOG finds nothing), not
from stepflow's detection passes, so the set does not move when stepflow's detection changes.
Pictures are written to a cache folder (settings.cache_dir()), never into the repository.
"""
from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from stepflow.asl.errors import StepflowError
from stepflow.riderphoto.detection import DETECTION_MAX_SIDE
from stepflow.riderphoto.evaluation import transforms as t
from stepflow.riderphoto.images import decode_photo
from stepflow.settings import cache_dir, fixtures_dir

GENERATOR_VERSION = 1
DEFAULT_SEED = 14
TUNING, HELD_OUT = "tuning", "held-out"
# Sources are reduced to this side before changing them (the 3088 px phone photo keeps its
# original as is): the changes are about faces, not megapixels.
SOURCE_MAX_SIDE = 1200
GROUPS_PER_SPLIT = 10
# scikit-image ships these in its wheel: astronaut is public domain (NASA), the textures are the
# package's own test images (used as backgrounds and printed patches only).
SKIMAGE_FACES = {"astronaut.png": "skimage_astronaut"}
SKIMAGE_BACKGROUNDS = ("grass.png", "gravel.png", "brick.png", "rocket.jpg")
SKIMAGE_PRINTS = ("text.png", "page.png")


class FaceSetError(StepflowError):
    """The set cannot be built (a source is missing)."""


@dataclass(frozen=True)
class LabelledPhoto:
    """One generated photo and what a person sees in it."""

    name: str  # file name inside the set's folder, e.g. "held-out/single_obama_a~dark.jpg"
    source: str  # the fixture (or skimage:...) it was made from; "group" for composites
    change: str  # the transform's name ("original", "dark", "group of 3", ...)
    split: str
    face_count: int
    sunglasses: bool | None  # None: not exactly one face
    eyeglasses: bool | None
    person: str | None  # identity of the one face, None otherwise
    face_pixels: int | None  # width of the one face's box in the photo as analysed (within 800 px)


@dataclass(frozen=True)
class _Source:
    file: str
    unit: str  # what goes to one side of the split together
    stratum: str
    labels: dict[str, Any]
    load: Callable[[], bytes]


def _skimage_data() -> Path:
    spec = importlib.util.find_spec("skimage")  # located, not imported (skimage imports scipy)
    if spec is None or not spec.submodule_search_locations:
        raise FaceSetError("the face set needs scikit-image's data photos: pip install scikit-image")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _sources(fixtures: Path) -> list[_Source]:
    manifest = json.loads((fixtures / "manifest.json").read_text())["images"]
    entries = [e for e in manifest if e.get("format") in ("JPEG", "PNG") and e["labels"].get("valid_image", True)]
    group_of = {p: e["file"] for e in entries for p in e["labels"].get("persons") or []}
    counts: dict[str, int] = {}
    for entry in entries:
        person = entry["labels"]["person_id"]
        if person:
            counts[person] = counts.get(person, 0) + 1
    units: dict[str, str] = {}
    for entry in entries:
        labels = entry["labels"]
        key = labels["person_id"] or entry["file"]
        units[entry["file"]] = group_of.get(key, key)
    eyewear = {units[e["file"]] for e in entries if e["labels"].get("sunglasses") or e["labels"].get("eyeglasses")}

    def stratum(entry: dict[str, Any]) -> str:
        labels, unit = entry["labels"], units[entry["file"]]
        if unit in eyewear:
            return "eyewear"
        if labels["face_count"] == 0:
            return "no face"
        if labels["face_count"] > 1 and not labels.get("persons"):
            return "group"
        if unit in group_of.values() or counts.get(labels["person_id"], 0) > 1:
            return "several photos"
        return "one photo"

    sources = [_Source(e["file"], units[e["file"]], stratum(e), {**e["labels"], "eyeglasses": bool(
        e["labels"].get("eyeglasses") or e["labels"].get("sunglasses"))}, (fixtures / e["file"]).read_bytes)
        for e in entries]
    data = _skimage_data()
    for file, person in SKIMAGE_FACES.items():
        labels = {"face_count": 1, "sunglasses": False, "eyeglasses": False, "person_id": person}
        sources.append(_Source(f"skimage:{file}", person, "one photo", labels, (data / file).read_bytes))
    return sources


def _order(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def split_units(sources: list[_Source], seed: int) -> dict[str, str]:
    """unit -> TUNING or HELD_OUT: within each stratum, units in seeded-hash order alternate sides."""
    by_stratum: dict[str, set[str]] = {}
    for source in sources:
        by_stratum.setdefault(source.stratum, set()).add(source.unit)
    sides, turn = {}, 0
    for stratum in sorted(by_stratum):
        for unit in sorted(by_stratum[stratum], key=lambda u: _order(seed, u)):
            sides[unit] = (TUNING, HELD_OUT)[turn % 2]
            turn += 1
    return sides


def _geometry(rgb_image: Image.Image) -> list[t.Box]:
    """Face boxes from dlib's plain detectors (HOG upsampled once, the CNN where HOG finds
    nothing), largest first: geometry for the changes, not labels."""
    import numpy as np  # noqa: PLC0415

    from stepflow.riderphoto import face_models  # noqa: PLC0415

    rgb = np.asarray(rgb_image)
    rects = list(face_models.hog_detector()(rgb, 1)) or [d.rect for d in face_models.cnn_detector()(rgb, 0)]
    height, width = rgb.shape[:2]
    boxes = [(max(r.top(), 0), min(r.right(), width), min(r.bottom(), height), max(r.left(), 0)) for r in rects]
    return sorted(boxes, key=lambda b: -(b[1] - b[3]) * (b[2] - b[0]))


def _upright(data: bytes) -> Image.Image:
    photo = decode_photo(data, max_side=SOURCE_MAX_SIDE)
    return Image.fromarray(photo.rgb)


def _single_changes(image: Image.Image, box: t.Box, rng: random.Random, prints: list[Image.Image]
                    ) -> Iterator[tuple[str, bytes, t.Box]]:
    """(change, encoded bytes, face box) for a one-face photo."""
    width = t.face_width(box)
    cropped, crop_box = t.crop_around(image, box, rng, (0.3, 0.9))
    yield "crop", t.jpeg(cropped, 90), crop_box
    for pixels in (100, 60):
        if width > pixels * 1.2:
            small, small_box = t.face_to_width(cropped, crop_box, pixels)
            yield f"face{pixels}", t.jpeg(small, 85), small_box
    yield "dark", t.jpeg(t.exposure(image, 0.35, 1.5), 90), box
    yield "bright", t.jpeg(t.exposure(image, 1.8, 0.8), 90), box
    yield "blur", t.jpeg(t.blur(image, max(1.0, width / 60)), 90), box
    yield "jpeg q12", t.jpeg(image, 12), box
    turned, turned_box = t.rotate(image, box, rng.choice((-1, 1)) * rng.uniform(12, 20))
    yield "rotated", t.jpeg(turned, 90), turned_box
    yield "lower face covered", t.jpeg(t.occlude(image, box, rng), 90), box
    yield "rgba cut-out", t.png(t.cut_out(image, box)), box
    yield "printed patch", t.jpeg(t.paste_patch(image, rng.choice(prints), [box], rng), 90), box
    dark_small, dark_box = t.face_to_width(t.exposure(cropped, 0.45, 1.3), crop_box, min(width, 110))
    yield "dark small", t.jpeg(dark_small, 85), dark_box


def _other_changes(image: Image.Image, boxes: list[t.Box], rng: random.Random, prints: list[Image.Image]
                   ) -> Iterator[tuple[str, bytes]]:
    """Changes that keep the count of a group or faceless photo."""
    yield "dark", t.jpeg(t.exposure(image, 0.35, 1.5), 90)
    yield "bright", t.jpeg(t.exposure(image, 1.8, 0.8), 90)
    smaller, _ = t.resize(image, (0, 0, 0, 0), 0.6)
    yield "0.6x", t.jpeg(smaller, 85)
    yield "jpeg q12", t.jpeg(image, 12)
    yield "blur", t.jpeg(t.blur(image, 1.5), 90)
    yield "printed patch", t.jpeg(t.paste_patch(image, rng.choice(prints), boxes, rng), 90)
    yield "printed patch 2", t.jpeg(t.paste_patch(image, rng.choice(prints), boxes, rng, share=0.45), 90)


@dataclass(frozen=True)
class FaceSet:
    folder: Path
    photos: list[LabelledPhoto]
    seed: int

    def split(self, side: str) -> list[LabelledPhoto]:
        return [p for p in self.photos if p.split == side]

    def path(self, photo: LabelledPhoto) -> Path:
        return self.folder / photo.name


def _fingerprint(fixtures: Path, seed: int) -> str:
    import dlib  # noqa: PLC0415

    digest = hashlib.sha256(f"{GENERATOR_VERSION}:{seed}:{dlib.__version__}".encode())
    digest.update((fixtures / "manifest.json").read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(Path(t.__file__).read_bytes())
    return digest.hexdigest()[:16]


def build_face_set(seed: int = DEFAULT_SEED, cache: Path | None = None, fixtures: Path | None = None) -> FaceSet:
    """The labelled set for ``seed``, generated into the cache on first use (about a minute) and
    reused while the fixtures, this generator and dlib stay the same."""
    fixtures = fixtures or fixtures_dir()
    if not (fixtures / "manifest.json").is_file():
        raise FaceSetError(f"no manifest.json in the fixtures folder {fixtures} (set STEPFLOW_FIXTURES)")
    folder = (cache or cache_dir()) / f"faceset-{_fingerprint(fixtures, seed)}"
    labels_file = folder / "labels.json"
    if labels_file.is_file():
        photos = [LabelledPhoto(**row) for row in json.loads(labels_file.read_text())]
        return FaceSet(folder, photos, seed)
    photos = _generate(folder, _sources(fixtures), seed)
    labels_file.write_text(json.dumps([asdict(p) for p in photos], indent=1))
    return FaceSet(folder, photos, seed)


def _generate(folder: Path, sources: list[_Source], seed: int) -> list[LabelledPhoto]:
    data = _skimage_data()
    prints = [Image.open(data / name).convert("RGB") for name in SKIMAGE_PRINTS]
    backgrounds = [Image.open(data / name).convert("RGB") for name in SKIMAGE_BACKGROUNDS]
    sides = split_units(sources, seed)
    photos: list[LabelledPhoto] = []
    heads: dict[str, list[tuple[str, Image.Image, t.Box]]] = {TUNING: [], HELD_OUT: []}

    def write(side: str, source: str, change: str, encoded: bytes, labels: dict[str, Any], pixels: int | None) -> None:
        if pixels is not None:
            size = Image.open(io.BytesIO(encoded)).size
            pixels = round(pixels * min(1.0, DETECTION_MAX_SIDE / max(size)))
        stem = source.replace("skimage:", "skimage_").rsplit(".", 1)[0]
        extension = "png" if encoded.startswith(b"\x89PNG") else "jpg"
        name = f"{side}/{stem}~{change.replace(' ', '-')}.{extension}"
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(encoded)
        single = labels["face_count"] == 1
        photos.append(LabelledPhoto(name, source, change, side, labels["face_count"],
                                    labels["sunglasses"] if single else None,
                                    labels["eyeglasses"] if single else None,
                                    labels["person_id"] if single else None, pixels if single else None))

    for source in sources:
        side, rng = sides[source.unit], random.Random(_order(seed, source.file))
        original = source.load()
        image = _upright(original)
        boxes = _geometry(image)
        labels = source.labels
        box = boxes[0] if boxes else None
        scale = max(decode_photo(original).rgb.shape[:2]) / max(image.size)
        write(side, source.file, "original", original, labels,
              round(t.face_width(box) * scale) if box else None)
        if labels["face_count"] == 1 and box is not None:
            for change, encoded, new_box in _single_changes(image, box, rng, prints):
                write(side, source.file, change, encoded, labels, t.face_width(new_box))
            if not labels["sunglasses"]:
                heads[side].append((labels["person_id"], image, box))
        else:
            for change, encoded in _other_changes(image, boxes, rng, prints):
                write(side, source.file, change, encoded, labels, None)
    for side, pool in heads.items():
        rng = random.Random(_order(seed, f"groups:{side}"))
        for number in range(GROUPS_PER_SPLIT):
            people = rng.sample(pool, min(len(pool), rng.randint(2, 5)))
            tiles = [t.head_tile(image, box, rng.randint(40, 90)) for _, image, box in people]
            composite, _ = t.group(rng.choice(backgrounds), tiles, rng)
            labels = {"face_count": len(people), "sunglasses": None, "eyeglasses": None, "person_id": None}
            write(side, "group", f"group {number} of {len(people)}", t.jpeg(composite, 88), labels, None)
    return photos
