"""The ``stepflow`` command: a thin layer that parses arguments, calls the library and prints.

Each command group lives in its own module in this package and exposes
``register(subparsers: argparse._SubParsersAction) -> None``; the parser it adds must set a
``handler`` default, a function taking the parsed arguments and returning the exit status.
Modules are discovered, so adding a command never means editing this file.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback

from stepflow.asl.errors import StepflowError
from stepflow.extras import missing_extra

EXIT_USAGE = 2
EXIT_INTERNAL = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stepflow", description="Run Amazon States Language state machines locally."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.handler(args) or 0)
    except StepflowError as error:
        print(f"stepflow: {error}", file=sys.stderr)
        return getattr(error, "exit_status", EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`stepflow table scan | head`): end quietly, as Unix tools do, and
        # point stdout at /dev/null so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:  # a place on disk the user named (an output file, STEPFLOW_HOME)
        print(f"stepflow: {_os_error(error)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # the CLI never ends in a bare traceback
        missing = missing_extra(error) if isinstance(error, ImportError) else None
        if missing is not None:  # an optional part whose extra is not installed
            print(f"stepflow: {missing}", file=sys.stderr)
            return EXIT_USAGE
        if os.environ.get("STEPFLOW_DEBUG"):
            traceback.print_exc()
        print(
            f"stepflow: internal error: {type(error).__name__}: {error} "
            "(set STEPFLOW_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _os_error(error: OSError) -> str:
    """``cannot use PATH: reason``, naming STEPFLOW_HOME when PATH lies in the data root."""
    from stepflow.settings import data_root

    reason = error.strerror or str(error)
    if error.filename is None:
        return reason
    path = os.path.abspath(os.fsdecode(error.filename))
    setting = ""
    try:
        if os.path.commonpath([path, str(data_root())]) == str(data_root()):
            setting = " (in the data root: set STEPFLOW_HOME to a writable folder)"
    except (StepflowError, ValueError):
        pass
    return f"cannot use {path}: {reason}{setting}"
