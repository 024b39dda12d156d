"""ItemReader input types and ItemBatcher limits, read from the local buckets (developer guide,
"ItemReader (Map)" and "ItemBatcher (Map)")."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from stepflow import StateMachine
from stepflow.engine.maprun.batcher import batches
from stepflow.services.buckets import Buckets

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def reading(config: dict | None, key: str = "data", **fields) -> dict:
    reader = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "data", "Key": key}}
    if config is not None:
        reader["ReaderConfig"] = config
    return {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemReader": reader,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, **PASS}, **fields, "End": True}}}


@pytest.fixture
def buckets(stepflow_home: Path) -> Buckets:
    store = Buckets(stepflow_home)
    store.create("data")
    return store


def test_jsonl_one_item_per_line(buckets: Buckets):
    buckets.put("data", "data", b'{"a": 1}\n\n[2]\n"three"\n')
    assert StateMachine(reading({"InputType": "JSONL"})).run({}).output == [{"a": 1}, [2], "three"]


def test_a_bad_jsonl_line_is_named(buckets: Buckets):
    buckets.put("data", "data", b'{"a": 1}\n{oops\n')
    execution = StateMachine(reading({"InputType": "JSONL"})).run({})
    assert execution.error == "States.ItemReaderFailed"
    assert execution.cause.startswith("data line 2 is not valid JSON")


def test_csv_with_another_delimiter(buckets: Buckets):
    buckets.put("data", "data", b"name|size\nsun|big\nmoon|small\n")
    config = {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "PIPE"}
    assert StateMachine(reading(config)).run({}).output == [{"name": "sun", "size": "big"}, {"name": "moon", "size": "small"}]


def test_an_s3_inventory_manifest(buckets: Buckets):
    rows = b'"data","photos/a.jpg","10"\n"data","photos/b.jpg","20"\n'
    buckets.put("data", "inventory/data/part-0.csv.gz", gzip.compress(rows))
    manifest = {"sourceBucket": "data", "destinationBucket": "arn:aws:s3:::data", "fileFormat": "CSV",
                "fileSchema": "Bucket, Key, Size", "files": [{"key": "inventory/data/part-0.csv.gz", "size": 1}]}
    buckets.put("data", "inventory/manifest.json", json.dumps(manifest).encode())
    output = StateMachine(reading({"InputType": "MANIFEST"}, key="inventory/manifest.json")).run({}).output
    assert output == [{"Bucket": "data", "Key": "photos/a.jpg", "Size": "10"},
                      {"Bucket": "data", "Key": "photos/b.jpg", "Size": "20"}]


def test_parquet_rows(buckets: Buckets):
    pyarrow = pytest.importorskip("pyarrow", reason="PARQUET needs the parquet extra (pyarrow)")
    import pyarrow.parquet as parquet

    path = buckets.staging_folder() / "rows.parquet"
    parquet.write_table(pyarrow.table({"id": [1, 2], "name": ["a", "b"]}), path)
    buckets.put("data", "rows.parquet", path.read_bytes())
    output = StateMachine(reading({"InputType": "PARQUET", "MaxItems": 1}, key="rows.parquet")).run({}).output
    assert output == [{"id": 1, "name": "a"}]


def test_a_missing_object_fails_the_reader_naming_it(buckets: Buckets):
    execution = StateMachine(reading({"InputType": "JSON"}, key="absent.json")).run({})
    assert execution.error == "States.ItemReaderFailed"
    assert "absent.json" in execution.cause


def test_item_selector_applies_to_each_read_item_before_batching(buckets: Buckets):
    buckets.put("data", "data", json.dumps([1, 2, 3]).encode())
    definition = reading({"InputType": "JSON"}, ItemSelector={"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                         ItemBatcher={"MaxItemsPerBatch": 2})
    assert StateMachine(definition).run({}).output == [
        {"Items": [{"n": 1, "i": 0}, {"n": 2, "i": 1}]}, {"Items": [{"n": 3, "i": 2}]},
    ]


def test_batches_close_before_the_byte_limit():
    items = ["x" * 10] * 5  # 12 bytes of JSON each, plus a comma
    sizes = [len(batch["Items"]) for batch in batches(iter(items), None, 50, None)]
    assert sizes == [2, 2, 1]
    for batch in batches(iter(items), None, 50, None):
        assert len(json.dumps(batch, separators=(",", ":"))) <= 50


def test_a_non_positive_batch_size_fails_the_map_run(buckets: Buckets):
    buckets.put("data", "data", b"[1]")
    execution = StateMachine(reading({"InputType": "JSON"}, ItemBatcher={"MaxItemsPerBatchPath": "$.n"})).run({"n": 0})
    assert (execution.error, execution.cause) == ("States.ItemReaderFailed", "field MaxItemsPerBatch must be a positive integer, got 0")
