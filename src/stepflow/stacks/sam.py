"""SAM's transform (``AWS::Serverless-2016-10-31``): Globals, then each ``AWS::Serverless::*``
resource as the CloudFormation resources SAM generates for it, implicit ones included (a
function's or state machine's ``<LogicalId>Role``, an event's ``<LogicalId><EventName>``), so
``!GetAtt StockTradingStateMachineRole.Arn`` resolves as it does on AWS.

Local paths stay local: ``CodeUri``/``ContentUri`` become ``Code``/``Content`` ``{"LocalPath": ...}``
and ``DefinitionUri`` stays a path, read by the providers relative to the template's folder.
"""
from __future__ import annotations

import copy
from typing import Any

from stepflow.stacks.errors import TemplateError

TRANSFORM = "AWS::Serverless-2016-10-31"
_GLOBAL_SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "StateMachine": "AWS::Serverless::StateMachine",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "LayerVersion": "AWS::Serverless::LayerVersion",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
}
# An event source's Type -> the resource SAM generates for it.
_EVENT_RESOURCES = {
    "Schedule": "AWS::Events::Rule",
    "ScheduleV2": "AWS::Scheduler::Schedule",
    "EventBridgeRule": "AWS::Events::Rule",
    "CloudWatchEvent": "AWS::Events::Rule",
    "SQS": "AWS::Lambda::EventSourceMapping",
    "Kinesis": "AWS::Lambda::EventSourceMapping",
    "DynamoDB": "AWS::Lambda::EventSourceMapping",
    "SNS": "AWS::SNS::Subscription",
    "S3": "AWS::Lambda::Permission",
    "Api": "AWS::ApiGateway::RestApi",
    "HttpApi": "AWS::ApiGatewayV2::Api",
}
_KEY_TYPES = {"String": "S", "Number": "N", "Binary": "B"}


def uses_sam(template: dict[str, Any]) -> bool:
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return TRANSFORM in names


def transform(template: dict[str, Any], where: str) -> dict[str, Any]:
    """A copy of ``template`` with Globals applied and SAM resources expanded."""
    template = copy.deepcopy(template)
    globals_ = template.pop("Globals", {}) or {}
    for section in globals_:
        if section not in _GLOBAL_SECTIONS:
            raise TemplateError(f"Globals has no section {section!r} (SAM knows {', '.join(_GLOBAL_SECTIONS)})",
                                f"{where}: Globals")
    resources: dict[str, Any] = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        kind = resource.get("Type", "")
        section = next((name for name, sam_type in _GLOBAL_SECTIONS.items() if sam_type == kind), None)
        if section and section in globals_:
            resource = {**resource, "Properties": merge(globals_[section], resource.get("Properties") or {})}
        expand = _EXPANSIONS.get(kind)
        resources.update(expand(logical_id, resource) if expand else {logical_id: resource})
    template["Resources"] = resources
    return template


def merge(global_value: Any, local_value: Any) -> Any:
    """SAM's Globals rule: maps merge (the resource wins per key), lists add up, scalars are replaced."""
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        merged = dict(global_value)
        for key, value in local_value.items():
            merged[key] = merge(global_value[key], value) if key in global_value else value
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        return global_value + local_value
    return copy.deepcopy(local_value)


def _keep(resource: dict[str, Any], kind: str, properties: dict[str, Any]) -> dict[str, Any]:
    kept = {key: value for key, value in resource.items() if key in ("Condition", "DependsOn", "Metadata")}
    return {**kept, "Type": kind, "Properties": properties, "SamResourceType": resource.get("Type")}


def _implicit(logical_id: str, resource: dict[str, Any], has_role: bool) -> dict[str, Any]:
    """The role and event resources SAM generates beside a function or state machine."""
    generated: dict[str, Any] = {}
    if not has_role:
        generated[f"{logical_id}Role"] = {"Type": "AWS::IAM::Role", "Properties": {}, "SamGeneratedBy": logical_id}
    for name, event in ((resource.get("Properties") or {}).get("Events") or {}).items():
        kind = _EVENT_RESOURCES.get((event or {}).get("Type"), "AWS::Lambda::Permission")
        generated[f"{logical_id}{name}"] = {
            "Type": kind, "Properties": dict((event or {}).get("Properties") or {}),
            "SamGeneratedBy": logical_id, "SamEventType": (event or {}).get("Type"),
        }
    return generated


def _function(logical_id: str, resource: dict[str, Any]) -> dict[str, Any]:
    props = dict(resource.get("Properties") or {})
    code: dict[str, Any]
    if "InlineCode" in props:
        code = {"ZipFile": props.pop("InlineCode")}
    elif "ImageUri" in props or props.get("PackageType") == "Image":
        code = {"ImageUri": props.pop("ImageUri", None)}
    else:
        uri = props.pop("CodeUri", None)
        code = {"LocalPath": uri} if isinstance(uri, (str, dict)) and not (isinstance(uri, dict) and "Bucket" in uri) else {"S3": uri}
    properties = {key: value for key, value in props.items()
                  if key not in ("Events", "Policies", "AutoPublishAlias", "DeploymentPreference")}
    properties.setdefault("Timeout", 3)
    properties["Code"] = code
    if "Role" not in props:
        properties["Role"] = {"Fn::GetAtt": [f"{logical_id}Role", "Arn"]}
    return {logical_id: _keep(resource, "AWS::Lambda::Function", properties),
            **_implicit(logical_id, resource, "Role" in props)}


def _state_machine(logical_id: str, resource: dict[str, Any]) -> dict[str, Any]:
    props = dict(resource.get("Properties") or {})
    properties = {key: value for key, value in props.items() if key not in ("Events", "Policies", "Name", "Type")}
    if "Name" in props:
        properties["StateMachineName"] = props["Name"]
    if "Type" in props:
        properties["StateMachineType"] = props["Type"]
    if "Role" not in props:
        properties["RoleArn"] = {"Fn::GetAtt": [f"{logical_id}Role", "Arn"]}
    else:
        properties["RoleArn"] = properties.pop("Role")
    return {logical_id: _keep(resource, "AWS::StepFunctions::StateMachine", properties),
            **_implicit(logical_id, resource, "Role" in props)}


def _simple_table(logical_id: str, resource: dict[str, Any]) -> dict[str, Any]:
    props = resource.get("Properties") or {}
    key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
    key_type = _KEY_TYPES.get(key.get("Type", "String"))
    if key_type is None:
        raise TemplateError(f"PrimaryKey.Type must be String, Number or Binary, not {key.get('Type')!r}",
                            f"Resources.{logical_id}.Properties.PrimaryKey")
    properties = {
        "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": key_type}],
    }
    if "TableName" in props:
        properties["TableName"] = props["TableName"]
    return {logical_id: _keep(resource, "AWS::DynamoDB::Table", properties)}


def _layer(logical_id: str, resource: dict[str, Any]) -> dict[str, Any]:
    props = dict(resource.get("Properties") or {})
    uri = props.pop("ContentUri", None)
    properties = {**props, "Content": {"LocalPath": uri} if isinstance(uri, str) else {"S3": uri}}
    return {logical_id: _keep(resource, "AWS::Lambda::LayerVersion", properties)}


def _renamed(kind: str):
    return lambda logical_id, resource: {logical_id: _keep(resource, kind, dict(resource.get("Properties") or {}))}


_EXPANSIONS = {
    "AWS::Serverless::Function": _function,
    "AWS::Serverless::StateMachine": _state_machine,
    "AWS::Serverless::SimpleTable": _simple_table,
    "AWS::Serverless::LayerVersion": _layer,
    "AWS::Serverless::Api": _renamed("AWS::ApiGateway::RestApi"),
    "AWS::Serverless::HttpApi": _renamed("AWS::ApiGatewayV2::Api"),
}
