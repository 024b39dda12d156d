"""Reading template files: JSON, or YAML with CloudFormation's short-form tags.

CloudFormation and SAM read YAML 1.1 (``Enabled: False`` and ``yes`` are booleans). The
Serverless Framework reads its ``serverless.yml`` with js-yaml, which follows YAML 1.2's core
schema: only ``true``/``false`` are booleans, and ``Yes``, ``No``, ``on``, ``off`` stay strings;
``1:30`` is a string, not the sexagesimal 90. ``load_yaml(..., yaml12=True)`` reads it that way.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from stepflow.stacks.errors import TemplateError

# !Tag -> the long form's key; scalar, sequence and mapping nodes all become {"Fn::X": value}.
_FUNCTIONS = (
    "And", "Base64", "Cidr", "Contains", "Equals", "FindInMap", "GetAZs", "If", "ImportValue",
    "Join", "Length", "Not", "Or", "Select", "Split", "Sub", "ToJsonString", "Transform",
)


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML 1.1 with the short-form intrinsic tags."""


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _function(name: str):
    return lambda loader, node: {f"Fn::{name}": _construct(loader, node)}


for _name in _FUNCTIONS:
    _CloudFormationLoader.add_constructor(f"!{_name}", _function(_name))
_CloudFormationLoader.add_constructor("!Ref", lambda loader, node: {"Ref": _construct(loader, node)})
_CloudFormationLoader.add_constructor("!Condition", lambda loader, node: {"Condition": _construct(loader, node)})


def _get_att(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    """``!GetAtt Resource.Attribute`` (split at the first dot) or ``!GetAtt [Resource, Attribute]``."""
    value = _construct(loader, node)
    if isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::GetAtt": value}


_CloudFormationLoader.add_constructor("!GetAtt", _get_att)


class _Yaml12Loader(_CloudFormationLoader):
    """js-yaml's reading of booleans, nulls and numbers (YAML 1.2 core schema)."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in _CloudFormationLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _firsts in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
):
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_firsts))


def _yaml12_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 16) if text.startswith("0x") else int(text)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _yaml12_int)


def load_document(path: Path, yaml12: bool = False) -> Any:
    """The file as data: JSON when it parses as JSON, else YAML; problems name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TemplateError(f"cannot read the file: {error.strerror or error}", str(path)) from None
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise TemplateError(f"not valid JSON: {error.msg} (line {error.lineno})", str(path)) from None
    try:
        return yaml.load(text, Loader=_Yaml12Loader if yaml12 else _CloudFormationLoader)  # noqa: S506 (safe loaders)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise TemplateError(f"not valid YAML: {problem}{line}", str(path)) from None
