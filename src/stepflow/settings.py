"""Where stepflow keeps and finds things: the data root, the shared fixture photos, the lessons."""
from __future__ import annotations

import os
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]


def data_root() -> Path:
    """The one folder stepflow reads and writes (``STEPFLOW_HOME``, default ``./.stepflow``)."""
    return Path(os.environ.get("STEPFLOW_HOME", ".stepflow")).resolve()


def fixtures_dir() -> Path:
    """The labelled photos (``STEPFLOW_FIXTURES``, default ``../shared/fixtures`` beside the repo).

    They are third-party images, so they are read from where they lie and never copied in.
    """
    configured = os.environ.get("STEPFLOW_FIXTURES")
    if configured:
        return Path(configured).resolve()
    return (_REPO_ROOT.parent / "shared" / "fixtures").resolve()


def lessons_dir() -> Path:
    """The course the lessons command runs (``STEPFLOW_LESSONS``, default the repository's ``docs/lessons``)."""
    configured = os.environ.get("STEPFLOW_LESSONS")
    return Path(configured).resolve() if configured else _REPO_ROOT / "docs" / "lessons"
