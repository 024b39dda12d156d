"""Tables behave like DynamoDB tables with a hash key."""
from __future__ import annotations

import threading

import pytest

from stepflow.services.tables import ResourceNotFound, Tables, ValidationError


@pytest.fixture
def tables(tmp_path):
    store = Tables(tmp_path)
    store.create("riders", "Username")
    return store


def test_put_item_replaces_the_whole_item_with_the_same_key(tables):
    tables.put_item("riders", {"Username": "user_a", "s3key": "1.jpg", "faceId": "f1"})
    tables.put_item("riders", {"Username": "user_a", "s3key": "2.jpg"})
    assert tables.get_item("riders", "user_a") == {"Username": "user_a", "s3key": "2.jpg"}


def test_item_without_its_hash_key_is_a_validation_error(tables):
    with pytest.raises(ValidationError, match="Username"):
        tables.put_item("riders", {"s3key": "1.jpg"})
    assert tables.scan("riders") == []


def test_unknown_table_is_resource_not_found(tables):
    with pytest.raises(ResourceNotFound, match="ResourceNotFoundException"):
        tables.get_item("nope", "x")


def test_create_is_idempotent_but_refuses_another_key_schema(tables):
    assert tables.create("riders", "Username") is False
    with pytest.raises(ValidationError):
        tables.create("riders", "Other")


def test_scan_orders_by_hash_key_and_delete_removes_items(tables):
    for name in ["user_c", "user_a", "user_b"]:
        tables.put_item("riders", {"Username": name})
    assert [item["Username"] for item in tables.scan("riders")] == ["user_a", "user_b", "user_c"]
    tables.delete("riders")
    assert not tables.exists("riders")


def test_concurrent_puts_all_land(tables):
    def put(index: int) -> None:
        tables.put_item("riders", {"Username": f"user_{index:02d}", "n": index})

    threads = [threading.Thread(target=put, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tables.scan("riders")) == 20


def test_a_data_root_written_before_key_schemas_is_carried_over(tmp_path):
    import json
    import sqlite3

    old = sqlite3.connect(tmp_path / "dynamodb.sqlite3")
    old.executescript(
        "CREATE TABLE tables (name TEXT PRIMARY KEY, hash_key TEXT NOT NULL);"
        "CREATE TABLE items (table_name TEXT, hash_value TEXT, item TEXT, PRIMARY KEY (table_name, hash_value));"
        "INSERT INTO tables VALUES ('riders', 'Username');"
    )
    old.execute("INSERT INTO items VALUES ('riders', 'user_a', ?)", (json.dumps({"Username": "user_a", "n": 2}),))
    old.commit()
    old.close()
    tables = Tables(tmp_path)
    assert tables.names() == ["riders"]
    assert tables.get_item("riders", "user_a") == {"Username": "user_a", "n": 2}
    assert tables.get("riders", {"Username": {"S": "user_a"}}) == {"Username": {"S": "user_a"}, "n": {"N": "2"}}
