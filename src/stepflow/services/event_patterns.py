"""EventBridge's event patterns and input transformers, as the EventBridge user guide defines them.

A pattern is a JSON object mirroring the event: each leaf is a list of allowed values (any one
matches; an event array matches when one element does) or content filters: ``prefix``,
``suffix``, ``wildcard``, ``anything-but``, ``numeric``, ``exists``, ``equals-ignore-case``, and
``$or`` of sub-patterns. An input transformer picks values with ``InputPathsMap`` (JSON paths into
the event) and puts them into ``InputTemplate`` at ``<name>``: inside quotes as text, elsewhere as
JSON (EventBridge user guide, "Amazon EventBridge input transformation").
"""
from __future__ import annotations

import fnmatch
import json
import re
from typing import Any, Mapping

from jsonpath_ng.ext import parse as parse_path

from stepflow.asl.errors import StepflowError

_NUMERIC = {"<": float.__lt__, "<=": float.__le__, "=": float.__eq__, ">=": float.__ge__, ">": float.__gt__}
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


class InvalidEventPattern(StepflowError):
    """An event pattern EventBridge would refuse (PutRule's InvalidEventPatternException)."""


def check_pattern(pattern: Any, where: str = "EventPattern") -> None:
    """Refuse a pattern whose leaves are not lists of values or filters."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise InvalidEventPattern(f"{where} must be a non-empty JSON object")
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise InvalidEventPattern(f"{where}.$or must be a list of at least two patterns")
            for index, alternative in enumerate(value):
                check_pattern(alternative, f"{where}.$or[{index}]")
        elif isinstance(value, Mapping):
            check_pattern(value, f"{where}.{key}")
        elif not isinstance(value, list) or not value:
            raise InvalidEventPattern(f"{where}.{key} must be a non-empty list of values or filters")


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """Whether ``event`` (a dict) matches ``pattern``: every field of the pattern must match."""
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(alternative, event) for alternative in expected):
                return False
            continue
        present = isinstance(event, Mapping) and key in event
        value = event.get(key) if isinstance(event, Mapping) else None
        if isinstance(expected, Mapping):
            if not present or not matches(expected, value):
                return False
        elif not _leaf_matches(expected, present, value):
            return False
    return True


def _leaf_matches(allowed: list[Any], present: bool, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for rule in allowed:
        if isinstance(rule, Mapping) and "exists" in rule:
            if rule["exists"] == present:
                return True
            continue
        if not present:
            continue
        if any(_value_matches(rule, v) for v in values):
            return True
    return False


def _value_matches(rule: Any, value: Any) -> bool:
    if not isinstance(rule, Mapping):
        return rule == value and type(rule) is type(value) or (rule is None and value is None)
    if "prefix" in rule:
        prefix = rule["prefix"]
        if isinstance(prefix, Mapping):
            return isinstance(value, str) and value.lower().startswith(prefix["equals-ignore-case"].lower())
        return isinstance(value, str) and value.startswith(prefix)
    if "suffix" in rule:
        suffix = rule["suffix"]
        if isinstance(suffix, Mapping):
            return isinstance(value, str) and value.lower().endswith(suffix["equals-ignore-case"].lower())
        return isinstance(value, str) and value.endswith(suffix)
    if "wildcard" in rule:
        return isinstance(value, str) and fnmatch.fnmatchcase(value, rule["wildcard"].replace("[", "[[]"))
    if "equals-ignore-case" in rule:
        return isinstance(value, str) and value.lower() == rule["equals-ignore-case"].lower()
    if "anything-but" in rule:
        excluded = rule["anything-but"]
        if isinstance(excluded, Mapping):
            return not _value_matches(excluded, value)
        return value not in (excluded if isinstance(excluded, list) else [excluded])
    if "numeric" in rule:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        terms = rule["numeric"]
        return all(_NUMERIC[op](float(value), float(bound)) for op, bound in zip(terms[::2], terms[1::2]))
    raise InvalidEventPattern(f"unknown content filter {json.dumps(rule)}")


def transform(transformer: Mapping[str, Any], event: Mapping[str, Any], rule_name: str) -> str:
    """The target's input text: ``InputTemplate`` with each ``<name>`` replaced by what its path in
    ``InputPathsMap`` finds in ``event`` (nothing found: null, or empty text inside quotes)."""
    values: dict[str, Any] = {
        "aws.events.event": event,
        "aws.events.rule-name": rule_name,
        "aws.events.event.ingestion-time": event.get("time"),
    }
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        found = [match.value for match in parse_path(path).find(event)]
        values[name] = found[0] if found else None

    template = transformer["InputTemplate"]

    def fill(placeholder: re.Match[str]) -> str:
        name = placeholder.group(1)
        if name not in values:
            return placeholder.group(0)
        value = values[name]
        if _inside_string(template, placeholder.start()):
            text = value if isinstance(value, str) else ("" if value is None else json.dumps(value))
            return json.dumps(text)[1:-1]  # escaped, without the quotes the template has
        return json.dumps(value)

    return _PLACEHOLDER.sub(fill, template)


def _inside_string(template: str, position: int) -> bool:
    """Whether ``position`` lies inside a JSON string of ``template`` (an odd number of unescaped
    quotes before it)."""
    return len(re.findall(r'(?<!\\)"', template[:position])) % 2 == 1
