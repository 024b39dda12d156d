#!/usr/bin/env python3
"""Score the rider-photo face analysis on the generated, labelled set (tuning side by default).

    .venv/bin/python bench/faceset.py [--held-out] [--seed 14] [--wrong]

Builds the set on first use into the cache folder (STEPFLOW_CACHE, default ~/.cache/stepflow;
never the repository), analyses each photo once per version of the analysis code (kept in the
cache), and prints for one side of the split: the confusion of each decision (face count,
sunglasses, eyeglasses), the duplicate check over every pair of one-face photos (false accepts
and false rejects at the workflow's threshold, with the margin each side), and the outcome of
RiderPhotoProcessing-4 per photo (library run, see stepflow.riderphoto.evaluation.scoring).

Score the held-out side once per change of the analysis: each scoring is logged in the cache with
the analysis fingerprint, and a second scoring of the same fingerprint says so.
"""
from __future__ import annotations

import argparse
import datetime
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stepflow.riderphoto.evaluation import scoring  # noqa: E402
from stepflow.riderphoto.evaluation.faceset import DEFAULT_SEED, HELD_OUT, TUNING, build_face_set  # noqa: E402
from stepflow.riderphoto.eyewear import FRAME_EDGE_THRESHOLD, LENS_COVER_THRESHOLD  # noqa: E402
from stepflow.services.faces import max_distance  # noqa: E402
from stepflow.settings import cache_dir  # noqa: E402

SMALL_FACE_BANDS = ((0, 60), (60, 100), (100, 10_000))


def print_confusion(confusion: scoring.Confusion, show_wrong: bool) -> None:
    truths = sorted({truth for truth, _ in confusion.counts}, key=str)
    predictions = sorted({got for _, got in confusion.counts} | set(truths), key=str)
    print(f"\n{confusion.title}: {confusion.right}/{confusion.total} right "
          f"({100 * confusion.right / max(confusion.total, 1):.1f}%)")
    print(f"  {'labelled | found':>18}" + "".join(f"{str(p):>8}" for p in predictions))
    for truth in truths:
        print(f"  {str(truth):>18}" + "".join(f"{confusion.counts.get((truth, p), 0):>8}" for p in predictions))
    for line in confusion.wrong if show_wrong else confusion.wrong[:0]:
        print(f"    WRONG {line}")


def print_margin(measures: list[tuple[bool, float]], threshold: float, name: str) -> None:
    yes = [m for truth, m in measures if truth]
    no = [m for truth, m in measures if not truth]
    if yes and no:
        print(f"  {name}: labelled yes {min(yes):.3f}..{max(yes):.3f}, labelled no {min(no):.3f}..{max(no):.3f}; "
              f"threshold {threshold}: margin {min(yes) - threshold:+.3f} below, {threshold - max(no):+.3f} above")


def print_pairs(pairs: list[scoring.Pair], show_wrong: bool) -> None:
    limit = max_distance(70)
    same = [p for p in pairs if p.same]
    different = [p for p in pairs if not p.same]
    false_accepts = [p for p in different if p.distance <= limit]
    false_rejects = [p for p in same if p.distance > limit]
    print(f"\nduplicate check (similarity >= 70, distance <= {limit:.2f}) over {len(pairs)} pairs of one-face photos")
    print(f"  different people: {len(different)} pairs, false accepts {len(false_accepts)} "
          f"({100 * len(false_accepts) / max(len(different), 1):.3f}%), nearest {min(p.distance for p in different):.3f} "
          f"(margin {min(p.distance for p in different) - limit:+.3f})")
    print(f"  same person:      {len(same)} pairs, false rejects {len(false_rejects)} "
          f"({100 * len(false_rejects) / max(len(same), 1):.1f}%), farthest {max(p.distance for p in same):.3f}")
    for low, high in SMALL_FACE_BANDS:
        band_same = [p for p in same if low <= p.smaller_face < high]
        band_diff = [p for p in different if low <= p.smaller_face < high]
        if band_same or band_diff:
            print(f"  smaller face {low}-{high} px (as analysed): different {len(band_diff)} pairs, nearest "
                  f"{min((p.distance for p in band_diff), default=float('nan')):.3f}, accepted "
                  f"{sum(p.distance <= limit for p in band_diff)}; same {len(band_same)}, farthest "
                  f"{max((p.distance for p in band_same), default=float('nan')):.3f}, rejected "
                  f"{sum(p.distance > limit for p in band_same)}")
    if show_wrong:
        for p in sorted(false_accepts, key=lambda p: p.distance)[:20]:
            print(f"    FALSE ACCEPT {p.distance:.3f} {p.a} ~ {p.b}")
        for p in sorted(false_rejects, key=lambda p: -p.distance)[:20]:
            print(f"    FALSE REJECT {p.distance:.3f} {p.a} ~ {p.b}")


def print_workflow(results: list[scoring.WorkflowResult], show_wrong: bool) -> None:
    right = sum(r.right for r in results)
    print(f"\nworkflow outcome (RiderPhotoProcessing-4, library run): {right}/{len(results)} right "
          f"({100 * right / len(results):.1f}%)")
    by_expected: Counter[tuple[str, bool]] = Counter((r.expected[0] if r.expected[1] is None or "faces" not in r.expected[1]
                                                      else "face count", r.right) for r in results)
    for kind in sorted({k for k, _ in by_expected}):
        print(f"  expected {kind:<34} {by_expected[(kind, True)]}/{by_expected[(kind, True)] + by_expected[(kind, False)]}")
    for r in results:
        if show_wrong and not r.right:
            print(f"    WRONG {r.photo.name}: got {r.got}, expected {r.expected}")


def log_held_out(fingerprint: str, summary: str) -> None:
    log = cache_dir() / "held-out-scorings.log"
    earlier = [line for line in log.read_text().splitlines() if line.split(" ")[1] == fingerprint] if log.exists() else []
    if earlier:
        print(f"NOTE: the held-out side was already scored for this analysis ({len(earlier)} time(s)): {earlier[-1]}")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        out.write(f"{datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')} {fingerprint} {summary}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true", help="score the held-out side (once per change)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--wrong", action="store_true", help="list every wrong photo and pair")
    parser.add_argument("--no-workflow", action="store_true", help="skip the workflow runs")
    args = parser.parse_args()
    face_set = build_face_set(args.seed)
    side = HELD_OUT if args.held_out else TUNING
    photos = face_set.split(side)
    print(f"face set {face_set.folder.name} (seed {args.seed}): {len(face_set.split(TUNING))} tuning photos, "
          f"{len(face_set.split(HELD_OUT))} held-out; scoring the {side} side, analysis {scoring.analysis_fingerprint()}")
    results = scoring.analyse_all(face_set, photos)
    count = scoring.face_count_confusion(photos, results)
    print_confusion(count, args.wrong)
    sunglasses, lens = scoring.eyewear_confusion(photos, results, "sunglasses")
    print_confusion(sunglasses, args.wrong)
    print_margin(lens, LENS_COVER_THRESHOLD, "lens_cover")
    eyeglasses, edge = scoring.eyewear_confusion(photos, results, "eyeglasses")
    print_confusion(eyeglasses, args.wrong)
    print_margin([(truth, m) for truth, m in edge], FRAME_EDGE_THRESHOLD, "frame_edge (sunglasses included)")
    pairs = scoring.face_pairs(photos, results)
    print_pairs(pairs, args.wrong)
    summary = f"count {count.right}/{count.total} sunglasses {sunglasses.right}/{sunglasses.total} " \
              f"eyeglasses {eyeglasses.right}/{eyeglasses.total}"
    if not args.no_workflow:
        outcomes = scoring.run_workflow(face_set, photos, results)
        print_workflow(outcomes, args.wrong)
        summary += f" workflow {sum(r.right for r in outcomes)}/{len(outcomes)}"
    if args.held_out:
        log_held_out(scoring.analysis_fingerprint(), summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
