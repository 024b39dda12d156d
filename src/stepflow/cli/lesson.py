"""``stepflow lesson``: the course in docs/lessons, run in the terminal a state at a time.

    stepflow lesson                 list the lessons
    stepflow lesson NAME            run one with stepping on (as ``stepflow run --step``)
    stepflow lesson --build         rewrite every page's generated part from a fresh run
    stepflow lesson --check         exit 1 when a page differs from what its lesson gives now
"""
from __future__ import annotations

import argparse
import json
import sys

from stepflow.cli._lessons import all_lessons, check_pages, find_lesson, write_pages


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lesson",
        help="run a lesson of the course in docs/lessons, a state at a time",
        description="Run a lesson of the course (docs/lessons) in the terminal with stepping on; "
        "without NAME, list the lessons.",
    )
    parser.add_argument("name", nargs="?", help="the lesson: its folder name, its name without the number, or its number")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--build", action="store_true", help="rebuild every lesson's page from running it")
    action.add_argument("--check", action="store_true", help="fail when a page differs from its lesson's run")
    parser.set_defaults(handler=lesson_command)


def lesson_command(args: argparse.Namespace) -> int:
    if args.build:
        changed = write_pages()
        print(f"rebuilt {len(changed)} page(s){': ' + ', '.join(changed) if changed else ''}")
        return 0
    if args.check:
        stale = check_pages()
        if stale:
            print(f"stale lesson pages (run 'stepflow lesson --build'): {', '.join(stale)}", file=sys.stderr)
            return 1
        print("every lesson page matches its run")
        return 0
    if args.name is None:
        for lesson in all_lessons():
            print(f"{lesson.name:<28}{lesson.title}")
        return 0
    from stepflow.debug.terminal import step_in_terminal

    lesson = find_lesson(args.name)
    print(f"{lesson.title}  (the page: {lesson.page})")
    machine = lesson.machine()
    execution = step_in_terminal(machine.debug(lesson.input(), name=lesson.name))
    print(f"output: {json.dumps(execution.output, ensure_ascii=False)}" if execution.status == "SUCCEEDED"
          else f"error: {execution.error}: {execution.cause}")
    return 0
