"""What stack up creates, reports and removes; several stacks at once."""
from __future__ import annotations

import pytest

from stepflow.services.buckets import Buckets
from stepflow.services.queues import Queues
from stepflow.services.tables import Tables
from stepflow.stacks import Stack, TemplateError

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: sk, AttributeType: N}]
  Simple: {Type: AWS::Serverless::SimpleTable}
  Uploads: {Type: AWS::S3::Bucket}
  Role: {Type: AWS::IAM::Role}
  Logs: {Type: AWS::Logs::LogGroup}
  Api: {Type: AWS::Serverless::Api, Properties: {StageName: Prod}}
  Queue: {Type: AWS::SQS::Queue}
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: orders}}
"""


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "shop" / "template.yaml"
    path.parent.mkdir()
    path.write_text(TEMPLATE)
    return path


def test_tables_and_buckets_are_created_with_the_templates_keys(template, stepflow_home):
    stack = Stack.from_template(template)
    names = {row["LogicalResourceId"]: row["PhysicalResourceId"] for row in stack.resources}
    tables = Tables(stepflow_home)
    orders = tables.schema(names["Orders"])
    assert (orders.hash_key, orders.range_key, orders.range_type) == ("pk", "sk", "N")
    assert tables.schema(names["Simple"]).hash_key == "id"  # SimpleTable's default PrimaryKey
    assert Buckets(stepflow_home).exists(names["Uploads"])


def test_everything_else_is_listed_not_silently_dropped(template, stepflow_home):
    status = {row["LogicalResourceId"]: row["Status"] for row in Stack.from_template(template).resources}
    assert status == {
        "Orders": "emulated", "Simple": "emulated", "Uploads": "emulated", "Role": "not emulated",
        "Logs": "not emulated", "Api": "not emulated", "Queue": "emulated", "Bus": "emulated",
    }


def test_down_removes_exactly_what_up_created(template, tmp_path, stepflow_home):
    Tables(stepflow_home).create("kept", "id")
    first = Stack.from_template(template)
    other = tmp_path / "other" / "template.yaml"
    other.parent.mkdir()
    other.write_text(TEMPLATE)
    second = Stack.from_template(other)
    assert {s["StackName"] for s in Stack.list()} == {"shop", "other"}
    first_names = {row["PhysicalResourceId"] for row in first.resources}
    Stack.named("shop").down()
    remaining = set(Tables(stepflow_home).names()) | set(Buckets(stepflow_home).names()) | set(Queues(stepflow_home).names())
    assert not remaining & first_names
    stored = {row["PhysicalResourceId"] for row in second.resources
              if row["Status"] == "emulated" and row["ResourceType"] != "AWS::Events::EventBus"}  # a bus is only a name
    assert stored <= remaining
    assert "kept" in remaining
    assert [s["StackName"] for s in Stack.list()] == ["other"]


def test_up_twice_is_idempotent_and_keeps_items(template, stepflow_home):
    stack = Stack.from_template(template)
    table = next(r["PhysicalResourceId"] for r in stack.resources if r["LogicalResourceId"] == "Simple")
    Tables(stepflow_home).put_item(table, {"id": "1"})
    Stack.from_template(template)
    assert Tables(stepflow_home).scan(table) == [{"id": "1"}]


def test_nested_stacks_are_refused_by_name(tmp_path, stepflow_home):
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  Child: {Type: AWS::CloudFormation::Stack, Properties: {TemplateURL: x}}\n")
    with pytest.raises(TemplateError, match=r"Resources.Child: AWS::CloudFormation::Stack is refused"):
        Stack.from_template(path)


SCHEDULED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
      Events:
        Hourly: {Type: Schedule, Properties: {Schedule: rate(1 hour), Enabled: false}}
        Nightly: {Type: Schedule, Properties: {Schedule: "cron(0 2 * * ? *)", Input: '{"batch": "nightly"}'}}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(5 minutes)
      Targets: [{Id: m, Arn: !Ref Machine}]
"""


def test_schedules_are_listed_and_fire_the_state_machine_as_eventbridge_would(tmp_path, template_stack):
    path = tmp_path / "t.yaml"
    path.write_text(SCHEDULED)
    stack = template_stack(path, name="timed")
    notes = {row["LogicalResourceId"]: row.get("Note") for row in stack.resources}
    assert notes["MachineHourly"] == "starts Machine: stepflow stack fire timed MachineHourly"
    (scheduled,) = stack.fire("MachineHourly")
    # EventBridge's scheduled event (EventBridge User Guide, "Creating a rule that runs on a schedule").
    assert scheduled.output["detail-type"] == "Scheduled Event" and scheduled.output["source"] == "aws.events"
    assert scheduled.output["resources"] == [stack.record["Rules"]["MachineHourly"]["Arn"]]
    assert scheduled.output["detail"] == {}
    assert stack.fire("MachineNightly")[0].output == {"batch": "nightly"}  # the target's Input instead
    assert stack.fire("Rule")[0].output["detail-type"] == "Scheduled Event"
    with pytest.raises(TemplateError, match="no rule or schedule 'Nope'.*MachineHourly, MachineNightly, Rule"):
        stack.fire("Nope")
