"""The real projects run with one command from their folder, with no file of the user's."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stepflow.services.tables import Tables

PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects"


def run(args, cwd, home):
    return subprocess.run([sys.executable, "-m", "stepflow", *args], cwd=cwd, capture_output=True, text=True,
                          env={"STEPFLOW_HOME": str(home), "PATH": "/usr/bin:/bin:/usr/local/bin"}, timeout=120)


@pytest.mark.parametrize("project", ["sam-stock-trader-python", "sam-stock-trader-connectors", "sam-stock-trader-nodejs"])
def test_the_sam_quick_start_runs_and_records_its_transaction(project, tmp_path):
    if project.endswith("nodejs") and shutil.which("node") is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    done = run(["run", "template.yaml", "--json"], PROJECTS / project, tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "SUCCEEDED", result
    assert result["output"]["SdkHttpMetadata"]["HttpStatusCode"] == 200  # dynamodb:putItem's result shape
    (table,) = Tables(tmp_path).names()
    (item,) = Tables(tmp_path).scan(table)
    assert item["Type"] in ("buy", "sell") and 1 <= item["Quantity"] <= 10
    assert (item["Type"] == "buy") == (item["Price"] <= 50)  # the Choice state's rule


def test_the_cdk_cloud_assembly_runs_its_asset_functions(tmp_path):
    done = run(["run", "cdk.out", "--json", "--input", '{"ticker": "ACME", "price": 70}'],
               PROJECTS / "cdk-stock-trader", tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["output"] == {"id": "ACME-sell", "type": "sell", "price": "70", "qty": "10"}
    (table,) = Tables(tmp_path).names()
    assert Tables(tmp_path).scan(table) == [{"Id": "ACME-sell", "Timestamp": 10, "Type": "sell", "Price": 70}]


def test_the_serverless_service_keeps_yes_and_no_as_strings_and_reads_its_file_variable(tmp_path):
    # The Framework reads serverless.yml with js-yaml (YAML 1.2): Yes/No are strings; ${file(./config/dev.yml)}
    # is relative to the service folder, wherever the command runs from.
    done = run(["run", str(PROJECTS / "serverless-orders" / "serverless.yml"), "--json",
                "--input", '{"id": "o1", "lines": [{"qty": 2, "price": 5}]}'], tmp_path, tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["output"] == {"id": "o1", "total": 10, "greeting": "Yes", "express": "No",
                                                 "function": "orders-dev-price"}
    assert Tables(tmp_path / "home").scan("orders-dev-orders") == [{"id": "o1", "total": 10}]


def test_stack_up_prints_outputs_and_what_is_not_emulated(tmp_path):
    done = run(["stack", "up", "template.yaml", "--json"], PROJECTS / "sam-stock-trader-python", tmp_path)
    report = json.loads(done.stdout)
    assert report["Outputs"]["StockTradingStateMachineRoleArn"].startswith("arn:aws:iam::123456789012:role/")
    status = {row["LogicalResourceId"]: row["Status"] for row in report["Resources"]}
    assert status["StockTradingStateMachineRole"] == "not emulated"
    assert status["StockTradingStateMachineHourlyTradingSchedule"] == "not emulated yet"
    listed = run(["stack", "list", "--json"], tmp_path, tmp_path)
    assert [s["StackName"] for s in json.loads(listed.stdout)] == ["sam-stock-trader-python"]
    assert run(["stack", "down", "sam-stock-trader-python"], tmp_path, tmp_path).returncode == 0
    assert Tables(tmp_path).names() == []


def test_an_asl_file_still_runs_as_before(tmp_path):
    definition = tmp_path / "m.asl.json"
    definition.write_text('{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}')
    done = run(["run", str(definition), "--input", '{"a": 1}', "--json"], tmp_path, tmp_path)
    summary = json.loads(done.stdout)
    contract = {key: summary[key] for key in ("status", "output", "error", "cause")}
    assert contract == {"status": "SUCCEEDED", "output": {"a": 1}, "error": None, "cause": None}


def test_the_template_stack_fixture_runs_a_machine(template_stack):
    stack = template_stack(PROJECTS / "cdk-stock-trader" / "cdk.out")
    execution = stack.state_machine("StockTraderB25D0B2D").run({"ticker": "X", "price": 10})
    assert execution.status == "SUCCEEDED"
    assert execution.output["type"] == "buy"


def test_the_workshop_template_gives_the_outputs_of_the_built_in_riderphoto_stack(tmp_path):
    from stepflow.riderphoto.stack import STACK_NAME
    from stepflow.riderphoto.stack import Stack as Workshop
    from stepflow.services.faces import FaceCollections
    from stepflow.stacks import Stack

    template = PROJECTS.parents[1] / "definitions" / "rider-photo-stack"
    stack = Stack.from_template(template, name=STACK_NAME, root=tmp_path)
    assert stack.outputs == Workshop(tmp_path).outputs()
    assert FaceCollections(tmp_path).exists("rider-photos")
    assert stack.state_machine("RiderPhotoProcessing").name == "RiderPhotoProcessing-4"
    removed = stack.down()
    assert "collection rider-photos" in removed and not FaceCollections(tmp_path).exists("rider-photos")
