"""Client: the Step Functions API's operations, response shapes and errors, run locally."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from stepflow.client import Client
from stepflow.testing.mocks import MockConfig

DATA = Path(__file__).parent / "data"
ROLE = "arn:aws:iam::123456789012:role/service-role/LambdaSQSIntegration"
GREET = json.dumps({
    "StartAt": "Greet",
    "States": {
        "Greet": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet", "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 3600, "End": True},
    },
})


def greet(event, context):
    if "name" not in event:
        raise KeyError("name")
    return {"greeting": f"Hello {event['name']}"}


@pytest.fixture
def client():
    client = Client(resources={"greet": greet})
    yield client
    client.close()


@pytest.fixture
def machine_arn(client) -> str:
    return client.create_state_machine(name="Greeter", definition=GREET, roleArn=ROLE)["stateMachineArn"]


def test_code_written_for_boto3_runs_an_execution_to_its_end(client, machine_arn):
    started = client.start_execution(stateMachineArn=machine_arn, name="first", input='{"name": "Ada"}')
    described = client.wait_for_execution(started["executionArn"])

    assert machine_arn == "arn:aws:states:us-east-1:123456789012:stateMachine:Greeter"
    assert started["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:Greeter:first"
    assert isinstance(started["startDate"], datetime) and started["startDate"].tzinfo is not None
    assert described["status"] == "SUCCEEDED"
    assert described["output"] == '{"greeting":"Hello Ada"}'
    assert described["input"] == '{"name": "Ada"}'
    # The one-hour Wait cost no real time: the client's clock is virtual.
    assert (described["stopDate"] - described["startDate"]).total_seconds() == 3600


def test_a_failed_execution_reports_the_lambda_error_and_cause(client, machine_arn):
    execution = client.start_execution(stateMachineArn=machine_arn, input="{}")["executionArn"]

    described = client.wait_for_execution(execution)

    assert (described["status"], described["error"]) == ("FAILED", "KeyError")
    assert json.loads(described["cause"])["errorType"] == "KeyError"
    assert "output" not in described


def test_a_timed_out_execution_is_described_without_error_or_cause_and_redrivable(client):
    definition = json.dumps({"TimeoutSeconds": 1, "StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 5, "End": True}}})
    machine = client.create_state_machine(name="Slow", definition=definition, roleArn=ROLE)["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=machine, input="{}")["executionArn"]

    described = client.wait_for_execution(execution)

    assert described["status"] == "TIMED_OUT"
    assert "error" not in described and "cause" not in described
    assert (described["redriveCount"], described["redriveStatus"]) == (0, "REDRIVABLE")
    assert "redriveStatusReason" not in described


def test_history_pages_reverses_and_leaves_out_data_on_request(client, machine_arn):
    execution = client.start_execution(stateMachineArn=machine_arn, input='{"name": "Ada"}')["executionArn"]
    client.wait_for_execution(execution)

    everything = client.get_execution_history(executionArn=execution)["events"]
    first = client.get_execution_history(executionArn=execution, maxResults=3)
    rest = client.get_execution_history(executionArn=execution, maxResults=100, nextToken=first["nextToken"])
    newest_first = client.get_execution_history(executionArn=execution, reverseOrder=True)["events"]
    bare = client.get_execution_history(executionArn=execution, includeExecutionData=False)["events"]

    assert [e["type"] for e in everything][:3] == ["ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled"]
    assert first["events"] + rest["events"] == everything and "nextToken" not in rest
    assert newest_first == everything[::-1]
    assert "input" not in bare[0]["executionStartedEventDetails"]
    assert bare[0]["executionStartedEventDetails"]["roleArn"] == everything[0]["executionStartedEventDetails"]["roleArn"]


def test_list_executions_newest_first_and_filtered_by_status(client, machine_arn):
    ok = client.start_execution(stateMachineArn=machine_arn, name="ok", input='{"name": "A"}')["executionArn"]
    client.wait_for_execution(ok)
    bad = client.start_execution(stateMachineArn=machine_arn, name="bad", input="{}")["executionArn"]
    client.wait_for_execution(bad)

    listed = client.list_executions(stateMachineArn=machine_arn)["executions"]
    failed = client.list_executions(stateMachineArn=machine_arn, statusFilter="FAILED")["executions"]

    assert [e["name"] for e in listed] == ["bad", "ok"]
    assert set(listed[0]) == {"executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate", "redriveCount"}
    assert [e["name"] for e in failed] == ["bad"]


def test_state_machines_are_described_listed_updated_and_created_idempotently(client, machine_arn):
    again = client.create_state_machine(name="Greeter", definition=GREET, roleArn=ROLE)
    described = client.describe_state_machine(stateMachineArn=machine_arn)

    assert again["stateMachineArn"] == machine_arn
    assert (described["name"], described["status"], described["type"], described["definition"]) == ("Greeter", "ACTIVE", "STANDARD", GREET)
    assert [m["name"] for m in client.list_state_machines()["stateMachines"]] == ["Greeter"]
    with pytest.raises(client.exceptions.StateMachineAlreadyExists):
        client.create_state_machine(name="Greeter", definition=GREET, roleArn="arn:aws:iam::123456789012:role/other")
    client.update_state_machine(stateMachineArn=machine_arn, definition='{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}')
    execution = client.start_execution(stateMachineArn=machine_arn, input='{"x": 1}')["executionArn"]
    assert client.wait_for_execution(execution)["output"] == '{"x":1}'
    client.delete_state_machine(stateMachineArn=machine_arn)
    with pytest.raises(client.exceptions.StateMachineDoesNotExist):
        client.describe_state_machine(stateMachineArn=machine_arn)


def test_the_apis_errors_are_raised_with_aws_codes(client, machine_arn):
    missing = machine_arn.replace("Greeter", "Nope")
    cases = [
        (lambda: client.start_execution(stateMachineArn=missing), "StateMachineDoesNotExist"),
        (lambda: client.start_execution(stateMachineArn=machine_arn, input="{oops"), "InvalidExecutionInput"),
        (lambda: client.start_execution(stateMachineArn=machine_arn, name="has space"), "InvalidName"),
        (lambda: client.describe_execution(executionArn=machine_arn.replace("stateMachine", "execution") + ":none"), "ExecutionDoesNotExist"),
        (lambda: client.describe_execution(executionArn="not-an-arn"), "InvalidArn"),
        (lambda: client.create_state_machine(name="Bad", definition='{"StartAt": "X", "States": {}}', roleArn=ROLE), "InvalidDefinition"),
        (lambda: client.start_sync_execution(stateMachineArn=machine_arn), "StateMachineTypeNotSupported"),
    ]
    for call, code in cases:
        with pytest.raises(getattr(client.exceptions, code)) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == code
        assert str(raised.value).startswith(f"An error occurred ({code}) when calling the ")


def test_start_execution_holds_the_input_to_the_apis_length_and_to_json(client, machine_arn):
    # API reference, StartExecution: input "Length Constraints: Maximum length of 262144"; the
    # message is the API's constraint form (as recorded for 'name' in LocalStack's
    # test_sfn_api_aliasing.snapshot.json), without the value, which the API treats as sensitive.
    fits = '{"name": "' + "x" * (262_144 - 12) + '"}'
    assert len(fits) == 262_144
    client.start_execution(stateMachineArn=machine_arn, input=fits)
    with pytest.raises(client.exceptions.ValidationException) as refused:
        client.start_execution(stateMachineArn=machine_arn, input=fits[:-2] + 'x"}')
    assert refused.value.response["Error"]["Message"] == (
        "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have length less than or equal to 262144")
    for text in ('{"n": 1e999}', '{"n": NaN}', '{"s": "\\udcff"}'):
        with pytest.raises(client.exceptions.InvalidExecutionInput):
            client.start_execution(stateMachineArn=machine_arn, input=text)


def test_an_execution_name_is_reused_only_for_the_same_running_input(client, machine_arn):
    client.start_execution(stateMachineArn=machine_arn, name="once", input='{"name": "A"}')
    client.wait_for_execution(machine_arn.replace(":stateMachine:", ":execution:") + ":once")

    with pytest.raises(client.exceptions.ExecutionAlreadyExists):
        client.start_execution(stateMachineArn=machine_arn, name="once", input='{"name": "A"}')


def test_start_sync_execution_runs_an_express_machine_to_its_result(client):
    arn = client.create_state_machine(name="Quick", definition=GREET, roleArn=ROLE, type="EXPRESS")["stateMachineArn"]

    response = client.start_sync_execution(stateMachineArn=arn, input='{"name": "Bo"}')

    assert (response["status"], response["output"]) == ("SUCCEEDED", '{"greeting":"Hello Bo"}')
    assert response["inputDetails"] == {"included": True}
    assert response["billingDetails"]["billedDurationInMilliseconds"] == 3_600_000


def test_a_test_case_suffix_runs_the_mock_file_as_step_functions_local_does():
    client = Client(mock_config=MockConfig.load(DATA / "MockConfigFile.json"))
    arn = client.create_state_machine(
        name="LambdaSQSIntegration", definition=(DATA / "LambdaSQSIntegration.asl.json").read_text(), roleArn=ROLE
    )["stateMachineArn"]

    execution = client.start_execution(stateMachineArn=f"{arn}#RetryPath", name="retry", input="{}")["executionArn"]
    described = client.wait_for_execution(execution)

    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["MessageId"] == "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
    history = client.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in history].count("TaskFailed") == 3


def test_validate_state_machine_definition_reports_problems_with_locations(client):
    result = client.validate_state_machine_definition(
        definition='{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}'
    )
    ok = client.validate_state_machine_definition(definition=GREET)

    assert result["result"] == "FAIL" and result["truncated"] is False
    assert any(d["location"] == "/States/A/Next" for d in result["diagnostics"])
    assert ok == {"result": "OK", "diagnostics": [], "truncated": False}


def test_test_state_takes_the_apis_parameters(client):
    response = client.test_state(
        definition='{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet", "End": true}',
        roleArn=ROLE, input='{"name": "Cy"}', inspectionLevel="DEBUG",
    )

    assert response["status"] == "SUCCEEDED"
    assert response["output"] == '{"greeting":"Hello Cy"}'
    assert response["inspectionData"]["result"] == '{"greeting":"Hello Cy"}'


def test_describe_state_machine_for_execution_names_the_machine_that_ran(client, machine_arn):
    execution = client.start_execution(stateMachineArn=machine_arn, input='{"name": "A"}')["executionArn"]

    assert client.describe_state_machine_for_execution(executionArn=execution)["stateMachineArn"] == machine_arn


def test_finished_executions_are_saved_to_the_execution_store(stepflow_home):
    from stepflow.store import ExecutionStore

    store = ExecutionStore(stepflow_home)
    client = Client(resources={"greet": greet}, store=store)
    arn = client.create_state_machine(name="Greeter", definition=GREET, roleArn=ROLE)["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=arn, name="kept", input='{"name": "Di"}')["executionArn"]
    client.wait_for_execution(execution)

    saved = store.get(execution)
    assert (saved.status, saved.output) == ("SUCCEEDED", {"greeting": "Hello Di"})
    client.close()


def test_paginators_walk_the_history_page_by_page_as_boto3s_do(client, machine_arn):
    execution = client.start_execution(stateMachineArn=machine_arn, input='{"name": "A"}')["executionArn"]
    client.wait_for_execution(execution)
    everything = client.get_execution_history(executionArn=execution)["events"]

    pages = list(client.get_paginator("get_execution_history").paginate(
        executionArn=execution, PaginationConfig={"PageSize": 4}
    ))
    full = client.get_paginator("list_executions").paginate(stateMachineArn=machine_arn).build_full_result()

    assert [len(p["events"]) for p in pages] == [4, 4, len(everything) - 8]
    assert [e for p in pages for e in p["events"]] == everything
    assert [e["executionArn"] for e in full["executions"]] == [execution]
    with pytest.raises(ValueError, match="cannot be paginated"):
        client.get_paginator("start_execution")


def test_update_map_run_raises_a_running_map_runs_concurrency(stepflow_home):
    """UpdateMapRun (API reference): the new MaxConcurrency applies to the children not started yet."""
    import threading
    import time as clock

    running, release = [0], threading.Event()
    lock = threading.Lock()

    def hold(event, context):
        with lock:
            running[0] += 1
        release.wait(10)
        return event

    arn = "arn:aws:lambda:us-east-1:123456789012:function:hold"
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "T",
                          "States": {"T": {"Type": "Task", "Resource": arn, "End": True}}},
        "End": True}}}
    client = Client(resources={arn: hold})
    machine = client.create_state_machine(name="held", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/r")
    started = client.start_execution(stateMachineArn=machine["stateMachineArn"], input="[1, 2, 3, 4]")

    def until(condition):
        deadline = clock.monotonic() + 10
        while not condition() and clock.monotonic() < deadline:
            clock.sleep(0.01)
        return condition()

    assert until(lambda: running[0] == 1 and client.list_map_runs(executionArn=started["executionArn"])["mapRuns"])
    [map_run] = client.list_map_runs(executionArn=started["executionArn"])["mapRuns"]
    assert client.describe_map_run(mapRunArn=map_run["mapRunArn"])["status"] == "RUNNING"
    client.update_map_run(mapRunArn=map_run["mapRunArn"], maxConcurrency=4)
    assert until(lambda: running[0] == 4)
    release.set()
    assert client.wait_for_execution(started["executionArn"])["status"] == "SUCCEEDED"
    described = client.describe_map_run(mapRunArn=map_run["mapRunArn"])
    assert (described["maxConcurrency"], described["itemCounts"]["succeeded"]) == (4, 4)
    children = client.list_executions(mapRunArn=map_run["mapRunArn"])["executions"]
    assert len(children) == 4 and {c["status"] for c in children} == {"SUCCEEDED"}
    with pytest.raises(client.exceptions.ResourceNotFound):
        client.describe_map_run(mapRunArn=map_run["mapRunArn"] + "0")
