"""SAM-style ``${Name}`` substitutions, filled before the definition is parsed into states."""
from __future__ import annotations

import pytest

from stepflow.asl.errors import DefinitionError
from stepflow.asl.substitutions import check_substitutions, substitute

ARN = "arn:aws:lambda:us-east-1:123456789012:function:FaceDetection"


def test_substitute_replaces_placeholders_in_every_string_of_the_definition():
    definition = {
        "StartAt": "Detect",
        "States": {
            "Detect": {"Type": "Task", "Resource": "${FaceDetectionFunctionArn}", "End": True,
                       "Parameters": {"Paths": ["s3://${Bucket}/in", "s3://${Bucket}/out"]}},
        },
    }
    result = substitute(definition, {"FaceDetectionFunctionArn": ARN, "Bucket": "photos"})
    assert result["States"]["Detect"]["Resource"] == ARN
    assert result["States"]["Detect"]["Parameters"]["Paths"] == ["s3://photos/in", "s3://photos/out"]


def test_substitute_leaves_the_original_definition_untouched():
    definition = {"Comment": "${X}"}
    substitute(definition, {"X": "y"})
    assert definition == {"Comment": "${X}"}


def test_substitute_leaves_paths_intrinsics_and_non_strings_alone():
    definition = {"a.$": "$.x", "b.$": "States.Format('{}', $.y)", "n": 3, "t": True, "z": None}
    assert substitute(definition, {}) == definition


def test_escaped_placeholder_stays_literal():
    assert substitute({"c": "${!X} and ${X}"}, {"X": "y"}) == {"c": "${X} and y"}


def test_unknown_placeholders_are_reported_with_json_pointers():
    definition = {"States": {"A/B": {"Resource": "${Missing}"}, "C": {"Parameters": {"L": ["${Known}", "${Other}"]}}}}
    with pytest.raises(DefinitionError) as raised:
        substitute(definition, {"Known": "k"})
    assert [(d.location, d.message) for d in raised.value.diagnostics] == [
        ("/States/A~1B/Resource", "no substitution is defined for ${Missing}"),
        ("/States/C/Parameters/L/1", "no substitution is defined for ${Other}"),
    ]


def test_substitution_values_must_be_strings():
    with pytest.raises(TypeError, match="'Count' must be a string"):
        check_substitutions({"Count": 3})
