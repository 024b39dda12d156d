"""Definitions AWS deploys (its public sample repositories) pass validation, and load to run.

``public_definitions/`` holds 47 of the 277 definitions found in aws-samples/step-functions-workflows-collection,
aws-samples/aws-stepfunctions-examples and aws-samples/serverless-patterns (all MIT-0; SOURCES.md
names each one's file and commit), chosen to cover every field and integration those 277 use. Of
the 277, 276 validate; the one refused writes ``"QueryLanguage": "JSONata"`` inside ``States``
(a state that is a string, which AWS's schema refuses too). Among the 47 are the five that
``validate`` used to refuse: a filter comparing with ``$``, a trailing blank in a path, unquoted
words in filters (two samples), and a Pass state whose Parameters is an array.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stepflow import StateMachine
from stepflow.asl.validate import validate_definition

FOLDER = Path(__file__).parent / "public_definitions"
DEFINITIONS = sorted(FOLDER.glob("*.json"))


def test_the_corpus_is_there_with_its_sources():
    assert len(DEFINITIONS) == 47
    sources = (FOLDER / "SOURCES.md").read_text()
    assert all(f"`{path.name}`" in sources for path in DEFINITIONS)


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda path: path.stem)
def test_a_definition_aws_deploys_validates(path):
    errors = [d for d in validate_definition(json.loads(path.read_text())) if d.severity == "ERROR"]
    assert errors == []


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda path: path.stem)
def test_a_definition_aws_deploys_loads(path):
    """Distributed Map samples included (five of them: nested, ItemReader, ResultWriter...)."""
    text = path.read_text()
    names = set(re.findall(r"\$\{([^}]+)\}", text))
    substitutions = {name: "arn:aws:lambda:us-east-1:123456789012:function:sample" for name in names}
    StateMachine(json.loads(text), substitutions=substitutions)


def test_unquoted_words_in_filters_get_a_warning_naming_the_word():
    definition = json.loads((FOLDER / "workflows--textract-analyze-expense-tf.json").read_text())
    warnings = [(d.code, d.location, d.message) for d in validate_definition(definition) if d.severity == "WARNING"]
    assert ("UNQUOTED_FILTER_WORD", "/States/DetectLabels/ResultSelector/receipt.$",
            "an unquoted word in a filter is compared as a string ('Receipt'); quote it to say so") in warnings
