"""Where stepflow keeps and finds things: the data root, the shared fixture photos, the lessons."""
from __future__ import annotations

import os
from pathlib import Path

from stepflow.asl.errors import StepflowError

_REPO_ROOT = Path(__file__).resolve().parents[2]


class DataRootError(StepflowError):
    """``STEPFLOW_HOME`` names a place stepflow cannot use as its data root."""


def data_root() -> Path:
    """The one folder stepflow reads and writes (``STEPFLOW_HOME``, default ``./.stepflow``);
    a DataRootError names the setting when that is a file or cannot be created or written."""
    setting = os.environ.get("STEPFLOW_HOME")
    root = Path(setting or ".stepflow").resolve()
    named = f"STEPFLOW_HOME={setting}" if setting else f"the data root {root} (set STEPFLOW_HOME to choose another)"
    existing = next(p for p in (root, *root.parents) if p.exists())
    if not existing.is_dir():
        raise DataRootError(f"{named}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise DataRootError(f"{named}: {existing} is not writable")
    return root


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
