"""A Serverless Framework service (``serverless.yml``) with the step-functions plugin's block.

The file is read as the Framework reads it (YAML 1.2 booleans), its variables resolved
(``${self:...}``, ``${opt:stage, 'dev'}``, ``${env:NAME, default}``, ``${sls:stage}``,
``${file(./x.yml):key}`` relative to the service folder), then turned into the CloudFormation
resources the Framework generates: ``<Name>LambdaFunction`` per function (named
``<service>-<stage>-<name>``), the ``stepFunctions.stateMachines`` as
``<Name>StepFunctionsStateMachine`` (``Fn::GetAtt: [hello, Arn]`` naming a function key, as the
plugin allows), and ``resources.Resources`` as written.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from stepflow.stacks.errors import TemplateError
from stepflow.stacks.loading import load_document

_VARIABLE = re.compile(r"\$\{([^${}]+)\}")


def is_serverless(path: Path) -> bool:
    return path.name in ("serverless.yml", "serverless.yaml")


def logical_name(name: str) -> str:
    """The Framework's normalization: first letter upper, ``-`` as ``Dash``, ``_`` as ``Underscore``."""
    name = name.replace("-", "Dash").replace("_", "Underscore")
    return name[:1].upper() + name[1:]


def to_template(path: Path, options: dict[str, str]) -> dict[str, Any]:
    service = load_document(path, yaml12=True)
    if not isinstance(service, dict):
        raise TemplateError("serverless.yml must be a mapping", str(path))
    service = _Variables(service, path.parent, options).resolve(service, "")
    provider = service.get("provider") or {}
    stage = options.get("stage") or provider.get("stage") or "dev"
    name = service.get("service")
    name = name.get("name") if isinstance(name, dict) else name
    resources: dict[str, Any] = {}
    functions = service.get("functions") or {}
    for key, function in functions.items():
        function = function or {}
        environment = {**(provider.get("environment") or {}), **(function.get("environment") or {})}
        resources[f"{logical_name(key)}LambdaFunction"] = {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "FunctionName": function.get("name") or f"{name}-{stage}-{key}",
                "Handler": function.get("handler"),
                "Runtime": function.get("runtime") or provider.get("runtime") or "nodejs20.x",
                "Code": {"LocalPath": "."},
                "Timeout": function.get("timeout") or provider.get("timeout") or 6,
                "MemorySize": function.get("memorySize") or provider.get("memorySize") or 1024,
                "Environment": {"Variables": environment},
                "Layers": function.get("layers") or provider.get("layers") or [],
            },
        }
    machines = ((service.get("stepFunctions") or {}).get("stateMachines")) or {}
    for key, machine in machines.items():
        definition = _function_refs(machine.get("definition"), functions)
        resources[f"{logical_name(key)}StepFunctionsStateMachine"] = {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"StateMachineName": machine.get("name") or f"{logical_name(key)}StepFunctionsStateMachine",
                           "Definition": definition},
        }
    resources.update(((service.get("resources") or {}).get("Resources")) or {})
    outputs = ((service.get("resources") or {}).get("Outputs")) or {}
    return {"Resources": resources, "Outputs": outputs, "ServerlessRegion": provider.get("region"),
            "ServerlessStage": stage}


def _function_refs(value: Any, functions: dict[str, Any]) -> Any:
    """``Fn::GetAtt: [hello, Arn]`` and ``Ref: hello`` naming a function key -> its logical id."""
    if isinstance(value, list):
        return [_function_refs(item, functions) for item in value]
    if not isinstance(value, dict):
        return value
    if list(value) == ["Fn::GetAtt"] and isinstance(value["Fn::GetAtt"], list) and value["Fn::GetAtt"][0] in functions:
        return {"Fn::GetAtt": [f"{logical_name(value['Fn::GetAtt'][0])}LambdaFunction", value["Fn::GetAtt"][1]]}
    if list(value) == ["Ref"] and value["Ref"] in functions:
        return {"Ref": f"{logical_name(value['Ref'])}LambdaFunction"}
    return {key: _function_refs(item, functions) for key, item in value.items()}


class _Variables:
    """The Framework's ``${source:address, fallback}`` variables, resolved innermost first."""

    def __init__(self, service: dict[str, Any], folder: Path, options: dict[str, str]) -> None:
        self.service, self.folder, self.options = service, folder, options

    def resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            return {key: self.resolve(item, f"{where}.{key}".lstrip(".")) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item, f"{where}[{index}]") for index, item in enumerate(value)]
        if not isinstance(value, str):
            return value
        for _ in range(20):
            match = _VARIABLE.search(value)
            if match is None:
                return value
            resolved = self._variable(match.group(1).strip(), where)
            if match.group(0) == value:
                value = resolved
                if not isinstance(value, str):
                    return self.resolve(value, where)
            else:
                value = value[: match.start()] + str(resolved) + value[match.end():]
        raise TemplateError("variables nest too deeply", f"serverless.yml: {where}")

    def _variable(self, text: str, where: str) -> Any:
        expression, _, fallback = text.partition(",")
        expression = expression.strip()
        source, _, address = expression.partition(":")
        value: Any = None
        if source == "self":
            value = self._lookup(self.service, address, where)
        elif source == "opt":
            value = self.options.get(address)
        elif source == "env":
            value = os.environ.get(address)
        elif source == "sls" and address == "stage":
            value = self.options.get("stage") or (self.service.get("provider") or {}).get("stage") or "dev"
        elif source.startswith("file(") and ")" in expression:
            file_part, _, key = expression.partition(")")
            path = (self.folder / file_part[5:].strip()).resolve()
            if not path.is_relative_to(self.folder.resolve()):
                raise TemplateError(f"${{{text}}}: the file is outside the service folder", f"serverless.yml: {where}")
            if not path.is_file():
                raise TemplateError(f"${{{text}}}: no file {path.name} in the service folder {self.folder}",
                                    f"serverless.yml: {where}")
            value = self.resolve(load_document(path, yaml12=True), where)
            if key.startswith(":"):
                value = self._lookup(value, key[1:], where)
        else:
            raise TemplateError(f"${{{text}}}: stepflow resolves self:, opt:, env:, sls:stage and file() variables",
                                f"serverless.yml: {where}")
        if value is None:
            fallback = fallback.strip()
            if not fallback:
                raise TemplateError(f"${{{text}}} has no value and no fallback", f"serverless.yml: {where}")
            value = fallback.strip("'\"") if fallback[:1] in "'\"" else self._variable(fallback.strip("${}"), where) \
                if fallback.startswith("${") else _number_or_text(fallback)
        return value

    def _lookup(self, document: Any, address: str, where: str) -> Any:
        value = document
        for part in filter(None, address.split(".")):
            if isinstance(value, str) and "${" in value:
                value = self.resolve(value, where)
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return self.resolve(value, where) if isinstance(value, str) and "${" in value else value


def _number_or_text(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return text
