"""boto3 and botocore against a real ``stepflow serve``: a program written for AWS runs unchanged.

botocore validates every request against its own Step Functions model and parses every response
with it, so a wrong field name or type in the server's answers fails these tests.
"""
from __future__ import annotations

import contextlib
import json
import threading
import time

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import ROLE, boto3_client

GREET_ARN = "arn:aws:lambda:us-east-1:123456789012:function:greet"
GREET = json.dumps({"StartAt": "Greet", "States": {"Greet": {"Type": "Task", "Resource": GREET_ARN, "End": True}}})
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"v": 1}, "End": True}}})


def wait_done(sfn, arn: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.02)


def test_create_start_describe_and_history_as_against_aws(sfn):
    arn = sfn.create_state_machine(name="Greeter", definition=GREET, roleArn=ROLE)["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=arn, name="ada", input='{"name": "Ada"}')

    described = wait_done(sfn, started["executionArn"])
    history = sfn.get_execution_history(executionArn=started["executionArn"])["events"]

    assert started["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:Greeter:ada"
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"greeting": "Hello Ada"}
    assert described["startDate"].tzinfo is not None  # botocore parsed the epoch timestamp
    assert [e["type"] for e in history] == [
        "ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded",
    ]
    machine = sfn.describe_state_machine(stateMachineArn=arn)
    assert (machine["name"], machine["type"], machine["roleArn"]) == ("Greeter", "STANDARD", ROLE)
    assert arn in [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]


def test_a_failed_execution_and_the_apis_errors_come_back_as_client_errors(sfn):
    arn = sfn.create_state_machine(name="Greeter2", definition=GREET, roleArn=ROLE)["stateMachineArn"]
    failed = wait_done(sfn, sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"])
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "MissingName", "the input has no name")

    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist) as missing:
        sfn.describe_execution(executionArn=arn.replace("stateMachine", "execution") + ":nope")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.create_state_machine(name="Bad", definition='{"StartAt": "X", "States": {}}', roleArn=ROLE)
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=arn, name=failed["name"], input='{"other": 1}')
    # A value botocore lets through but AWS refuses: the model's enum, in AWS's words.
    with pytest.raises(ClientError) as refused:
        sfn.create_state_machine(name="T", definition=PASS, roleArn=ROLE, type="FAST")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'FAST' at 'type' failed to satisfy constraint: "
        "Member must satisfy enum value set: [STANDARD, EXPRESS]"
    )


def test_start_sync_execution_returns_the_whole_result(sfn):
    arn = sfn.create_state_machine(name="Quick", definition=PASS, roleArn=ROLE, type="EXPRESS")["stateMachineArn"]

    result = sfn.start_sync_execution(stateMachineArn=arn, input="{}")

    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", {"v": 1})
    assert result["billingDetails"]["billedDurationInMilliseconds"] >= 100


def test_history_pages_with_boto3s_paginator_and_reverse_order(sfn):
    arn = sfn.create_state_machine(name="Paged", definition=GREET, roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"name": "B"}')["executionArn"]
    wait_done(sfn, execution)

    pages = list(sfn.get_paginator("get_execution_history").paginate(executionArn=execution, PaginationConfig={"PageSize": 3}))
    newest_first = sfn.get_execution_history(executionArn=execution, reverseOrder=True, includeExecutionData=False)

    assert [len(p["events"]) for p in pages] == [3, 3, 1]
    assert [e["id"] for p in pages for e in p["events"]] == list(range(1, 8))
    assert newest_first["events"][0]["type"] == "ExecutionSucceeded"
    assert "output" not in newest_first["events"][0]["executionSucceededEventDetails"]


def test_versions_and_an_alias_route_executions(sfn):
    arn = sfn.create_state_machine(name="Versioned", definition=PASS, roleArn=ROLE, publish=True)["stateMachineArn"]
    v1 = f"{arn}:1"
    second = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"v": 2}, "End": True}}})
    v2 = sfn.update_state_machine(stateMachineArn=arn, definition=second, publish=True)["stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]

    through_alias = wait_done(sfn, sfn.start_execution(stateMachineArn=alias, input="{}")["executionArn"])
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}])
    after_update = wait_done(sfn, sfn.start_execution(stateMachineArn=alias, input="{}")["executionArn"])

    assert v2 == f"{arn}:2"
    assert [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]] == [v2, v1]
    assert (json.loads(through_alias["output"]), through_alias["stateMachineVersionArn"], through_alias["stateMachineAliasArn"]) == ({"v": 1}, v1, alias)
    assert (json.loads(after_update["output"]), after_update["stateMachineVersionArn"]) == ({"v": 2}, v2)
    assert sfn.describe_state_machine(stateMachineArn=v1)["definition"] == PASS
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["routingConfiguration"] == [{"stateMachineVersionArn": v2, "weight": 100}]
    with pytest.raises(sfn.exceptions.ConflictException):  # AWS: a version an alias routes to stays
        sfn.delete_state_machine_version(stateMachineVersionArn=v2)
    # Publishing an unchanged revision returns the latest version instead of a new one.
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == v2


def test_tags_on_state_machines_and_activities(sfn):
    arn = sfn.create_state_machine(name="Tagged", definition=PASS, roleArn=ROLE, tags=[{"key": "team", "value": "a"}])["stateMachineArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "dev"}, {"key": "team", "value": "b"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["env"])
    activity = sfn.create_activity(name="review")["activityArn"]
    sfn.tag_resource(resourceArn=activity, tags=[{"key": "k", "value": "v"}])

    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "b"}]
    assert sfn.list_tags_for_resource(resourceArn=activity)["tags"] == [{"key": "k", "value": "v"}]
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_tags_for_resource(resourceArn=arn + "-gone")


def test_describe_state_machine_for_execution_and_validate_and_test_state(sfn):
    arn = sfn.create_state_machine(name="ForExecution", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.describe_state_machine_for_execution(executionArn=execution)["definition"] == PASS

    checked = sfn.validate_state_machine_definition(definition='{"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}}')
    assert checked["result"] == "FAIL"
    assert {d["code"] for d in checked["diagnostics"]} >= {"MISSING_TRANSITION_TARGET"}

    tested = sfn.test_state(definition='{"Type": "Pass", "Parameters": {"x.$": "$.a"}, "End": true}', roleArn=ROLE, input='{"a": 5}')
    assert (tested["status"], json.loads(tested["output"])) == ("SUCCEEDED", {"x": 5})


def test_a_long_poll_does_not_hold_up_other_requests(server):
    slow = boto3_client(server.url, read_timeout=90)
    fast = boto3_client(server.url)
    activity = fast.create_activity(name="nobody-sends-work")["activityArn"]

    def poll() -> None:
        with contextlib.suppress(Exception):  # the server may stop first, at the module's end
            slow.get_activity_task(activityArn=activity)

    polling = threading.Thread(target=poll, daemon=True)
    polling.start()
    time.sleep(0.2)

    began = time.monotonic()
    for _ in range(20):
        fast.list_state_machines()
    assert time.monotonic() - began < 5.0  # 20 calls answered while the poll waits (it waits 60 s)
    assert polling.is_alive()


def test_activity_worker_gets_the_task_and_answers_it(sfn):
    activity = sfn.create_activity(name="approve")["activityArn"]
    definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": activity, "End": True}}})
    arn = sfn.create_state_machine(name="Approvals", definition=definition, roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": 7}')["executionArn"]

    task = sfn.get_activity_task(activityArn=activity, workerName="w1")
    sfn.send_task_success(taskToken=task["taskToken"], output='{"approved": true}')

    assert json.loads(task["input"]) == {"order": 7}
    assert json.loads(wait_done(sfn, execution)["output"]) == {"approved": True}


def test_stop_execution_aborts_a_waiting_run(sfn):
    definition = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}})
    arn = sfn.create_state_machine(name="Waits", definition=definition, roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]

    sfn.stop_execution(executionArn=execution, error="Operator", cause="stopped by hand")

    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Operator", "stopped by hand")
    listed = sfn.list_executions(stateMachineArn=arn, statusFilter="ABORTED")["executions"]
    assert [e["executionArn"] for e in listed] == [execution]


def test_redrive_goes_on_from_the_failed_state_without_rerunning_what_succeeded(sfn):
    """AWS CLI reference, redrive-execution: the execution continues from the unsuccessful step
    with the same input, keeps the history of the successful steps and its ARN."""
    flaky = "arn:aws:lambda:us-east-1:123456789012:function:flaky"
    definition = json.dumps({"StartAt": "Prepare", "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"id.$": "$.id"}, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": flaky, "End": True},
    }})
    arn = sfn.create_state_machine(name="Redriven", definition=definition, roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"id": "r1"}')["executionArn"]
    failed = wait_done(sfn, execution)
    assert (failed["status"], failed["redriveCount"], failed["redriveStatus"]) == ("FAILED", 0, "REDRIVABLE")

    redriven = sfn.redrive_execution(executionArn=execution, clientToken="retry-safe")
    again = sfn.redrive_execution(executionArn=execution, clientToken="retry-safe")  # an SDK's retry
    done = wait_done(sfn, execution)
    events = sfn.get_execution_history(executionArn=execution)["events"]

    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"id": "r1", "attempt": 2})
    assert (done["redriveCount"], done["redriveDate"]) == (1, redriven["redriveDate"])
    assert again["redriveDate"] == redriven["redriveDate"]
    listed = sfn.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")["executions"]
    assert [(e["executionArn"], e["redriveCount"]) for e in listed] == [(execution, 1)]
    assert sfn.list_executions(stateMachineArn=arn, redriveFilter="NOT_REDRIVEN")["executions"] == []
    types = [e["type"] for e in events]
    failed_at = types.index("ExecutionFailed")
    assert types[failed_at + 1] == "ExecutionRedriven"
    assert events[failed_at + 1]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert types.count("PassStateEntered") == 1  # Prepare succeeded the first time: not run again
    assert types[failed_at + 2:] == [
        "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded",
        "TaskStateExited", "ExecutionSucceeded",
    ]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=execution)


def test_a_worker_that_hangs_up_during_a_long_poll_is_not_handed_the_task(server, sfn):
    import socket

    activity = sfn.create_activity(name="hang-up")["activityArn"]
    body = json.dumps({"activityArn": activity, "workerName": "gone"})
    with socket.create_connection(("127.0.0.1", server.port)) as gone:
        gone.sendall(
            f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nX-Amz-Target: AWSStepFunctions.GetActivityTask\r\n"
            f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode()
        )
        time.sleep(0.3)  # the poll is waiting; then the worker goes away
    time.sleep(1.5)  # past one poll slice: the server has noticed
    definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": activity, "End": True}}})
    arn = sfn.create_state_machine(name="HangUp", definition=definition, roleArn=ROLE)["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn, input='{"n": 1}')

    task = sfn.get_activity_task(activityArn=activity, workerName="present")

    assert json.loads(task["input"]) == {"n": 1}  # the worker still there got it


def test_concurrent_clients_each_get_their_own_answers(server, sfn):
    from concurrent.futures import ThreadPoolExecutor

    arn = sfn.create_state_machine(name="Concurrent", definition=GREET, roleArn=ROLE)["stateMachineArn"]

    def one(n: int) -> tuple[str, dict]:
        client = boto3_client(server.url)
        started = client.start_execution(stateMachineArn=arn, name=f"c{n}", input=json.dumps({"name": f"n{n}"}))
        return started["executionArn"], wait_done(client, started["executionArn"])

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(32)))

    assert [json.loads(d["output"]) for _, d in results] == [{"greeting": f"Hello n{n}"} for n in range(32)]
    assert len(sfn.list_executions(stateMachineArn=arn, maxResults=100)["executions"]) == 32
