"""Distributed Map against AWS's recordings: LocalStack's AWS-validated
``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json`` (the tests named
below) with their templates ``templates/scenarios/statemachines/map_*.json5``, and
``v2/test_sfn_api_map_run.snapshot.json`` for DescribeMapRun / ListMapRuns."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from stepflow.services.buckets import Buckets
from tests.conformance.recorded import assert_links, details, run

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
SUCCEEDED_LINKS = [
    ("ExecutionStarted", 0), ("MapStateEntered", 0), ("MapStateStarted", 2), ("MapRunStarted", 3),
    ("MapRunSucceeded", 4), ("MapStateSucceeded", 5), ("MapStateExited", 5), ("ExecutionSucceeded", 7),
]
READER_FAILED_LINKS = [
    ("ExecutionStarted", 0), ("MapStateEntered", 0), ("MapStateStarted", 2), ("MapRunStarted", 3),
    ("MapRunFailed", 4), ("MapStateFailed", 5), ("ExecutionFailed", 6),
]
# test_map_item_reader_base_csv_headers_first_line's file, byte for byte.
CSV_FILE = "Col1,Col2,Col3\nValue1,Value2,Value3\nValue4,Value5,Value6\n,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"
STATEMENTS = [
    {"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"},
    {"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"},
    {"verdict": "mostly-true", "statement_date": "5/18/2016", "statement_source": "news"},
]


def distributed_map(**fields) -> dict:
    processor = fields.pop("processor", PASS)
    return {
        "StartAt": "MapState",
        "States": {
            "MapState": {
                "Type": "Map",
                "ItemProcessor": {"ProcessorConfig": DISTRIBUTED, **processor},
                **fields,
                "End": True,
            }
        },
    }


@pytest.fixture
def buckets(stepflow_home: Path) -> Buckets:
    store = Buckets(stepflow_home)
    store.create("bucket-name")
    return store


def test_item_selector_children_and_the_map_run_events():
    """test_map_state_config_distributed_item_selector."""
    definition = distributed_map(
        ItemSelector={"constantValue": "constant", "mapValue.$": "$$.Map.Item.Value", "fromInput.$": "$"}
    )
    execution = run(definition, ["Hello", "World"])
    assert_links(execution, SUCCEEDED_LINKS)
    assert details(execution, 3) == {"length": 2}
    assert execution.output == [
        {"constantValue": "constant", "mapValue": "Hello", "fromInput": ["Hello", "World"]},
        {"constantValue": "constant", "mapValue": "World", "fromInput": ["Hello", "World"]},
    ]


def test_the_map_run_arn_names_the_machine_and_the_label():
    """test_map_state_label: mapRun:<machine>/TestMap:<id>; without a Label, the state's name."""
    labelled = run(distributed_map(Label="TestMap"), ["Hello", "World"])
    arn = details(labelled, 4)["mapRunArn"]
    prefix = "arn:aws:states:us-east-1:123456789012:mapRun:StateMachine/TestMap:"
    assert arn.startswith(prefix) and len(arn) == len(prefix) + 36
    unlabelled = run(distributed_map(), ["x"])
    assert ":mapRun:StateMachine/MapState:" in details(unlabelled, 4)["mapRunArn"]


def test_list_objects_v2_gives_each_object_as_aws_does(buckets: Buckets):
    """test_map_item_reader_base_list_objects_v2: Etag, Key, LastModified, Size, StorageClass;
    MapStateStarted's length is 0 with an ItemReader."""
    for i in range(3):
        buckets.put("bucket-name", f"file_{i}.txt", b"hello world!")
    definition = distributed_map(
        MaxConcurrency=1,
        ItemReader={"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket.$": "$.Bucket"}},
    )
    execution = run(definition, {"Bucket": "bucket-name"})
    assert_links(execution, SUCCEEDED_LINKS)
    assert details(execution, 3) == {"length": 0}
    assert [sorted(item) for item in execution.output] == [["Etag", "Key", "LastModified", "Size", "StorageClass"]] * 3
    assert [(o["Key"], o["Size"], o["StorageClass"]) for o in execution.output] == [
        (f"file_{i}.txt", 12, "STANDARD") for i in range(3)
    ]
    assert execution.output[0]["Etag"] == '"fc3ff98e8c6a0d3087d515c0473f8677"'  # md5 of the body, quoted


def test_csv_first_row_headers(buckets: Buckets):
    """test_map_item_reader_base_csv_headers_first_line: every value a string, missing ones empty."""
    buckets.put("bucket-name", "file.csv", CSV_FILE.encode())
    execution = run(_csv_reader({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}), {"Bucket": "bucket-name", "Key": "file.csv"})
    assert_links(execution, SUCCEEDED_LINKS)
    assert execution.output == [
        {"Col1": "Value1", "Col2": "Value2", "Col3": "Value3"},
        {"Col1": "Value4", "Col2": "Value5", "Col3": "Value6"},
        {"Col1": "", "Col2": "", "Col3": ""},
        {"Col1": "true", "Col2": "1", "Col3": "'HelloWorld'"},
        {"Col1": "Null", "Col2": "None", "Col3": ""},
        {"Col1": "   ", "Col2": "", "Col3": ""},
    ]


def test_csv_given_headers_drop_extra_fields(buckets: Buckets):
    """test_map_item_reader_csv_headers_decl_extra_fields."""
    buckets.put("bucket-name", "file.csv", b"Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n")
    execution = run(
        _csv_reader({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1"]}),
        {"Bucket": "bucket-name", "Key": "file.csv"},
    )
    assert execution.output == [{"H1": "Value1"}, {"H1": "Value4"}, {"H1": ""}, {"H1": "true"}, {"H1": "Null"}, {"H1": "   "}]


def test_csv_first_row_shorter_than_the_rows(buckets: Buckets):
    """test_map_item_reader_csv_first_row_extra_fields: an empty header names a column too."""
    buckets.put("bucket-name", "file.csv", b"H1,\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n")
    execution = run(_csv_reader({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}), {"Bucket": "bucket-name", "Key": "file.csv"})
    assert execution.output == [
        {"H1": "Value4", "": "Value5"}, {"H1": "", "": ""}, {"H1": "true", "": "1"},
        {"H1": "Null", "": "None"}, {"H1": "   ", "": ""},
    ]


def test_duplicate_csv_headers_fail_the_map_run(buckets: Buckets):
    """test_map_item_reader_csv_headers_decl_duplicate_headers."""
    buckets.put("bucket-name", "file.csv", CSV_FILE.encode())
    execution = run(
        _csv_reader({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1", "H1"]}),
        {"Bucket": "bucket-name", "Key": "file.csv"},
    )
    assert_links(execution, READER_FAILED_LINKS)
    failure = {"error": "States.ItemReaderFailed", "cause": "CSV headers cannot contain duplicates."}
    assert details(execution, 5) == failure
    assert details(execution, 7) == failure


def test_a_json_object_that_is_not_an_array_fails_the_map_run(buckets: Buckets):
    """test_map_item_reader_json_no_json_list_object."""
    buckets.put("bucket-name", "file.json", json.dumps({"Hello": "world"}).encode())
    execution = run(_json_reader({"InputType": "JSON"}), {"Bucket": "bucket-name", "Key": "file.json"})
    assert_links(execution, READER_FAILED_LINKS)
    assert details(execution, 5) == {"error": "States.ItemReaderFailed", "cause": "Attempting to map over non-iterable node."}


def test_max_items_path_below_zero_fails_the_map_run(buckets: Buckets):
    """test_map_item_reader_csv_max_items_paths[-1]."""
    buckets.put("bucket-name", "file.csv", CSV_FILE.encode())
    definition = _csv_reader({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItemsPath": "$.MaxItems"})
    execution = run(definition, {"Bucket": "bucket-name", "Key": "file.csv", "MaxItems": -1})
    assert_links(execution, READER_FAILED_LINKS)
    assert details(execution, 5) == {"error": "States.ItemReaderFailed", "cause": "field MaxItems must be positive"}


@pytest.mark.parametrize("max_items, expected", [(0, 6), (2, 2), (100_000_000, 6)])
def test_max_items_limits_the_items_and_zero_means_all(buckets: Buckets, max_items: int, expected: int):
    """test_map_item_reader_csv_max_items[0|2|100000000]."""
    buckets.put("bucket-name", "file.csv", CSV_FILE.encode())
    definition = _csv_reader({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": max_items})
    assert len(run(definition, {"Bucket": "bucket-name", "Key": "file.csv"}).output) == expected


def test_jsonata_reader_arguments_and_max_items(buckets: Buckets):
    """test_map_item_reader_base_json_max_items_jsonata (AWS links MapStateExited to MapRunStarted
    there, event 7 -> 4; stepflow links it to MapRunSucceeded as in the JSONPath recordings)."""
    buckets.put("bucket-name", "file.json", json.dumps(STATEMENTS).encode())
    definition = distributed_map(
        MaxConcurrency=1,
        ItemReader={
            "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% $maxItems := 2 %}"},
            "Resource": "arn:aws:states:::s3:getObject",
            "Arguments": {"Bucket": "{% $states.input.Bucket %}", "Key": "{% $states.input.Key %}"},
        },
    )
    definition["QueryLanguage"] = "JSONata"
    execution = run(definition, {"Bucket": "bucket-name", "Key": "file.json", "MaxItems": 2})
    assert_links(execution, [*SUCCEEDED_LINKS[:6], ("MapStateExited", 4), ("ExecutionSucceeded", 7)], differs=(7,))
    assert execution.output == STATEMENTS[:2]


def test_item_batcher_shapes_batches_with_batch_input(buckets: Buckets):
    """test_map_item_batching_base_json_max_per_batch_jsonata: {"BatchInput", "Items"}."""
    buckets.put("bucket-name", "file.json", json.dumps(STATEMENTS).encode())
    definition = distributed_map(
        ItemReader={
            "ReaderConfig": {"InputType": "JSON", "MaxItems": 2},
            "Resource": "arn:aws:states:::s3:getObject",
            "Arguments": {"Bucket": "{% $states.input.Bucket %}", "Key": "{% $states.input.Key %}"},
        },
        ItemBatcher={
            "MaxItemsPerBatch": "{% $states.input.MaxItemsPerBatch %}",
            "MaxInputBytesPerBatch": "{% $states.input.MaxInputBytesPerBatch %}",
            "BatchInput": {"BatchTimestamp": "{% $states.context.State.EnteredTime %}"},
        },
    )
    definition["QueryLanguage"] = "JSONata"
    execution = run(definition, {"Bucket": "bucket-name", "Key": "file.json", "MaxItemsPerBatch": 2, "MaxInputBytesPerBatch": 150000})
    [batch] = execution.output
    assert sorted(batch) == ["BatchInput", "Items"]
    assert batch["Items"] == STATEMENTS[:2]
    assert batch["BatchInput"]["BatchTimestamp"].endswith("Z")


def test_result_writer_output_and_manifest(buckets: Buckets):
    """test_map_state_result_writer: the output is {MapRunArn, ResultWriterDetails}, the manifest
    at <Prefix>/<map run id>/manifest.json names the bucket and the Map Run."""
    buckets.create("result-bucket")
    definition = distributed_map(
        ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "result-bucket", "Prefix": "mapJobs"}},
        Label="TestMap",
    )
    execution = run(definition, ["Hello", "World"])
    assert_links(execution, SUCCEEDED_LINKS)
    map_run_arn = details(execution, 4)["mapRunArn"]
    run_id = map_run_arn.split(":")[-1]
    assert execution.output == {
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": "result-bucket", "Key": f"mapJobs/{run_id}/manifest.json"},
    }
    manifest = json.loads(buckets.get("result-bucket", f"mapJobs/{run_id}/manifest.json"))
    assert manifest["DestinationBucket"] == "result-bucket"
    assert manifest["MapRunArn"] == map_run_arn
    assert sorted(manifest["ResultFiles"]) == ["FAILED", "PENDING", "SUCCEEDED"]


def test_describe_and_list_map_runs_shapes(sfn_client):
    """test_sfn_api_map_run::test_list_map_runs_and_describe_map_run."""
    created = sfn_client.create_state_machine(
        name="runner", definition=json.dumps(distributed_map(MaxConcurrency=1)), roleArn="arn:aws:iam::123456789012:role/r"
    )
    started = sfn_client.start_execution(stateMachineArn=created["stateMachineArn"], input='["a", "b"]')
    sfn_client.wait_for_execution(started["executionArn"])
    [listed] = sfn_client.list_map_runs(executionArn=started["executionArn"])["mapRuns"]
    assert sorted(listed) == ["executionArn", "mapRunArn", "startDate", "stateMachineArn", "stopDate"]
    assert listed["stateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:runner/MapState"
    described = sfn_client.describe_map_run(mapRunArn=listed["mapRunArn"])
    counts = {"aborted": 0, "failed": 0, "pending": 0, "resultsWritten": 2, "running": 0,
              "succeeded": 2, "timedOut": 0, "total": 2}
    assert {k: described["itemCounts"][k] for k in counts} == counts
    assert {k: described["executionCounts"][k] for k in counts} == counts
    assert (described["status"], described["maxConcurrency"]) == ("SUCCEEDED", 1)
    assert (described["toleratedFailureCount"], described["toleratedFailurePercentage"]) == (0, 0.0)


def _csv_reader(config: dict) -> dict:
    return distributed_map(
        MaxConcurrency=1,
        ItemReader={
            "ReaderConfig": config,
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"},
        },
    )


_json_reader = _csv_reader


@pytest.mark.parametrize("label, message", [
    ("", "Label cannot be empty"),
    ("x" * 41, "Label cannot exceed 40 characters"),
    ("label_ ", "Label contains invalid character: ' '"),
    ("label_?", "Label contains invalid character: '?'"),
    ("label_{", "Label contains invalid character: '{'"),
    ("label_\x01", "Label contains invalid character: '\\x01'"),
])
def test_labels_aws_refuses(label: str, message: str):
    """test_sfn_api_map_run::test_map_state_label_empty_fail, _too_long_fail, _invalid_char_fail[...]."""
    from stepflow import DefinitionError, StateMachine

    with pytest.raises(DefinitionError) as refused:
        StateMachine(distributed_map(Label=label))
    assert [(d.message, d.location) for d in refused.value.diagnostics] == [(message, "/States/MapState/Label")]
    StateMachine(distributed_map(Label="x" * 40 + ""))  # 40 is allowed
