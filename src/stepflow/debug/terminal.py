"""``stepflow run --step``: a DebugSession driven from a terminal.

Before each state it shows where the run is (the state, its lane, the edges leaving it in the
graph), the data going in and what each data-flow stage of that state will do; then it reads a
command. The prompt is prompt_toolkit's (line editing, history, completion of commands and state
names); without a terminal (a pipe), lines are read plainly, so the stepper can be scripted.
"""
from __future__ import annotations

import json
import os
import sys
from typing import Any, Callable, TextIO

from stepflow.asl.errors import StepflowError
from stepflow.debug.session import DebugError, DebugSession
from stepflow.engine.execution import Execution
from stepflow.render.graph import build_graph
from stepflow.render.trace import format_step, show
from stepflow.testing.test_state import find_state_scope

HELP = "n next · c continue · b NAME breakpoint (b: list) · p EXPR print (JSONPath or JSONata) · d JSON set the data · q quit"
# What a data-flow field does when a state leaves it out (developer guide, "Processing input and output").
_STAGES_JSONPATH = (
    ("InputPath", "$ (the whole input)"),
    ("Parameters", "(none: the input as it is)"),
    ("ItemSelector", None),
    ("ResultSelector", "(none: the result as it is)"),
    ("ResultPath", "$ (the result replaces the input)"),
    ("OutputPath", "$ (all of it)"),
)
_STAGES_JSONATA = (("Arguments", "(none: the input as it is)"), ("Output", "(none: the result)"))
# The fields saying what a state type does with its effective input, shown before the stages.
_WORK = {
    "Task": ("Resource", "TimeoutSeconds", "HeartbeatSeconds"),
    "Pass": ("Result",),
    "Wait": ("Seconds", "SecondsPath", "Timestamp", "TimestampPath"),
    "Map": ("ItemsPath", "Items", "MaxConcurrency"),
    "Fail": ("Error", "Cause", "ErrorPath", "CausePath"),
}
_NO_RESULT_TYPES = {"Choice", "Wait", "Succeed", "Fail"}  # no Parameters/ResultSelector/ResultPath


class MissingStepper(StepflowError):
    """The terminal stepper's prompt library is not installed."""


def step_in_terminal(session: DebugSession, out: TextIO = sys.stdout, read: Callable[[str], str] | None = None) -> Execution:
    """Drive ``session`` from the terminal until the execution ends (or ``q``); returns it."""
    color = out.isatty() and not os.environ.get("NO_COLOR")  # no-color.org
    read = read or _reader(session, sys.stdin.isatty())
    graph = build_graph(session.machine.definition)
    last = "n"
    out.write(f"Stepping through {session.machine.name} ({HELP})\n")
    while not session.done:
        out.write(describe(session, graph) + "\n")
        while True:
            try:
                line = read("(stepflow) ").strip() or last
            except EOFError:
                line = "q"
            last = line if line[:1] in ("n", "c") else last
            command, _, argument = line.partition(" ")
            try:
                if _command(session, command, argument.strip(), out, color):
                    break
            except DebugError as problem:
                out.write(f"  ! {problem}\n")
    execution = session.execution
    assert execution is not None
    out.write(f"Execution {execution.name} ended: {execution.status}\n")
    return execution


def _command(session: DebugSession, command: str, argument: str, out: TextIO, color: bool) -> bool:
    """Do one command; True when the session moved on (a new pause or the end)."""
    if command in ("n", "next", "s", "step"):
        record = session.step()
        out.write("\n".join(format_step(record, color=color, elide=True)) + "\n")
        return True
    if command in ("c", "continue"):
        session.resume()
        return True
    if command in ("q", "quit"):
        session.quit()
        return True
    if command in ("b", "break"):
        if not argument:
            named = ", ".join(str(b) for b in session.breakpoints) or "none"
            out.write(f"  breakpoints: {named}\n")
        elif find_state_scope(session.machine.definition, argument) is None:
            out.write(f"  ! no state named {argument!r}\n")
        else:
            session.breakpoints.append(argument)
            out.write(f"  breakpoint before {argument}\n")
        return False
    if command in ("p", "print"):
        out.write(f"  = {json.dumps(session.evaluate(argument), ensure_ascii=False)}\n")
        return False
    if command in ("d", "data"):
        try:
            session.data = json.loads(argument)
        except json.JSONDecodeError as error:
            raise DebugError(f"d takes JSON: {error}") from None
        out.write(f"  input now {show(session.data, True)}\n")
        return False
    out.write(f"  {HELP}\n")
    return False


def describe(session: DebugSession, graph: Any) -> str:
    """Where the session is paused: state, lane, edges out, input, variables, each stage's field."""
    name, lane = session.state, session.lane or ()
    definition = find_state_scope(session.machine.definition, name)["States"][name]  # type: ignore[index]
    where = " / ".join(f"{owner} #{index}" for owner, index in zip(lane[::2], lane[1::2])) or "top level"
    lines = [f"── before {name} ({session.state_type}) · {where} " + "─" * 20]
    node = graph.node_id(name)
    edges = [e for e in graph.edges if e.source == node]
    targets = [f"{graph.nodes[e.target].name}" + (f" ({e.label})" if e.label else "") for e in edges]
    if definition.get("End") or definition.get("Type") in ("Succeed", "Fail"):
        targets.append(f"the end of {where}" if lane else "the end of the execution")
    lines.append("   goes to   " + " | ".join(targets))
    lines.append(f"   input     {show(session.data, True)}")
    if session.variables:
        lines.append(f"   variables {show(session.variables, True)}")
    lines += [f"   {field:<15}{text}" for field, text in stages(definition, session.paused_state)]
    return "\n".join(lines)


def stages(state: dict[str, Any], compiled: Any) -> list[tuple[str, str]]:
    """What each data-flow field of ``state`` will do: its value as written, or its default."""
    jsonata = getattr(getattr(compiled, "flow", None), "query_language", "JSONPath") == "JSONata"
    shown: list[tuple[str, str]] = [(field, json.dumps(state[field], ensure_ascii=False))
                                    for field in _WORK.get(state.get("Type", ""), ()) if field in state]
    for field, default in _STAGES_JSONATA if jsonata else _STAGES_JSONPATH:
        if field == "ResultPath" and field in state and state[field] is None:
            shown.append((field, "null (the result is discarded: the input goes on)"))
        elif field in state:
            shown.append((field, json.dumps(state[field], ensure_ascii=False)))
        elif default is not None and not (state.get("Type") in _NO_RESULT_TYPES and field not in ("InputPath", "OutputPath")):
            if state.get("Type") != "Fail":
                shown.append((field, default))
    if "Assign" in state:
        shown.append(("Assign", json.dumps(state["Assign"], ensure_ascii=False)))
    for rule in ("Retry", "Catch"):
        for entry in state.get(rule, []):
            errors = ", ".join(entry.get("ErrorEquals", []))
            shown.append((rule, f"{errors} → {entry.get('Next', '')}" if rule == "Catch" else
                           f"{errors}: {json.dumps({k: v for k, v in entry.items() if k != 'ErrorEquals'})}"))
    return shown


def _reader(session: DebugSession, interactive: bool) -> Callable[[str], str]:
    """prompt_toolkit's prompt on a terminal (history, completion); plain lines from a pipe."""
    if not interactive:
        def plain(prompt: str) -> str:
            sys.stdout.write(prompt)
            sys.stdout.flush()
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            return line
        return plain
    try:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import WordCompleter
    except ImportError:
        raise MissingStepper(
            "--step needs prompt_toolkit: pip install 'stepflow[step]'"
        ) from None
    names = sorted(build_graph(session.machine.definition).by_name)
    prompt = PromptSession(completer=WordCompleter(["n", "c", "b", "p", "d", "q", *names]))
    return prompt.prompt
