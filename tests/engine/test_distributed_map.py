"""Distributed Map behaviour: child executions, tolerated failures, concurrency, stop and timeout,
ResultWriter files, and the same outcomes on threads and on worker processes.

Evidence for AWS's behaviour: the developer guide ("Distributed Map state", "ItemReader",
"ItemBatcher", "ResultWriter", "Tolerated failure threshold": the default threshold is 0 and
exceeding it fails the Map Run with States.ExceedToleratedFailureThreshold) and the recordings
quoted in tests/conformance/test_distributed_map.py.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from maprun_handlers import ARN, RESOURCES, task_map
from stepflow import RealClock, StateMachine
from stepflow.engine.execution import StopRequest
from stepflow.engine.maprun.child import NotShippable
from stepflow.services.buckets import Buckets

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def distributed(processor: dict = PASS, **fields) -> dict:
    return {
        "StartAt": "Map",
        "States": {
            "Map": {
                "Type": "Map",
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, **processor},
                **fields,
                "End": True,
            }
        },
    }


def types(execution) -> list[str]:
    return [event["type"] for event in execution.history]


def test_each_child_is_an_execution_of_its_own():
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
        "execution.$": "$$.Execution", "machine.$": "$$.StateMachine"}, "End": True}}}
    execution = StateMachine(distributed(processor, Label="Enroll"), name="batch").run(["a", "b"])
    first, second = execution.output
    prefix = "arn:aws:states:us-east-1:123456789012:execution:batch/Enroll:"
    assert first["execution"]["Id"] == prefix + first["execution"]["Name"]
    assert first["execution"]["Id"] != second["execution"]["Id"]
    assert [first["execution"]["Input"], second["execution"]["Input"]] == ["a", "b"]
    assert first["machine"] == {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:batch/Enroll", "Name": "batch/Enroll"}
    [map_run] = execution.map_runs
    assert [child.execution_arn for child in sorted(map_run.children, key=lambda c: c.name)] == sorted(
        [first["execution"]["Id"], second["execution"]["Id"]]
    )


def test_a_failed_child_fails_the_map_run_by_default():
    execution = StateMachine(task_map("fail_odd"), resources=RESOURCES).run([2, 3, 4])
    assert (execution.status, execution.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert execution.cause == "The specified tolerated failure threshold was exceeded"
    assert types(execution)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    assert execution.map_runs[0].status == "FAILED"


def test_tolerated_failures_keep_the_map_run_going_and_output_their_errors():
    machine = StateMachine(task_map("fail_odd", ToleratedFailureCount=1), resources=RESOURCES)
    execution = machine.run([2, 3, 4])
    assert execution.status == "SUCCEEDED"
    assert execution.output == [2, {"Error": "OddItem", "Cause": "3 is odd"}, 4]
    counts = execution.map_runs[0].describe()["itemCounts"]
    assert (counts["succeeded"], counts["failed"], counts["total"]) == (2, 1, 3)
    assert StateMachine(task_map("fail_odd", ToleratedFailureCount=1), resources=RESOURCES).run([1, 3]).status == "FAILED"


@pytest.mark.parametrize("items, status", [([1, 2, 3, 4], "SUCCEEDED"), ([1, 3, 5, 4], "FAILED")])
def test_tolerated_failure_percentage_is_judged_on_all_items(items, status):
    machine = StateMachine(task_map("fail_odd", ToleratedFailurePercentagePath="$.p", ItemsPath="$.items"),
                           resources=RESOURCES)
    assert machine.run({"items": items, "p": 50}).status == status


def test_max_concurrency_bounds_the_children_running_at_once():
    running, peak, lock = [0], [0], threading.Lock()

    def slow(event, context):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return event

    machine = StateMachine(task_map("slow", MaxConcurrency=3), resources={ARN("slow"): slow}, clock=RealClock())
    execution = machine.run(list(range(12)))
    assert execution.output == list(range(12))
    assert peak[0] == 3


def test_stopping_the_execution_aborts_the_map_run_and_its_children():
    started = threading.Event()

    def wait(event, context):
        started.set()
        time.sleep(0.05)
        return event

    processor = {"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": ARN("wait"), "Next": "Later"},
        "Later": {"Type": "Wait", "Seconds": 30, "End": True}}}
    machine = StateMachine(distributed(processor, MaxConcurrency=2), resources={ARN("wait"): wait}, clock=RealClock())
    stop = StopRequest()
    threading.Thread(target=lambda: (started.wait(5), stop.stop("Stopped", "by the test"))).start()
    begun = time.monotonic()
    execution = machine.run(list(range(10)), stop=stop)
    assert execution.status == "ABORTED"
    assert time.monotonic() - begun < 5
    assert "MapRunAborted" in types(execution)
    counts = execution.map_runs[0].describe()["executionCounts"]
    assert counts["running"] == 0 and counts["succeeded"] == 0
    assert counts["aborted"] + counts["pending"] == counts["total"] == 2


def test_the_execution_timeout_holds_while_children_run():
    processor = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}}
    definition = {**distributed(processor), "TimeoutSeconds": 10}
    execution = StateMachine(definition).run([1, 2])
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")


def test_result_writer_files_as_aws_writes_them(stepflow_home: Path):
    buckets = Buckets(stepflow_home)
    buckets.create("results")
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "results", "Prefix": "runs"}}
    execution = StateMachine(task_map("fail_odd", ToleratedFailureCount=5, ResultWriter=writer),
                             resources=RESOURCES).run([2, 3, 4])
    manifest_key = execution.output["ResultWriterDetails"]["Key"]
    manifest = json.loads(buckets.get("results", manifest_key))
    folder = manifest_key.removesuffix("manifest.json")
    assert manifest["ResultFiles"]["PENDING"] == []
    [succeeded_file] = manifest["ResultFiles"]["SUCCEEDED"]
    [failed_file] = manifest["ResultFiles"]["FAILED"]
    assert succeeded_file["Key"] == folder + "SUCCEEDED_0.json"
    succeeded = json.loads(buckets.get("results", succeeded_file["Key"]))
    assert succeeded_file["Size"] == len(buckets.get("results", succeeded_file["Key"]))
    assert sorted(json.loads(entry["Output"]) for entry in succeeded) == [2, 4]
    assert {entry["Status"] for entry in succeeded} == {"SUCCEEDED"}
    assert {"ExecutionArn", "Input", "Name", "StartDate", "StopDate", "StateMachineArn"} <= set(succeeded[0])
    [failed] = json.loads(buckets.get("results", failed_file["Key"]))
    assert (failed["Status"], failed["Error"], failed["Cause"], failed["Input"]) == ("FAILED", "OddItem", "3 is odd", "3")


def test_writer_config_compact_jsonl_and_flatten(stepflow_home: Path):
    buckets = Buckets(stepflow_home)
    buckets.create("results")
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"pair.$": "States.Array($, $)"},
                                                  "OutputPath": "$.pair", "End": True}}}
    flatten = StateMachine(distributed(processor, ResultWriter={"WriterConfig": {"Transformation": "FLATTEN"}}))
    assert flatten.run([1, 2]).output == [1, 1, 2, 2]
    exported = StateMachine(distributed(processor, ResultWriter={
        "Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "results", "Prefix": ""},
        "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}})).run([1, 2])
    key = exported.output["ResultWriterDetails"]["Key"].replace("manifest.json", "SUCCEEDED_0.json")
    lines = buckets.get("results", key).decode().splitlines()
    assert sorted(json.loads(line) for line in lines) == [[1, 1], [2, 2]]


def test_a_missing_result_bucket_is_a_result_writer_failure(stepflow_home: Path):
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "nowhere", "Prefix": "p"}}
    execution = StateMachine(distributed(ResultWriter=writer)).run([1])
    assert execution.error == "States.ResultWriterFailed"
    assert "nowhere" in execution.cause


def test_children_on_worker_processes_match_threads(stepflow_home: Path):
    buckets = Buckets(stepflow_home)
    buckets.create("inputs")
    for name in ("a", "b", "c"):
        buckets.put("inputs", f"{name}.txt", name.encode())
    definition = task_map("read_object", ItemReader={
        "Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "inputs"}})
    threads = StateMachine(definition, resources=RESOURCES).run({})
    processes = StateMachine(definition, resources=RESOURCES, map_executor="processes:2")
    try:
        shipped = processes.run({})
    finally:
        processes.close()
    assert [o["text"] for o in shipped.output] == [o["text"] for o in threads.output] == ["a", "b", "c"]
    assert {o["pid"] for o in shipped.output}.isdisjoint({o["pid"] for o in threads.output})


def test_a_handler_that_cannot_leave_the_process_is_named():
    with pytest.raises(NotShippable, match="function:inline"):
        StateMachine(task_map("inline"), resources={ARN("inline"): lambda event, context: event},
                     map_executor="processes:1")


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed", reason="Dask children need the dask extra")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_children_on_a_dask_cluster_match_threads(stepflow_home: Path, dask_cluster):
    buckets = Buckets(stepflow_home)
    buckets.create("inputs")
    for name in ("a", "b", "c", "d"):
        buckets.put("inputs", f"{name}.txt", name.encode())
    definition = task_map("read_object", MaxConcurrency=2, ItemReader={
        "Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "inputs"}})
    threads = StateMachine(definition, resources=RESOURCES).run({})
    on_dask = StateMachine(definition, resources=RESOURCES, map_executor=dask_cluster).run({})
    assert [o["text"] for o in on_dask.output] == [o["text"] for o in threads.output] == ["a", "b", "c", "d"]
    assert len({o["pid"] for o in on_dask.output}) == 2  # both workers took children
    failing = StateMachine(task_map("fail_odd", ToleratedFailureCount=1), resources=RESOURCES, map_executor=dask_cluster)
    assert failing.run([2, 3, 4]).output == [2, {"Error": "OddItem", "Cause": "3 is odd"}, 4]
    assert failing.run([1, 3, 4]).error == "States.ExceedToleratedFailureThreshold"


def test_the_developer_guides_csv_example_runs_unchanged(stepflow_home: Path):
    """The developer guide's Distributed Map tutorial ("Copy large-scale CSV data using Distributed
    Map"): ratings.csv read with FIRST_ROW headers, batches of 10 to a Lambda through
    lambda:invoke, results exported under csvProcessJobs."""
    buckets = Buckets(stepflow_home)
    for bucket in ("amzn-s3-demo-bucket", "amzn-s3-demo-destination-bucket"):
        buckets.create(bucket)
    rows = "".join(f"{user},{movie},{(user + movie) % 5 + 1},2023-01-0{movie % 9 + 1}\n" for user in range(5) for movie in range(5))
    buckets.put("amzn-s3-demo-bucket", "csvDataset/ratings.csv", ("userId,movieId,rating,timestamp\n" + rows).encode())
    function = "arn:aws:lambda:us-east-1:123456789012:function:ratings"
    definition = {
        "Comment": "Using Map state in Distributed mode",
        "StartAt": "Map",
        "States": {"Map": {
            "Type": "Map",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Lambda Invoke",
                "States": {"Lambda Invoke": {
                    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
                    "Parameters": {"Payload.$": "$", "FunctionName": function}, "End": True}},
            },
            "Label": "Map",
            "End": True,
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                           "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                           "Parameters": {"Bucket": "amzn-s3-demo-bucket", "Key": "csvDataset/ratings.csv"}},
            "MaxConcurrency": 1000,
            "ItemBatcher": {"MaxItemsPerBatch": 10},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                             "Parameters": {"Bucket": "amzn-s3-demo-destination-bucket", "Prefix": "csvProcessJobs"}},
        }},
    }

    def ratings(event, context):
        return {"count": len(event["Items"]), "total": sum(int(row["rating"]) for row in event["Items"])}

    execution = StateMachine(definition, resources={function: ratings}, name="csvProcess").run({})
    assert execution.status == "SUCCEEDED"
    details = execution.output["ResultWriterDetails"]
    assert details["Bucket"] == "amzn-s3-demo-destination-bucket"
    assert details["Key"].startswith("csvProcessJobs/") and ":mapRun:csvProcess/Map:" in execution.output["MapRunArn"]
    manifest = json.loads(buckets.get(details["Bucket"], details["Key"]))
    [results] = manifest["ResultFiles"]["SUCCEEDED"]
    outputs = [json.loads(entry["Output"]) for entry in json.loads(buckets.get(details["Bucket"], results["Key"]))]
    assert sorted(o["count"] for o in outputs) == [5, 10, 10]
    assert sum(o["total"] for o in outputs) == sum((u + m) % 5 + 1 for u in range(5) for m in range(5))
