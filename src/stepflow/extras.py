"""Optional parts and the extra that installs each: the core (engine, CLI, testing toolkit) needs
none of them, so a missing one is named with the command that installs it."""
from __future__ import annotations

from stepflow.asl.errors import StepflowError

DISTRIBUTION = "stepflow-asl"

# The top-level modules each extra brings.
EXTRAS = {
    "faces": ("numpy", "PIL", "dlib", "face_recognition", "face_recognition_models"),
}
# face_recognition's own metadata asks for `dlib`, which pip would compile; the extra brings the
# prebuilt dlib-bin instead, so face_recognition itself goes in without its dependencies.
_AFTERWARDS = {"faces": " && pip install --no-deps face_recognition==1.3.0"}


class MissingExtra(StepflowError, ImportError):
    """An optional part is needed but its extra is not installed."""


def missing_extra(error: ImportError) -> MissingExtra | None:
    """The MissingExtra ``error`` means (a module of an extra could not be imported), else None."""
    top = (error.name or "").partition(".")[0]
    for extra, modules in EXTRAS.items():
        if top in modules:
            return _missing(extra, top)
    return None


def _missing(extra: str, module: str) -> MissingExtra:
    return MissingExtra(
        f"this needs the {extra!r} extra, which is not installed ({module} is missing): "
        f"pip install '{DISTRIBUTION}[{extra}]'{_AFTERWARDS.get(extra, '')}"
    )


def require(extra: str) -> None:
    """Check that the modules of ``extra`` are installed, raising MissingExtra naming it when one is
    missing. They are found, not imported: importing face_recognition loads every face model
    (~1.2 s), which ``stepflow run --stack riderphoto`` must not pay before a task needs one."""
    import importlib.util

    for module in EXTRAS[extra]:
        if importlib.util.find_spec(module) is None:
            raise _missing(extra, module)
