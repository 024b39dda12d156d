"""Measure the rider-photo face analysis on the labelled fixtures.

    .venv/bin/python bench/faces.py [--repeat N] [--compare]

Prints, from the fixtures' manifest:
1. per photo: decode, detection (HOG, and the CNN fallback where HOG finds nothing), landmarks +
   encodings, total, and with --compare the plain ``face_recognition`` calls (HOG and CNN at full
   size, upsample 1; takes minutes), with the face counts each gives against the label;
2. the sunglasses and eyeglasses confusion tables, on the one-face fixtures as given and as
   re-encoded copies (resized, grayscale, darker, brighter), with the ranges of the measures;
3. face-encoding distances: same-person pairs against different-person pairs, so the collection's
   0-100 similarity threshold can be mapped to a distance.
"""
from __future__ import annotations

import argparse
import io
import itertools
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from stepflow.riderphoto import detection, face_models
from stepflow.riderphoto.analysis import FaceInfo, analyse_decoded
from stepflow.riderphoto.eyewear import FRAME_EDGE_THRESHOLD, LENS_COVER_THRESHOLD
from stepflow.riderphoto.images import PhotoRejected, decode_photo
from stepflow.settings import fixtures_dir

# The manifest labels sunglasses only; these fixtures show clear eyeglasses (seen in the photos
# and said in the manifest's notes for the aws_bp_man photos).
CLEAR_EYEGLASSES = {"eyeglasses_synth38.jpg", "single_awsman_frontal.jpg", "single_awsman_turned.jpg"}


def _best_of(repeat: int, work: Any) -> tuple[float, Any]:
    """Fastest wall time of ``repeat`` runs (ms) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best * 1000, result


def _timings(data: bytes, repeat: int, compare: bool) -> dict[str, Any]:
    decode_ms, photo = _best_of(repeat, lambda: decode_photo(data, max_side=detection.DETECTION_MAX_SIDE))
    boxes_ms, boxes = _best_of(repeat, lambda: detection.find_face_boxes(photo.rgb))
    total_ms, analysis = _best_of(repeat, lambda: analyse_decoded(data))
    timings = {"decode": decode_ms, "detect": boxes_ms, "total": total_ms,
               "detector": boxes[0][2] if boxes else "hog+cnn", "analysis": analysis,
               "plain_hog": "", "plain_cnn": ""}
    if compare:
        import face_recognition.api as api  # noqa: PLC0415 - the plain library, for comparison

        full = decode_photo(data).rgb
        hog_ms, hog = _best_of(1, lambda: api.face_locations(full, 1, "hog"))
        timings["plain_hog"] = f"{hog_ms:.0f} ({len(hog)})"
        if max(full.shape[:2]) <= 1000:  # the CNN at 3088 px needs minutes and gigabytes
            cnn_ms, cnn = _best_of(1, lambda: api.face_locations(full, 1, "cnn"))
            timings["plain_cnn"] = f"{cnn_ms:.0f} ({len(cnn)})"
    return timings


def _variants(path: Path, faces: list[FaceInfo]) -> list[tuple[str, list[FaceInfo]]]:
    """The photo's faces as given, and re-encoded (JPEG q85) at other sizes and exposures:
    eyewear must not depend on resolution (the landmark predictor behaves differently at each
    size), colour or exposure. Contrast is left alone: at 0.6x contrast dark lenses read as skin
    (a known limit, see eyewear.py)."""
    upright = ImageOps.exif_transpose(Image.open(path)).convert("RGB")

    def resized(factor: float) -> Image.Image:
        return upright.resize((max(1, round(upright.width * factor)), max(1, round(upright.height * factor))),
                              Image.Resampling.BICUBIC)

    changes = {"0.5x": lambda: resized(0.5), "0.75x": lambda: resized(0.75), "1.5x": lambda: resized(1.5),
               "grayscale": lambda: upright.convert("L"),
               "darker": lambda: ImageEnhance.Brightness(upright).enhance(0.6),
               "brighter": lambda: ImageEnhance.Brightness(upright).enhance(1.4)}
    variants = [("as given", faces)]
    for name, change in changes.items():
        buffer = io.BytesIO()
        change().save(buffer, "JPEG", quality=85)
        variants.append((name, analyse_decoded(buffer.getvalue()).faces))
    return variants


def _confusion(rows: list[tuple[str, bool, bool, float]], title: str, threshold: str) -> None:
    matrix = {(truth, got): 0 for truth in (True, False) for got in (True, False)}
    for _, truth, got, _ in rows:
        matrix[(truth, got)] += 1
    print(f"\n{title} ({threshold})")
    print(f"{'':16}{'predicted yes':>15}{'predicted no':>15}")
    print(f"{'labelled yes':16}{matrix[(True, True)]:>15}{matrix[(True, False)]:>15}")
    print(f"{'labelled no':16}{matrix[(False, True)]:>15}{matrix[(False, False)]:>15}")
    yes = [m for _, truth, _, m in rows if truth]
    no = [m for _, truth, _, m in rows if not truth]
    print(f"measure: labelled yes {min(yes):.4f}..{max(yes):.4f}, labelled no {min(no):.4f}..{max(no):.4f}")
    for name, truth, got, measure in rows:
        if truth != got:
            print(f"  WRONG {name}: labelled {truth}, predicted {got} (measure {measure:.4f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per photo; the fastest counts")
    parser.add_argument("--compare", action="store_true", help="also time plain face_recognition calls")
    args = parser.parse_args()
    root = fixtures_dir()
    manifest = json.loads((root / "manifest.json").read_text())["images"]
    face_models.shape_predictor(), face_models.encoder(), face_models.cnn_detector(), face_models.hog_detector()
    # model loading is not part of any photo's cost

    print(f"1. Cost per photo (ms, best of {args.repeat}); detection on <= {detection.DETECTION_MAX_SIDE} px, "
          f"CNN fallback on <= {detection.CNN_MAX_SIDE} px")
    print(f"{'file':30}{'labels':>7}{'found':>6}{'via':>8}{'decode':>8}{'detect':>8}{'total':>8}"
          f"{'fr hog':>14}{'fr cnn':>14}")
    analyses: dict[str, list[FaceInfo]] = {}
    totals, disagreements = [], []
    for entry in manifest:
        data = (Path(root) / entry["file"]).read_bytes()
        labels = entry["labels"]
        try:
            t = _timings(data, args.repeat, args.compare)
        except PhotoRejected as rejected:
            print(f"{entry['file']:30}{'':7}  rejected: {rejected.reason}")
            if labels.get("valid_image", True) and entry["format"] in ("JPEG", "PNG"):
                disagreements.append(f"{entry['file']}: rejected but labelled valid")
            continue
        faces = t["analysis"].faces
        analyses[entry["file"]] = faces
        totals.append(t["total"])
        print(f"{entry['file'][:29]:30}{labels['face_count']:>7}{len(faces):>6}{t['detector']:>8}"
              f"{t['decode']:>8.1f}{t['detect']:>8.1f}{t['total']:>8.1f}"
              f"{t['plain_hog']:>14}{t['plain_cnn']:>14}")
        if len(faces) != labels["face_count"]:
            disagreements.append(f"{entry['file']}: {len(faces)} faces, labelled {labels['face_count']}")
    print(f"total per analysed photo: median {statistics.median(totals):.0f} ms, max {max(totals):.0f} ms")
    if args.compare:
        print("('fr hog' = face_recognition.face_locations(upsample 1, hog) on the full photo, 'fr cnn' the "
              "same with cnn; count in brackets)")
    print("face-count disagreements:", disagreements or "none")

    sunglasses_rows, eyeglasses_rows = [], []
    for entry in manifest:
        if entry["file"] not in analyses or len(analyses[entry["file"]]) != 1:
            continue
        labelled = bool(entry["labels"]["sunglasses"])
        for variant, faces in _variants(Path(root) / entry["file"], analyses[entry["file"]]):
            if len(faces) != 1:
                disagreements.append(f"{entry['file']} {variant}: {len(faces)} faces")
                continue
            face, name = faces[0], f"{entry['file']} {variant}"
            sunglasses_rows.append((name, labelled, face.sunglasses["Value"], face.measures.lens_cover))
            if not labelled:
                eyeglasses_rows.append((name, entry["file"] in CLEAR_EYEGLASSES, face.eyeglasses["Value"],
                                        face.measures.frame_edge))
    print("\nface-count disagreements on the copies:", disagreements or "none")
    _confusion(sunglasses_rows, "2. Sunglasses, one-face fixtures as given, resized (0.5x, 0.75x, 1.5x), "
               "grayscale, darker (0.6x), brighter (1.4x)",
               f"lens_cover >= {LENS_COVER_THRESHOLD}")
    _confusion(eyeglasses_rows, "   Eyeglasses, the same faces without sunglasses",
               f"nose-bridge edge >= {FRAME_EDGE_THRESHOLD}")

    people = {e["file"]: e["labels"]["person_id"] for e in manifest if e["labels"]["person_id"]}
    encodings = {name: faces[0].encoding for name, faces in analyses.items() if name in people and len(faces) == 1}
    same, different = [], []
    for (a, ea), (b, eb) in itertools.combinations(sorted(encodings.items()), 2):
        distance = float(np.linalg.norm(ea - eb))
        (same if people[a] == people[b] else different).append((distance, a, b))
    print(f"\n3. Encoding distances over {len(encodings)} one-face photos of {len(set(people.values()))} people")
    print("same-person pairs:")
    for distance, a, b in sorted(same):
        print(f"  {distance:.4f}  {a} ~ {b}")
    print(f"max same-person distance:      {max(same)[0]:.4f}")
    closest = sorted(different)[:5]
    print(f"min different-person distance: {closest[0][0]:.4f}  (closest: "
          + "; ".join(f"{d:.3f} {a}~{b}" for d, a, b in closest) + ")")
    print(f"different-person pairs at or below 0.6: {sum(d <= 0.6 for d, _, _ in different)} of {len(different)}")


if __name__ == "__main__":
    main()
