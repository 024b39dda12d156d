"""CloudFormation's intrinsic functions, condition functions and pseudo parameters.

``Evaluator.resolve`` turns a template value into plain data: ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``
(string and list forms, ``${!Literal}``), ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If``
with ``Conditions``, ``Fn::FindInMap`` with ``Mappings``, ``Fn::ImportValue`` (the Outputs other
local stacks export), ``Fn::Base64``, ``Fn::GetAZs``, ``Fn::ToJsonString``, ``Fn::Length`` and
``AWS::NoValue``. What a resource's ``Ref`` and attributes are is asked of the stack, so each
resource type gives what AWS gives (``stacks/providers.py``).
"""
from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stepflow.stacks.errors import TemplateError

NO_VALUE = object()  # Ref AWS::NoValue: the property is removed
_SUB_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


@dataclass
class Scope:
    """What intrinsics can see: pseudo parameters, parameters, mappings, conditions, resources."""

    stack_name: str
    region: str
    account: str
    parameters: dict[str, Any]
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    resource_ref: Callable[[str, str], Any] | None = None  # (logical id, where) -> Ref value
    resource_attribute: Callable[[str, str, str], Any] | None = None  # (logical id, attribute, where)
    is_resource: Callable[[str], bool] = lambda name: False
    import_value: Callable[[str, str], Any] | None = None  # (export name, where) -> value

    def pseudo(self) -> dict[str, Any]:
        return {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": "aws",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account}:stack/{self.stack_name}/"
                            "00000000-0000-4000-8000-000000000000",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }


class Evaluator:
    """Resolves template values within one Scope; conditions are evaluated once each."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._pseudo = scope.pseudo()
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    def resolve(self, value: Any, where: str) -> Any:
        """``value`` with every intrinsic replaced; keys whose value is ``AWS::NoValue`` dropped."""
        if isinstance(value, list):
            items = [self.resolve(item, f"{where}[{index}]") for index, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self.ref(argument, where)
            if key.startswith("Fn::"):
                function = _FUNCTIONS.get(key)
                if function is None:
                    raise TemplateError(f"{key} is not an intrinsic function stepflow evaluates", where)
                return function(self, argument, f"{where}/{key}")
        resolved = {key: self.resolve(item, f"{where}.{key}") for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def ref(self, name: Any, where: str) -> Any:
        name = self.resolve(name, where)
        if not isinstance(name, str):
            raise TemplateError(f"Ref takes a name, not {json.dumps(name)}", where)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self.scope.parameters:
            return self.scope.parameters[name]
        if self.scope.is_resource(name) and self.scope.resource_ref is not None:
            return self.scope.resource_ref(name, where)
        raise TemplateError(f"Ref {name!r}: no parameter, pseudo parameter or resource has that name", where)

    def get_att(self, logical_id: str, attribute: str, where: str) -> Any:
        if not self.scope.is_resource(logical_id) or self.scope.resource_attribute is None:
            raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute}: there is no resource {logical_id!r}", where)
        return self.scope.resource_attribute(logical_id, attribute, where)

    def condition(self, name: str, where: str) -> bool:
        """The value of a named condition (``Conditions`` section)."""
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.scope.conditions:
            raise TemplateError(f"there is no condition {name!r} in Conditions", where)
        if name in self._evaluating:
            raise TemplateError(f"condition {name!r} depends on itself", where)
        self._evaluating.add(name)
        try:
            value = self._truth(self.scope.conditions[name], f"Conditions.{name}")
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = value
        return value

    def _truth(self, value: Any, where: str) -> bool:
        if isinstance(value, dict) and list(value) == ["Condition"]:
            return self.condition(value["Condition"], where)
        result = self.resolve(value, where)
        if not isinstance(result, bool):
            if result in ("true", "false"):
                return result == "true"
            raise TemplateError(f"a condition must be true or false, not {json.dumps(result)}", where)
        return result

    def sub(self, argument: Any, where: str) -> str:
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], dict):
                raise TemplateError("Fn::Sub takes a string, or [string, {name: value}]", where)
            text, variables = argument[0], self.resolve(argument[1], where)
        else:
            text, variables = argument, {}
        text = self.resolve(text, where)
        if not isinstance(text, str):
            raise TemplateError("Fn::Sub's template must be a string", where)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif "." in name and not name.startswith("AWS::") and self.scope.is_resource(name.split(".", 1)[0]):
                value = self.get_att(*name.split(".", 1), where)
            else:
                value = self.ref(name, where)
            if isinstance(value, (dict, list)) or value is NO_VALUE:
                raise TemplateError(f"Fn::Sub: ${{{name}}} is not a string value", where)
            return str(value)

        return _SUB_PLACEHOLDER.sub(replace, text)


def _args(evaluator: Evaluator, argument: Any, where: str, count: int, name: str) -> list[Any]:
    values = evaluator.resolve(argument, where)
    if not isinstance(values, list) or len(values) != count:
        raise TemplateError(f"{name} takes a list of {count} values", where)
    return values


def _get_att(evaluator: Evaluator, argument: Any, where: str) -> Any:
    if isinstance(argument, str):
        argument = argument.split(".", 1)
    if not isinstance(argument, list) or len(argument) != 2:
        raise TemplateError("Fn::GetAtt takes [LogicalId, Attribute]", where)
    logical_id, attribute = argument[0], evaluator.resolve(argument[1], where)
    return evaluator.get_att(logical_id, attribute, where)


def _join(evaluator: Evaluator, argument: Any, where: str) -> str:
    delimiter, values = _args(evaluator, argument, where, 2, "Fn::Join")
    if not isinstance(values, list) or not all(isinstance(v, (str, int, float)) for v in values):
        raise TemplateError("Fn::Join joins a list of strings", where)
    return str(delimiter).join(str(value) for value in values)


def _select(evaluator: Evaluator, argument: Any, where: str) -> Any:
    index, values = _args(evaluator, argument, where, 2, "Fn::Select")
    try:
        return values[int(index)]
    except (ValueError, TypeError, IndexError):
        raise TemplateError(f"Fn::Select: index {index!r} is not within the list of {len(values)}", where) from None


def _split(evaluator: Evaluator, argument: Any, where: str) -> list[str]:
    delimiter, text = _args(evaluator, argument, where, 2, "Fn::Split")
    if not isinstance(text, str):
        raise TemplateError("Fn::Split splits a string", where)
    return text.split(delimiter)


def _if(evaluator: Evaluator, argument: Any, where: str) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        raise TemplateError("Fn::If takes [ConditionName, value if true, value if false]", where)
    chosen = argument[1] if evaluator.condition(argument[0], where) else argument[2]
    return evaluator.resolve(chosen, where)


def _find_in_map(evaluator: Evaluator, argument: Any, where: str) -> Any:
    names = _args(evaluator, argument, where, 3, "Fn::FindInMap")
    value: Any = evaluator.scope.mappings
    for depth, name in enumerate(names):
        if not isinstance(value, dict) or name not in value:
            path = ".".join(str(n) for n in names[: depth + 1])
            raise TemplateError(f"Fn::FindInMap: Mappings has no {path}", where)
        value = value[name]
    return value


def _import_value(evaluator: Evaluator, argument: Any, where: str) -> Any:
    name = evaluator.resolve(argument, where)
    if evaluator.scope.import_value is None:
        raise TemplateError(f"Fn::ImportValue {name!r}: no stack exports it", where)
    return evaluator.scope.import_value(name, where)


def _equals(evaluator: Evaluator, argument: Any, where: str) -> bool:
    left, right = _args(evaluator, argument, where, 2, "Fn::Equals")
    return str(left) == str(right) if isinstance(left, (str, int, float)) and isinstance(right, (str, int, float)) else left == right


def _all(evaluator: Evaluator, argument: Any, where: str) -> bool:
    return all(evaluator._truth(item, where) for item in argument)


def _any(evaluator: Evaluator, argument: Any, where: str) -> bool:
    return any(evaluator._truth(item, where) for item in argument)


def _not(evaluator: Evaluator, argument: Any, where: str) -> bool:
    if not isinstance(argument, list) or len(argument) != 1:
        raise TemplateError("Fn::Not takes a list of one condition", where)
    return not evaluator._truth(argument[0], where)


def _get_azs(evaluator: Evaluator, argument: Any, where: str) -> list[str]:
    region = evaluator.resolve(argument, where) or evaluator.scope.region
    return [f"{region}{zone}" for zone in "abc"]


_FUNCTIONS: dict[str, Callable[[Evaluator, Any, str], Any]] = {
    "Fn::GetAtt": _get_att,
    "Fn::Sub": lambda evaluator, argument, where: evaluator.sub(argument, where),
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::ImportValue": _import_value,
    "Fn::Equals": _equals,
    "Fn::And": _all,
    "Fn::Or": _any,
    "Fn::Not": _not,
    "Fn::Base64": lambda evaluator, argument, where: base64.b64encode(
        str(evaluator.resolve(argument, where)).encode()).decode(),
    "Fn::GetAZs": _get_azs,
    "Fn::ToJsonString": lambda evaluator, argument, where: json.dumps(
        evaluator.resolve(argument, where), separators=(",", ":")),
    "Fn::Length": lambda evaluator, argument, where: len(evaluator.resolve(argument, where)),
}
