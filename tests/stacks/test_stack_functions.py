"""Functions run from their own folders, isolated, with Lambda's environment; the traps each tested."""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from stepflow.stacks import Stack, TemplateError

MACHINE = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${A}", "Next": "B"},
                                       "B": {"Type": "Task", "Resource": "${B}", "End": True}}}


def project(tmp_path, functions: dict[str, tuple[str, str, str]], extra: str = "") -> Path:
    """A SAM project: functions {LogicalId: (folder, runtime, code)} chained A -> B by a state machine."""
    root = tmp_path / "proj"
    resources = []
    for logical_id, (folder, runtime, code) in functions.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        name = "app.mjs" if runtime.startswith("nodejs") else "app.py"
        (root / folder / name).write_text(textwrap.dedent(code))
        handler = "app.handler"
        resources.append(f"""
  {logical_id}:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: {folder}/, Handler: {handler}, Runtime: {runtime},
                 Environment: {{Variables: {{WHO: {logical_id}, TABLE: !Ref Table, BUCKET: !Ref Bucket}}}}}}""")
    (root / "machine.asl.json").write_text(json.dumps(MACHINE))
    (root / "template.yaml").write_text(f"""
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {{Timeout: 10}}
Resources:
  Table: {{Type: AWS::Serverless::SimpleTable}}
  Bucket: {{Type: AWS::S3::Bucket}}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: machine.asl.json
      DefinitionSubstitutions: {{A: !GetAtt A.Arn, B: !GetAtt B.Arn}}
{"".join(resources)}
{extra}""")
    return root / "template.yaml"


ECHO = """
import os, sys
import sibling

def handler(event, context):
    return {**event, os.environ["WHO"]: [sibling.NAME, os.environ["AWS_LAMBDA_FUNCTION_NAME"] == context.function_name,
            os.environ["AWS_REGION"], sys.path[0].endswith(os.environ["WHO"].lower())]}
"""


def test_two_app_py_with_their_own_sibling_module_and_environment_do_not_share_anything(tmp_path, template_stack):
    path = project(tmp_path, {"A": ("a", "python3.12", ECHO), "B": ("b", "python3.12", ECHO)})
    (path.parent / "a" / "sibling.py").write_text("NAME = 'sibling of a'\n")
    (path.parent / "b" / "sibling.py").write_text("NAME = 'sibling of b'\n")
    execution = template_stack(path).state_machine().run({})
    assert execution.output == {"A": ["sibling of a", True, "us-east-1", True], "B": ["sibling of b", True, "us-east-1", True]}


BOTO = """
import os, boto3

def handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
    table.put_item(Item={"id": "k1", "n": 3, "tags": ["x"]})
    s3 = boto3.client("s3")
    s3.put_object(Bucket=os.environ["BUCKET"], Key="report.txt", Body=b"hello")
    body = s3.get_object(Bucket=os.environ["BUCKET"], Key="report.txt")["Body"].read().decode()
    try:
        boto3.client("dynamodb").get_item(TableName="missing", Key={"id": {"S": "x"}})
    except boto3.client("dynamodb").exceptions.ResourceNotFoundException as error:
        missing = error.response["Error"]["Code"]
    return {"item": {k: str(v) for k, v in table.get_item(Key={"id": "k1"})["Item"].items()}, "body": body, "missing": missing}
"""
SQS = """
import boto3

def handler(event, context):
    boto3.client("kinesis").list_streams()
"""


def test_boto3_reaches_the_local_table_and_bucket_and_other_services_are_named(tmp_path, template_stack, stepflow_home):
    pytest.importorskip("boto3")
    path = project(tmp_path, {"A": ("a", "python3.12", BOTO), "B": ("b", "python3.12", SQS)})
    stack = template_stack(path)
    execution = stack.state_machine().run({})
    assert execution.status == "FAILED"
    assert execution.error == "ServiceNotEmulated"
    cause = json.loads(execution.cause)["errorMessage"]
    assert "function proj-B-" in cause and "kinesis ListStreams" in cause and "AWS_ENDPOINT_URL_KINESIS" in cause
    a_result = next(step for step in execution.steps if step.name == "A")
    assert a_result.output["item"] == {"id": "k1", "n": "3", "tags": "['x']"}
    assert a_result.output["body"] == "hello" and a_result.output["missing"] == "ResourceNotFoundException"


MESSAGING = """
import json, os, boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=os.environ["QUEUE"])["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="direct")
    boto3.client("sns").publish(TopicArn=os.environ["TOPIC"], Message="fanned out")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    for message in received:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sent = boto3.client("events").put_events(Entries=[
        {"Source": "shop", "DetailType": "order", "Detail": json.dumps({"id": 1})}])
    try:
        sqs.get_queue_url(QueueName="missing")
    except sqs.exceptions.QueueDoesNotExist as error:
        missing = error.response["Error"]["Code"]
    bodies = [m["Body"] if m["Body"] == "direct" else json.loads(m["Body"])["Message"] for m in received]
    return {"bodies": bodies, "failed": sent["FailedEntryCount"], "missing": missing}
"""


def test_boto3_reaches_the_local_queues_topics_and_bus(tmp_path, template_stack):
    pytest.importorskip("boto3")
    path = project(tmp_path, {"A": ("a", "python3.12", MESSAGING), "B": ("b", "python3.12", ECHO)}, extra="""
  Queue: {Type: AWS::SQS::Queue}
  Topic:
    Type: AWS::SNS::Topic
    Properties: {Subscription: [{Protocol: sqs, Endpoint: !GetAtt Queue.Arn}]}
""")
    text = path.read_text().replace("TABLE: !Ref Table,", "TABLE: !Ref Table, QUEUE: !GetAtt Queue.QueueName, TOPIC: !Ref Topic,")
    path.write_text(text)
    (path.parent / "b" / "sibling.py").write_text("NAME = 'b'\n")
    execution = template_stack(path).state_machine().run({})
    a_result = next(step for step in execution.steps if step.name == "A")
    assert a_result.status == "SUCCEEDED", (a_result.error, a_result.cause)
    assert a_result.output == {"bodies": ["direct", "fanned out"], "failed": 0,
                               "missing": "QueueDoesNotExist"}


NODE = """
export const handler = async (event, context) => {
  console.log("a log line on stdout", JSON.stringify(event));
  process.stdout.write("{\\"not\\": \\"the result\\"}\\n");
  return { ...event, node: context.functionName.startsWith("proj-") };
};
"""


def test_a_node_handler_that_logs_to_stdout_still_returns_its_result(tmp_path, template_stack, capfd):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    path = project(tmp_path, {"A": ("a", "nodejs20.x", NODE), "B": ("b", "nodejs20.x", NODE)})
    execution = template_stack(path).state_machine().run({"x": 1})
    assert execution.output == {"x": 1, "node": True}
    assert "a log line on stdout" in capfd.readouterr().err  # logs go to stderr, as CloudWatch would hold them


def test_a_missing_import_names_the_function_and_its_requirements(tmp_path, template_stack):
    path = project(tmp_path, {"A": ("a", "python3.12", "import not_installed_pkg\ndef handler(e, c): pass\n"),
                              "B": ("b", "python3.12", ECHO)})
    (path.parent / "a" / "requirements.txt").write_text("not_installed_pkg\n")
    execution = template_stack(path).state_machine().run({})
    assert execution.error == "Runtime.ImportModuleError"
    message = json.loads(execution.cause)["errorMessage"]
    assert message.startswith("Unable to import module 'app': No module named 'not_installed_pkg'")
    assert "function A" in message and "pip install -r" in message and "a/requirements.txt" in message


def test_other_runtimes_inline_code_and_images_are_reported_by_name(tmp_path, template_stack):
    path = project(tmp_path, {"A": ("a", "java21", ""), "B": ("b", "python3.12", ECHO)}, extra="""
  Inline:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.12, Handler: index.handler, Role: x, Code: {ZipFile: "def handler(e, c): pass"}}
  Image:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: repo/image:1}
""")
    stack = template_stack(path)
    notes = {row["LogicalResourceId"]: row.get("Note", "") for row in stack.resources}
    assert "runtime java21 is not run by stepflow" in notes["A"]
    assert "inline (ZipFile)" in notes["Inline"] and "container image" in notes["Image"]
    execution = stack.state_machine().run({})
    assert execution.error == "stepflow.FunctionNotRunnable"
    assert "function A (" in execution.cause and "Resources.A" in execution.cause


def test_a_definition_uri_whose_case_differs_from_the_disk_is_refused_with_the_near_match(tmp_path, stepflow_home):
    path = project(tmp_path, {"A": ("a", "python3.12", ECHO), "B": ("b", "python3.12", ECHO)})
    path.write_text(path.read_text().replace("DefinitionUri: machine.asl.json", "DefinitionUri: Machine.asl.json"))
    with pytest.raises(TemplateError, match=r"no 'Machine.asl.json' .*did you mean 'machine.asl.json'"):
        Stack.from_template(path)


def test_a_function_past_its_timeout_fails_as_lambda_reports_it(tmp_path, template_stack):
    slow = "import time\ndef handler(e, c):\n    time.sleep(5)\n"
    path = project(tmp_path, {"A": ("a", "python3.12", slow), "B": ("b", "python3.12", ECHO)})
    path.write_text(path.read_text().replace("Timeout: 10", "Timeout: 1"))
    execution = template_stack(path).state_machine().run({})
    assert execution.error == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in execution.cause
