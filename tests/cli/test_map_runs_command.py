"""``stepflow run`` of a Distributed Map over a bucket, then ``stepflow executions map-runs``."""
from __future__ import annotations

import json
from pathlib import Path

from stepflow.cli import main

DEFINITION = {"StartAt": "M", "States": {"M": {
    "Type": "Map", "Label": "Files",
    "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "files", "Prefix": "in/"}},
    "ItemSelector": {"key.$": "$$.Map.Item.Value.Key"},
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P",
                      "States": {"P": {"Type": "Pass", "End": True}}},
    "End": True}}}


def test_run_a_map_run_then_show_it_and_its_children(stepflow_home: Path, tmp_path: Path, capsys):
    (tmp_path / "data").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "data" / name).write_text(name)
    (tmp_path / "dm.json").write_text(json.dumps(DEFINITION))
    assert main(["bucket", "create", "files"]) == 0
    assert main(["bucket", "put", "files", str(tmp_path / "data"), "--prefix", "in/"]) == 0
    capsys.readouterr()
    assert main(["run", str(tmp_path / "dm.json"), "--name", "r1", "--virtual-time", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == [{"key": "in/a.txt"}, {"key": "in/b.txt"}]
    assert main(["executions", "map-runs", "r1", "--json", "--children"]) == 0
    [run] = json.loads(capsys.readouterr().out)["mapRuns"]
    assert (run["label"], run["status"], run["executionCounts"]["succeeded"]) == ("Files", "SUCCEEDED", 2)
    assert sorted(child["status"] for child in run["children"]) == ["SUCCEEDED", "SUCCEEDED"]
    assert all(child["execution_arn"].startswith(":".join(run["mapRunArn"].split(":")[:5]) + ":execution:dm/Files:")
               for child in run["children"])
    assert main(["executions", "map-runs", "r1", "--children"]) == 0
    table = capsys.readouterr().out
    assert "Files" in table and "2 child executions" in table
