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
            return MissingExtra(
                f"this needs the {extra!r} extra, which is not installed ({top} is missing): "
                f"pip install '{DISTRIBUTION}[{extra}]'{_AFTERWARDS.get(extra, '')}"
            )
    return None


def require(extra: str) -> None:
    """Import the modules of ``extra`` now, raising MissingExtra naming it when one is missing."""
    import importlib

    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise (missing_extra(error) or error) from None
