"""Loading definitions: text, files and dicts; syntax errors located; duplicate keys remembered."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from stepflow.asl.errors import DefinitionError, StepflowError
from stepflow.asl.loader import duplicate_keys, load_definition

HELLO = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}}


def test_loads_json_text():
    assert load_definition(json.dumps(HELLO)) == HELLO


def test_loads_a_file_given_as_str_or_path(tmp_path: Path):
    file = tmp_path / "hello.asl.json"
    file.write_text(json.dumps(HELLO), encoding="utf-8")
    assert load_definition(file) == HELLO
    assert load_definition(str(file)) == HELLO


def test_returns_a_dict_unchanged():
    assert load_definition(HELLO) is HELLO


def test_syntax_error_gives_line_and_column():
    with pytest.raises(DefinitionError) as caught:
        load_definition('{\n  "StartAt": "A",\n  "States": {,}\n}')
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "INVALID_JSON_DESCRIPTION"
    assert "line 3, column 14" in diagnostic.message


def test_nan_is_not_json():
    with pytest.raises(DefinitionError) as caught:
        load_definition('{"StartAt": NaN}')
    assert caught.value.diagnostics[0].code == "INVALID_JSON_DESCRIPTION"
    assert "NaN" in caught.value.diagnostics[0].message


def test_empty_text_is_a_missing_description():
    with pytest.raises(DefinitionError) as caught:
        load_definition("   ")
    assert caught.value.diagnostics[0].code == "MISSING_DESCRIPTION"


def test_a_json_value_that_is_not_an_object_is_refused():
    with pytest.raises(DefinitionError) as caught:
        load_definition("[1, 2]")
    assert caught.value.diagnostics[0].code == "SCHEMA_VALIDATION_FAILED"


def test_duplicate_keys_are_remembered_on_the_object_that_repeats_them():
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}'
    definition = load_definition(text)
    assert duplicate_keys(definition["States"]) == ("A",)
    assert duplicate_keys(definition) == ()
    assert definition["States"]["A"] == {"Type": "Succeed"}  # the last one wins, as in json


def test_unreadable_file_names_the_file(tmp_path: Path):
    missing = tmp_path / "nope.asl.json"
    with pytest.raises(StepflowError, match="nope.asl.json") as caught:
        load_definition(missing)
    assert not isinstance(caught.value, DefinitionError)


def test_non_utf8_file_is_an_invalid_description(tmp_path: Path):
    file = tmp_path / "latin1.json"
    file.write_bytes(b'{"Comment": "caf\xe9"}')
    with pytest.raises(DefinitionError) as caught:
        load_definition(file)
    assert caught.value.diagnostics[0].code == "INVALID_JSON_DESCRIPTION"
    assert "latin1.json" in caught.value.diagnostics[0].message


def test_a_file_with_a_utf8_byte_order_mark_loads(tmp_path: Path):
    file = tmp_path / "bom.asl.json"
    file.write_bytes(b"\xef\xbb\xbf" + json.dumps(HELLO).encode())
    assert load_definition(file) == HELLO
