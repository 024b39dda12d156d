"""Intrinsic functions, conditions, mappings and parameters resolve as CloudFormation resolves them
(CloudFormation User Guide, "Intrinsic function reference" and "Pseudo parameters reference")."""
from __future__ import annotations

import pytest

from stepflow.stacks import Stack, TemplateError

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Names: {Type: CommaDelimitedList, Default: "a,b,c"}
Mappings:
  Sizes: {dev: {Memory: 128}, prod: {Memory: 1024}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition NotProd, !Or [!Equals [a, a], !Equals [a, b]]]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-orders"
      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: sk, AttributeType: N}]
  Bucket: {Type: AWS::S3::Bucket}
  ProdOnly: {Type: AWS::S3::Bucket, Condition: IsProd}
  Queue: {Type: AWS::SQS::Queue}
  Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
Outputs:
  TableName: {Value: !Ref Table}
  TableArn: {Value: !GetAtt Table.Arn}
  BucketArn: {Value: !GetAtt [Bucket, Arn]}
  QueueUrl: {Value: !Ref Queue}
  TopicArn: {Value: !Ref Topic}
  Sub: {Value: !Sub ["${Table}|${Table.Arn}|${X}|${!Literal}|${AWS::Region}|${AWS::AccountId}", {X: !Ref Env}]}
  Join: {Value: !Join ["-", [!Select [1, !Ref Names], !Select [0, !Split [",", "x,y"]]]]}
  Size: {Value: !FindInMap [Sizes, !Ref Env, Memory]}
  Choice: {Value: !If [IsProd, big, small]}
  Both: {Value: !If [Both, "yes", "no"]}
  Partition: {Value: !Sub "arn:${AWS::Partition}:states:::dynamodb:putItem"}
  OnlyInProd: {Value: !Ref ProdOnly, Condition: IsProd}
  Exported: {Value: !Ref Table, Export: {Name: !Sub "${AWS::StackName}:Table"}}
"""


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "app" / "template.yaml"
    path.parent.mkdir()
    path.write_text(TEMPLATE)
    return path


def test_every_intrinsic_resolves_as_cloudformation_does(template, stepflow_home):
    outputs = Stack.from_template(template).outputs
    assert outputs["TableName"] == "app-orders"
    assert outputs["TableArn"] == "arn:aws:dynamodb:us-east-1:123456789012:table/app-orders"
    assert outputs["BucketArn"].startswith("arn:aws:s3:::app-bucket-")
    assert outputs["QueueUrl"].startswith("https://sqs.us-east-1.amazonaws.com/123456789012/app-Queue-")
    assert outputs["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:alerts"
    assert outputs["Sub"] == (
        "app-orders|arn:aws:dynamodb:us-east-1:123456789012:table/app-orders|dev|${Literal}|us-east-1|123456789012"
    )
    assert outputs["Join"] == "b-x"
    assert outputs["Size"] == 128
    assert outputs["Choice"] == "small"
    assert outputs["Both"] == "yes"
    assert outputs["Partition"] == "arn:aws:states:::dynamodb:putItem"
    assert "OnlyInProd" not in outputs


def test_parameter_overrides_change_conditions_and_mappings(template, stepflow_home):
    outputs = Stack.from_template(template, {"Env": "prod"}).outputs
    assert (outputs["Size"], outputs["Choice"], outputs["Both"]) == (1024, "big", "no")
    assert outputs["OnlyInProd"].startswith("app-prodonly-")


def test_a_parameter_without_default_or_value_is_named(tmp_path, stepflow_home):
    path = tmp_path / "t.yaml"
    path.write_text("Parameters:\n  Needed: {Type: String}\nResources:\n  B: {Type: AWS::S3::Bucket}\n")
    with pytest.raises(TemplateError, match=r"parameter 'Needed' has no Default and no value: pass --parameter Needed=VALUE"):
        Stack.from_template(path)


def test_a_value_outside_allowed_values_and_an_unknown_parameter_are_refused(template, stepflow_home):
    with pytest.raises(TemplateError, match="must be one of"):
        Stack.from_template(template, {"Env": "staging"})
    with pytest.raises(TemplateError, match="declares no such parameter"):
        Stack.from_template(template, {"Nope": "x"})


def test_import_value_reads_another_stacks_export(template, tmp_path, stepflow_home):
    Stack.from_template(template)
    other = tmp_path / "consumer.yaml"
    other.write_text("Resources:\n  B: {Type: AWS::S3::Bucket}\nOutputs:\n  Imported: {Value: !ImportValue 'app:Table'}\n")
    assert Stack.from_template(other, name="consumer").outputs["Imported"] == "app-orders"
    missing = tmp_path / "missing.yaml"
    missing.write_text("Resources:\n  B: {Type: AWS::S3::Bucket}\nOutputs:\n  I: {Value: !ImportValue nope}\n")
    with pytest.raises(TemplateError, match="no stack that is up exports it"):
        Stack.from_template(missing, name="missing")


def test_a_ref_to_nothing_is_an_error_naming_the_place(tmp_path, stepflow_home):
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref Nope}}\n")
    with pytest.raises(TemplateError, match=r"Resources.B.*Ref 'Nope'"):
        Stack.from_template(path)
