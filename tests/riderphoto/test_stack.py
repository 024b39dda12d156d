"""The local stack creates what the workshop's CloudFormation stack creates, and removes it."""
from __future__ import annotations

import json
from pathlib import Path

from stepflow.riderphoto.stack import (
    FUNCTIONS,
    WORKSHOP_PHOTOS,
    Stack,
    bindings,
    function_arn,
)
from stepflow.settings import fixtures_dir

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_NAMES = json.loads((ROOT / "fixtures" / "riderphoto" / "stack-outputs.json").read_text())["outputs"]


def test_outputs_are_the_workshop_template_outputs_in_order(tmp_path):
    outputs = Stack(tmp_path).outputs()
    assert list(outputs) == OUTPUT_NAMES
    for name in OUTPUT_NAMES[:6]:
        assert outputs[name].startswith("arn:aws:lambda:us-east-1:123456789012:function:")


def test_up_creates_buckets_table_collection_and_copies_workshop_photos(tmp_path):
    stack = Stack(tmp_path)
    stack.up(photos=fixtures_dir())
    assert stack.is_up()
    assert stack.buckets.keys(stack.rider_photo_bucket) == sorted(WORKSHOP_PHOTOS)
    assert stack.buckets.keys(stack.thumbnail_bucket) == []
    assert stack.tables.scan(stack.table) == []
    assert stack.collections.list_faces("rider-photos") == []


def test_up_is_idempotent_and_keeps_data(tmp_path):
    stack = Stack(tmp_path)
    first = stack.up(photos=fixtures_dir())
    stack.tables.put_item(stack.table, {"Username": "user_a"})
    assert stack.up(photos=fixtures_dir()) == first
    assert stack.tables.get_item(stack.table, "user_a") == {"Username": "user_a"}


def test_down_removes_everything_up_created(tmp_path):
    stack = Stack(tmp_path)
    stack.up(photos=fixtures_dir())
    stack.down()
    assert not stack.is_up()
    assert stack.buckets.names() == []
    assert not stack.tables.exists(stack.table)
    assert stack.collections.list_collections() == []


def test_down_purge_removes_the_data_root(tmp_path):
    stack = Stack(tmp_path / "home")
    stack.up(photos=tmp_path / "no-photos")
    stack.down(purge=True)
    assert not (tmp_path / "home").exists()


def test_bindings_give_a_handler_per_function_arn_and_every_output(tmp_path):
    resources, substitutions = bindings(tmp_path)
    assert set(resources) == {function_arn(logical) for logical, _ in FUNCTIONS.values()}
    assert all(callable(handler) for handler in resources.values())
    assert substitutions == Stack(tmp_path).outputs()


def test_stack_current_follows_stepflow_home(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPFLOW_HOME", str(tmp_path / "elsewhere"))
    assert Stack.current().root == (tmp_path / "elsewhere").resolve()
