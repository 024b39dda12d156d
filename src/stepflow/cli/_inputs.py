"""What several commands read from their command line: a definition file, the execution input and
a resources file.

(An underscore module: the CLI's command discovery skips it.)
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Any

from stepflow.asl.errors import StepflowError
from stepflow.asl.json_values import InvalidJsonValue, check_execution_input, loads
from stepflow.asl.loader import load_definition


class UsageError(StepflowError):
    """A bad command line or input file (exit status 2)."""

    exit_status = 2


def write_output(path: str, text: str, option: str = "--output") -> None:
    """Write a command's output file, or say plainly why it cannot be written."""
    target = Path(path)
    if not target.parent.is_dir():
        raise UsageError(f"{option} {path}: the folder {target.parent} does not exist; create it first")
    if target.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot write: {error.strerror or error}") from None


def add_definition_argument(parser: argparse.ArgumentParser) -> None:
    """The definition file positional argument of the commands that read one."""
    parser.add_argument("definition", help="the definition file (ASL JSON)")


def add_parameter_argument(parser: argparse.ArgumentParser) -> None:
    """``--parameter KEY=VALUE``, repeatable: a template's Parameters overrides."""
    parser.add_argument(
        "--parameter", action="append", default=[], metavar="KEY=VALUE",
        help="a template parameter's value (repeatable; defaults otherwise)",
    )


def read_parameters(pairs: list[str]) -> dict[str, str]:
    """``["Key=Value", ...]`` as a dict; a pair without ``=`` is a usage error naming it."""
    parameters = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise UsageError(f"--parameter {pair!r}: expected KEY=VALUE")
        parameters[key] = value
    return parameters


def read_definition(path: str) -> dict[str, Any]:
    """The definition file the command line names: always a path, even one whose name starts with ``{``."""
    return load_definition(Path(path))


def read_input(text: str | None, file: str | None) -> Any:
    """The execution input from ``--input`` JSON text or ``--input-file`` (neither: ``{}``)."""
    where = "--input"
    if file is not None:
        where = f"--input-file {file}"
        try:
            text = Path(file).read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise UsageError(f"{where} is not UTF-8 text (byte {error.start}: {error.reason})") from None
        except OSError as error:
            raise UsageError(f"cannot read {where}: {error.strerror or error}") from None
    if text is None:
        return {}
    try:
        value = loads(text)
        check_execution_input(value, text)
    except (ValueError, InvalidJsonValue) as error:
        raise UsageError(f"{where} is not valid JSON input: {error}") from None
    return value


def load_resources_file(path: str) -> tuple[dict[str, Any], dict[str, str]]:
    """``RESOURCES`` (required) and ``SUBSTITUTIONS`` (optional) from a Python file."""
    module = load_resources_module(path)
    resources = getattr(module, "RESOURCES", None)
    substitutions = getattr(module, "SUBSTITUTIONS", {})
    if not isinstance(resources, dict):
        raise UsageError(f"--resources {path} must define RESOURCES = {{resource_arn: handler}}")
    if not isinstance(substitutions, dict):
        raise UsageError(f"--resources {path}: SUBSTITUTIONS must be a dict of name -> string")
    return resources, substitutions


def load_resources_module(path: str) -> Any:
    """A resources file, loaded as a module; its errors are reported, never a traceback.

    The file's folder goes first on ``sys.path`` (as Lambda's task root is), so it can import the
    modules beside it."""
    file = Path(path)
    if file.is_dir():
        raise UsageError(f"--resources {path} is a folder; give the Python file that defines RESOURCES")
    if not file.is_file():
        raise UsageError(f"--resources {path}: no such file")
    spec = importlib.util.spec_from_file_location(f"stepflow_resources_{abs(hash(file.resolve()))}", file)
    if spec is None or spec.loader is None:
        raise UsageError(f"--resources {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    folder = str(file.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the user's file: report it, never a traceback
        raise UsageError(f"--resources {path} failed to load: {_where(error, folder)}{type(error).__name__}: {error}") from None
    return module


def _where(error: BaseException, folder: str) -> str:
    """``file, line N: `` of the innermost frame in the user's files under ``folder`` (a
    SyntaxError's own place)."""
    if isinstance(error, SyntaxError) and error.filename:
        return f"{error.filename}, line {error.lineno}: "
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(folder)]
    return f"{frames[-1].filename}, line {frames[-1].lineno}: " if frames else ""
