"""Template forms: YAML readings, inline definitions, substitutions as text, SAM Globals, layers."""
from __future__ import annotations

import json
import textwrap

import pytest

from stepflow.stacks import Stack, TemplateError
from stepflow.stacks.loading import load_document
from stepflow.stacks.sam import merge

FLAGS = "a: Yes\nb: No\nc: on\nd: true\ne: 1:30\nf: !GetAtt Fn.Arn\n"


def test_cloudformation_reads_yaml_1_1_and_serverless_reads_yaml_1_2(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(FLAGS)
    # CloudFormation and SAM (PyYAML in the SAM CLI) read YAML 1.1: yes/no/on are booleans, 1:30 is 90.
    assert load_document(path) == {"a": True, "b": False, "c": True, "d": True, "e": 90,
                                   "f": {"Fn::GetAtt": ["Fn", "Arn"]}}
    # The Serverless Framework reads with js-yaml (YAML 1.2 core schema): only true/false are booleans.
    assert load_document(path, yaml12=True) == {"a": "Yes", "b": "No", "c": "on", "d": True, "e": "1:30",
                                                "f": {"Fn::GetAtt": ["Fn", "Arn"]}}


def test_bad_yaml_names_the_file_and_line(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  A: [unclosed\n")
    with pytest.raises(TemplateError, match=r"template.yaml: not valid YAML: .*\(line 3"):
        Stack.from_template(path, root=tmp_path / "home")


def test_sam_globals_merge_maps_add_lists_and_replace_scalars():
    merged = merge({"Timeout": 3, "Environment": {"Variables": {"A": "1", "B": "2"}}, "Layers": ["l1"]},
                   {"Timeout": 9, "Environment": {"Variables": {"B": "x"}}, "Layers": ["l2"]})
    assert merged == {"Timeout": 9, "Environment": {"Variables": {"A": "1", "B": "x"}}, "Layers": ["l1", "l2"]}


MACHINES = """
Parameters:
  Pause: {Type: Number, Default: 5}
Resources:
  Inline:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: W
        States:
          W: {Type: Pass, Result: {pause: "${Pause}"}, End: true}
      DefinitionSubstitutions: {Pause: !Ref Pause}
  Text:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": ${!Seconds}, "Next": "P"},
         "P": {"Type": "Pass", "Result": "${AWS::Region}", "End": true}}}
      DefinitionSubstitutions: {Seconds: !Ref Pause}
"""


def test_definition_substitutions_are_applied_to_the_text_before_parsing(tmp_path, template_stack):
    path = tmp_path / "t.yaml"
    path.write_text(MACHINES)
    stack = template_stack(path)
    # Fn::Sub turns ${!Seconds} into ${Seconds}, which stands where a number goes: only a textual
    # substitution, before the text is parsed, makes this definition valid JSON.
    text = stack.state_machine("Text")
    assert text.definition["States"]["W"]["Seconds"] == 5
    assert text.run({}).output == "us-east-1"
    # In an inline Definition the value lands inside a JSON string: text stays text.
    assert stack.state_machine("Inline").run({}).output == {"pause": "5"}


def test_several_state_machines_need_a_choice_and_the_error_lists_them(tmp_path, template_stack):
    path = tmp_path / "t.yaml"
    path.write_text(MACHINES)
    with pytest.raises(TemplateError, match="2 state machines; choose one with --state-machine: Inline, Text"):
        template_stack(path).state_machine()
    with pytest.raises(TemplateError, match="no state machine 'Nope'"):
        template_stack(path).state_machine("Nope")


LAYERED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layer/}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn/, Handler: app.handler, Runtime: python3.12, Layers: [!Ref Shared]}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: T, States: {T: {Type: Task, Resource: "${Fn}", End: true}}}
      DefinitionSubstitutions: {Fn: !GetAtt Fn.Arn}
"""


def test_a_python_layer_is_importable_as_on_lambda(tmp_path, template_stack):
    (tmp_path / "layer" / "python").mkdir(parents=True)
    (tmp_path / "layer" / "python" / "shared_lib.py").write_text("VALUE = 'from the layer'\n")
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "app.py").write_text(textwrap.dedent("""
        import shared_lib

        def handler(event, context):
            return shared_lib.VALUE
    """))
    (tmp_path / "template.yaml").write_text(LAYERED)
    assert template_stack(tmp_path / "template.yaml").state_machine().run({}).output == "from the layer"


def test_a_function_that_exits_fails_as_a_runtime_exit(tmp_path, template_stack):
    (tmp_path / "layer").mkdir()
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "app.py").write_text("import sys\n\ndef handler(event, context):\n    sys.exit(3)\n")
    (tmp_path / "template.yaml").write_text(LAYERED)
    execution = template_stack(tmp_path / "template.yaml").state_machine().run({})
    assert execution.error == "Runtime.ExitError"
    assert "exit status 3" in json.loads(execution.cause)["errorMessage"]
