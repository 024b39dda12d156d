"""The course in docs/lessons: every page's generated part is what running its lesson gives now,
and ``stepflow lesson`` runs a lesson in the terminal with stepping on."""
from __future__ import annotations

import os
import shutil
import sys

import pytest

from stepflow.cli._lessons import BEGIN, END, LessonError, all_lessons, build_page, check_pages, find_lesson
from stepflow.settings import lessons_dir

TOPICS = ["state-types", "data-flow", "jsonata", "choice-rules", "retry-and-catch", "map-and-parallel",
          "variables", "callbacks", "rider-photo"]


def test_the_course_covers_its_topics_in_order():
    assert [lesson.name.partition("-")[2] for lesson in all_lessons()] == TOPICS


@pytest.mark.parametrize("lesson", all_lessons(lessons_dir()), ids=lambda lesson: lesson.name)
def test_each_page_is_what_running_its_lesson_gives(lesson):
    page = lesson.page.read_text(encoding="utf-8")
    assert build_page(lesson) == page, f"{lesson.page} is stale: run 'stepflow lesson --build'"
    generated = page[page.index(BEGIN): page.index(END)]
    assert "```mermaid\nflowchart TD" in generated and f"Execution {lesson.name}  " in generated


def test_a_page_that_drifted_from_its_lesson_is_found(tmp_path):
    course = tmp_path / "lessons"
    shutil.copytree(lessons_dir() / "04-choice-rules", course / "04-choice-rules")
    assert check_pages(course) == []
    definition = course / "04-choice-rules" / "definition.asl.json"
    definition.write_text(definition.read_text().replace('"StringMatches": "VIP-*"', '"StringMatches": "GOLD-*"'))
    assert check_pages(course) == ["04-choice-rules"]  # the ride now goes to Night: the page must change


def test_the_generated_part_is_the_run_the_prose_describes():
    choice = find_lesson("choice-rules").run()
    assert [step.name for step in choice.steps] == ["Route", "Premium"]
    retry = find_lesson("5").run()
    assert [r["error"] for r in retry.steps[0].retries] == ["GatewayTimeout"] * 3
    assert retry.steps[0].status == "CAUGHT" and retry.output == {"rider": "user_c", "reason": "CardDeclined"}
    variables = find_lesson("07-variables").run()
    assert variables.output["fareOutsideTheMap"] is False
    capstone = find_lesson("rider-photo").run()
    assert capstone.definition["StartAt"] == "FaceDetection" and capstone.status == "SUCCEEDED"


def test_an_unknown_lesson_names_the_ones_there_are():
    with pytest.raises(LessonError, match=r"no lesson named 'loops' .*lessons: 01-state-types, 02-data-flow"):
        find_lesson("loops")


def test_a_page_without_its_markers_is_refused(tmp_path):
    course = tmp_path / "lessons"
    shutil.copytree(lessons_dir() / "01-state-types", course / "01-state-types")
    (course / "01-state-types" / "README.md").write_text("# 1. The state types\n\nNo generated part.\n")
    with pytest.raises(LessonError, match="needs one generated part"):
        check_pages(course)


def test_stepflow_lesson_runs_a_lesson_with_stepping_on(tmp_path):
    pexpect = pytest.importorskip("pexpect", reason="pexpect (the test extra) drives the pseudo-terminal")
    pytest.importorskip("prompt_toolkit", reason="the step extra (prompt_toolkit) is not installed")
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1",
           "STEPFLOW_HOME": str(tmp_path / "home")}
    child = pexpect.spawn(sys.executable, ["-m", "stepflow", "lesson", "choice-rules"], env=env,
                          encoding="utf-8", timeout=20, dimensions=(50, 160))
    try:
        child.expect("4. Choice rules")
        child.expect(r"before Route \(Choice\) · top level")
        child.expect(r"goes to\s+Reject \(not \$\.rider is present\) \| Bike")
        child.expect(r"\(stepflow\)")
        child.send('d {"city": "Seattle", "km": 3, "rider": "x"}\r')
        child.expect(r"input now")
        child.send("n\r")
        child.expect(r"→ Bike")
        child.send("c\r")
        child.expect("ended: SUCCEEDED")
        child.expect(r'output: .*"vehicle": "bike"')
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
