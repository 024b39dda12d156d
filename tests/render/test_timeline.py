"""The execution timeline: a bar per state visit, branch and iteration, an attempt bar per retry."""
from __future__ import annotations

from stepflow import StateMachine, TaskError
from stepflow.render.timeline import timeline_bars, timeline_svg

FLAKY = "arn:aws:lambda:us-east-1:123456789012:function:flaky"
CALLS = {"n": 0}


def flaky(event, context):
    CALLS["n"] += 1
    if CALLS["n"] < 3:
        raise TaskError("Busy", "try again")
    return event


DEFINITION = {
    "StartAt": "Call",
    "States": {
        "Call": {"Type": "Task", "Resource": FLAKY, "Next": "Both",
                 "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 1}]},
        "Both": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Wait1", "States": {"Wait1": {"Type": "Wait", "Seconds": 5, "End": True}}},
            {"StartAt": "Items", "States": {"Items": {"Type": "Map", "ItemsPath": "$.items", "End": True,
                "ItemProcessor": {"StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": True}}}}}},
        ]},
    },
}


def test_bars_follow_visits_with_branches_iterations_and_retries():
    CALLS["n"] = 0
    execution = StateMachine(DEFINITION, resources={FLAKY: flaky}).run({"items": [1, 2]})

    bars = timeline_bars(execution.history, execution.steps)
    by_label = {bar.label: bar for bar in bars}

    assert execution.status == "SUCCEEDED"
    call = by_label["Call"]
    assert [failed for *_, failed in call.attempts] == [True, True, False]  # two retries, then success
    assert (call.end - call.start).total_seconds() == 4  # two 2-second retry intervals (virtual time)
    assert by_label["Wait1 (branch 0)"].depth == 1
    assert (by_label["Wait1 (branch 0)"].end - by_label["Wait1 (branch 0)"].start).total_seconds() == 5
    assert {"Each (branch 1, iteration 0)", "Each (branch 1, iteration 1)"} <= set(by_label)
    assert by_label["Each (branch 1, iteration 1)"].depth == 2
    svg = timeline_svg(bars)
    assert svg.count('class="attempt"') == 3 and svg.startswith("<svg")


def test_the_html_report_draws_the_timeline_too():
    from stepflow.render.report import render_report

    CALLS["n"] = 0
    execution = StateMachine(DEFINITION, resources={FLAKY: flaky}).run({"items": [1]})

    report = render_report(execution)

    timeline = report[report.index('<section id="timeline">'):]
    assert timeline.index("<svg") < timeline.index("</section>")
    assert "Each (branch 1, iteration 0)" in timeline
