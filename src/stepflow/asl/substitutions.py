"""``${Name}`` placeholders, filled as SAM's ``DefinitionSubstitutions`` fill them.

A definition that runs here deploys to AWS unchanged: resources are written as placeholders
(``"Resource": "${FaceDetectionFunctionArn}"``) and each run names their values. As in
CloudFormation's Fn::Sub, ``${!Name}`` stands for a literal ``${Name}``.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from stepflow.asl.errors import DefinitionError, Diagnostic
from stepflow.asl.loader import duplicate_keys, with_duplicate_keys

_PLACEHOLDER = re.compile(r"\$\{(!?)([^}]*)\}")


def check_substitutions(substitutions: Mapping[str, Any]) -> dict[str, str]:
    """The substitutions as a dict, each value a string (TypeError naming the first that is not)."""
    for name, value in substitutions.items():
        if not isinstance(value, str):
            raise TypeError(f"substitution {name!r} must be a string, got {type(value).__name__}")
    return dict(substitutions)


def substitute(definition: Any, substitutions: Mapping[str, str]) -> Any:
    """A copy of ``definition`` with every ``${Name}`` replaced in every string value.

    Unknown names raise DefinitionError listing the JSON pointer of each place.
    """
    problems: list[Diagnostic] = []
    result = _substitute(definition, "", substitutions, problems)
    if problems:
        raise DefinitionError(problems)
    return result


def _substitute(value: Any, pointer: str, substitutions: Mapping[str, str], problems: list[Diagnostic]) -> Any:
    if isinstance(value, dict):
        substituted = {
            k: _substitute(v, f"{pointer}/{_escape(k)}", substitutions, problems) for k, v in value.items()
        }
        # Keep the loader's mark of repeated keys, so validation still reports duplicate state names.
        return with_duplicate_keys(substituted, duplicate_keys(value))
    if isinstance(value, list):
        return [_substitute(v, f"{pointer}/{i}", substitutions, problems) for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        literal, name = match.groups()
        if literal:
            return "${" + name + "}"
        if name not in substitutions:
            problems.append(
                Diagnostic(
                    code="SCHEMA_VALIDATION_FAILED",
                    message=f"no substitution is defined for ${{{name}}}",
                    location=pointer,
                )
            )
            return match.group()
        return substitutions[name]

    return _PLACEHOLDER.sub(replace, value)


def _escape(key: str) -> str:
    """A key as a JSON pointer segment (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
