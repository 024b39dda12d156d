"""Resource types: what each one's ``Ref`` and ``Fn::GetAtt`` give, and what ``stack up`` creates.

Three kinds of type:
- emulated: created in the data root with the template's properties (tables with their keys,
  buckets, face collections, Lambda functions and layers with local code, state machines, queues,
  topics and their subscriptions, event buses and the rules that match events);
- accepted: IAM, logs, API Gateway, queue and topic policies, alarms...: their names and ARNs
  resolve as on AWS, nothing runs, and ``stack up`` lists them as not emulated (schedules, and
  rules with only a schedule, as not emulated yet: ``stack fire`` starts what they target);
- refused: nested stacks and serverless applications, whose resources would silently be missing.
Physical names follow CloudFormation's pattern ``<stack>-<LogicalId>-<SUFFIX>`` with a suffix
derived from both names, so a stack brought up twice gets the same names.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from stepflow.stacks.errors import TemplateError

EMULATED = "emulated"
ACCEPTED = "not emulated"
NOT_YET = "not emulated yet"

REFUSED = {
    "AWS::CloudFormation::Stack": "a nested stack's template is fetched from S3 at deploy time",
    "AWS::Serverless::Application": "a serverless application is fetched from the Serverless Application Repository",
}
_EMULATED = ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::Lambda::LayerVersion",
             "AWS::StepFunctions::StateMachine", "AWS::Rekognition::Collection", "AWS::SQS::Queue",
             "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::Events::EventBus", "AWS::Events::Rule")
# Types with no local part yet: schedules run only when ``stack fire`` starts them.
_COMING = ("AWS::Scheduler::",)


@dataclass(frozen=True)
class Names:
    """Where a stack lives: its name, region and account."""

    stack: str
    region: str
    account: str


@dataclass(frozen=True)
class TypeInfo:
    """How one resource type names itself and what its Ref and attributes are."""

    name_property: str | None  # the property that sets the physical name (TableName...)
    service: str
    max_length: int = 64
    lowercase: bool = False

    def physical(self, logical_id: str, properties: dict[str, Any], names: Names) -> str:
        explicit = properties.get(self.name_property) if self.name_property else None
        if isinstance(explicit, str) and explicit:
            return explicit
        suffix = base64.b32encode(hashlib.sha256(f"{names.stack}/{logical_id}".encode()).digest()).decode()[:12]
        room = self.max_length - len(suffix) - 2
        stack, logical = names.stack[: room // 2], logical_id[: room - min(len(names.stack), room // 2)]
        name = f"{stack}-{logical}-{suffix}"
        return name.lower() if self.lowercase else name


_TYPES: dict[str, TypeInfo] = {
    "AWS::DynamoDB::Table": TypeInfo("TableName", "dynamodb", 255),
    "AWS::S3::Bucket": TypeInfo("BucketName", "s3", 63, lowercase=True),
    "AWS::Lambda::Function": TypeInfo("FunctionName", "lambda", 64),
    "AWS::Lambda::LayerVersion": TypeInfo("LayerName", "lambda", 140),
    "AWS::StepFunctions::StateMachine": TypeInfo("StateMachineName", "states", 80),
    "AWS::SQS::Queue": TypeInfo("QueueName", "sqs", 80),
    "AWS::SNS::Topic": TypeInfo("TopicName", "sns", 256),
    "AWS::Events::EventBus": TypeInfo("Name", "events", 256),
    "AWS::Events::Rule": TypeInfo("Name", "events", 64),
    "AWS::IAM::Role": TypeInfo("RoleName", "iam", 64),
    "AWS::Rekognition::Collection": TypeInfo("CollectionId", "rekognition", 255),
    "AWS::Logs::LogGroup": TypeInfo("LogGroupName", "logs", 512),
}


def kind_of(resource_type: str) -> str:
    """``emulated``, ``not emulated`` or ``not emulated yet`` (refused types raise)."""
    if resource_type in REFUSED:
        raise TemplateError(f"{resource_type} is refused: {REFUSED[resource_type]}, which a local stack cannot do")
    if resource_type in _EMULATED:
        return EMULATED
    if resource_type.startswith(_COMING):
        return NOT_YET
    return ACCEPTED


def type_info(resource_type: str) -> TypeInfo:
    service = resource_type.split("::")[1].lower() if resource_type.count("::") == 2 else "custom"
    return _TYPES.get(resource_type, TypeInfo(None, service, 64))


def ref(resource_type: str, physical: str, names: Names) -> str:
    """The resource's ``Ref`` as AWS gives it."""
    region, account = names.region, names.account
    if resource_type == "AWS::StepFunctions::StateMachine":
        return f"arn:aws:states:{region}:{account}:stateMachine:{physical}"
    if resource_type == "AWS::SQS::Queue":
        return f"https://sqs.{region}.amazonaws.com/{account}/{physical}"
    if resource_type == "AWS::SNS::Topic":
        return f"arn:aws:sns:{region}:{account}:{physical}"
    if resource_type == "AWS::Lambda::LayerVersion":
        return f"arn:aws:lambda:{region}:{account}:layer:{physical}:1"
    return physical


def attribute(resource_type: str, name: str, physical: str, names: Names, where: str) -> Any:
    """``Fn::GetAtt`` as AWS gives it; an attribute the type does not have is an error."""
    region, account = names.region, names.account
    arns = {
        "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{region}:{account}:table/{physical}",
        "AWS::S3::Bucket": f"arn:aws:s3:::{physical}",
        "AWS::Lambda::Function": f"arn:aws:lambda:{region}:{account}:function:{physical}",
        "AWS::Lambda::LayerVersion": f"arn:aws:lambda:{region}:{account}:layer:{physical}:1",
        "AWS::StepFunctions::StateMachine": f"arn:aws:states:{region}:{account}:stateMachine:{physical}",
        "AWS::SQS::Queue": f"arn:aws:sqs:{region}:{account}:{physical}",
        "AWS::SNS::Topic": f"arn:aws:sns:{region}:{account}:{physical}",
        "AWS::Events::EventBus": f"arn:aws:events:{region}:{account}:event-bus/{physical}",
        "AWS::Events::Rule": f"arn:aws:events:{region}:{account}:rule/{physical}",
        "AWS::IAM::Role": f"arn:aws:iam::{account}:role/{physical}",
        "AWS::Rekognition::Collection": f"arn:aws:rekognition:{region}:{account}:collection/{physical}",
        "AWS::Logs::LogGroup": f"arn:aws:logs:{region}:{account}:log-group:{physical}:*",
    }
    specific = {
        "AWS::DynamoDB::Table": {"StreamArn": f"{arns['AWS::DynamoDB::Table']}/stream/1970-01-01T00:00:00.000"},
        "AWS::S3::Bucket": {"DomainName": f"{physical}.s3.amazonaws.com",
                            "RegionalDomainName": f"{physical}.s3.{region}.amazonaws.com",
                            "WebsiteURL": f"http://{physical}.s3-website-{region}.amazonaws.com"},
        "AWS::StepFunctions::StateMachine": {"Name": physical},
        "AWS::SQS::Queue": {"QueueName": physical, "QueueUrl": ref("AWS::SQS::Queue", physical, names)},
        "AWS::SNS::Topic": {"TopicName": physical, "TopicArn": ref("AWS::SNS::Topic", physical, names)},
        "AWS::Events::EventBus": {"Name": physical},
        "AWS::IAM::Role": {"RoleId": "AROA" + hashlib.sha256(physical.encode()).hexdigest()[:17].upper()},
    }.get(resource_type, {})
    if name in specific:
        return specific[name]
    if name in ("Arn", "LayerVersionArn") and resource_type in arns:
        return arns[resource_type]
    if resource_type in _TYPES or resource_type in arns:
        raise TemplateError(f"Fn::GetAtt: {resource_type} has no attribute {name!r}", where)
    # An accepted type stepflow has no table for: an ARN-shaped stand-in, as the resource is not emulated.
    service = type_info(resource_type).service
    return f"arn:aws:{service}:{region}:{account}:{resource_type.split('::')[-1].lower()}/{physical}/{name}"
