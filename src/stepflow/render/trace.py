"""The data-flow trace: state by state, what each stage of ASL's pipeline did to the data.

AWS applies InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath -> OutputPath
("Processing input and output", developer guide); a JSONata state has Arguments -> (work) ->
Output instead, and either may Assign variables, shown after the stages. The trace shows every stage a state type has,
says "(unchanged)" where a stage left the data alone and names the keys it added, removed or
changed, so a reader sees where a field came from or went. Retries and caught errors are shown in
the visit they belong to. On a terminal: colour, and long values elided; otherwise plain and whole.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from stepflow.render.terminal import styled

# (StepRecord attribute, label) in pipeline order.
_STAGES = (
    ("input", "input"),
    ("after_input_path", "after InputPath"),
    ("after_parameters", "after Parameters"),
    ("result", "result"),
    ("after_result_selector", "after ResultSelector"),
    ("after_result_path", "after ResultPath"),
    ("output", "output (OutputPath)"),
)
# A JSONata state's stages: StepRecord keeps Arguments in after_parameters and Output in output.
_JSONATA_STAGES = (
    ("input", "input"),
    ("after_parameters", "after Arguments"),
    ("result", "result"),
    ("output", "output (Output)"),
)
_JSONATA_ARGUMENTS = {"Task", "Parallel"}  # the state types whose JSONata form takes Arguments
_ASSIGNED = "assigned (Assign)"
# The stages each state type has (ASL spec, "Filters": which fields each state type allows).
_TYPE_STAGES = {
    "Task": {s for s, _ in _STAGES},
    "Parallel": {s for s, _ in _STAGES},
    "Map": {s for s, _ in _STAGES},
    "Pass": {"input", "after_input_path", "after_parameters", "result", "after_result_path", "output"},
    "Choice": {"input", "after_input_path", "output"},
    "Wait": {"input", "after_input_path", "output"},
    "Succeed": {"input", "after_input_path", "output"},
    "Fail": {"input"},
}
_NOTHING = object()  # "no stage before this one" (None is a JSON value)
_CAUGHT_OUTPUT = "output (Catch ResultPath)"
_LABEL_WIDTH = max(len(_CAUGHT_OUTPUT), *(len(label) for _, label in _STAGES)) + 2
_ELIDE_WIDTH = 110
_DEPTH = 4  # nesting shown before an elided value is summarised by its size
_STATUS_COLOUR = {"SUCCEEDED": "green", "FAILED": "red", "CAUGHT": "yellow", "TIMED_OUT": "red",
                  "ABORTED": "red", "RUNNING": "blue"}


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        return styled(text, " ".join(styles))


def format_trace(execution: Any, color: bool, elide: bool | None = None) -> str:
    """The whole execution's trace; ``elide`` (default: same as ``color``) shortens long values."""
    style = _Style(color)
    elide = color if elide is None else elide
    status = execution.status
    lines = [
        f"{style('Execution', 'bold')} {execution.name}  {style(status, 'bold', _STATUS_COLOUR.get(status, 'bold'))}",
        f"  {'input':<{_LABEL_WIDTH}}{show(execution.input, elide)}",
        "",
    ]
    for step in execution.steps:
        lines += format_step(step, color, elide)
        lines.append("")
    if status == "SUCCEEDED":
        lines.append(f"{style('Execution output', 'bold')}  {show(execution.output, elide)}")
    elif status != "RUNNING":
        lines.append(f"{style('Execution ' + status, 'bold', 'red')}  {execution.error}: {execution.cause}")
    return "\n".join(lines) + "\n"


def format_step(step: Any, color: bool, elide: bool) -> list[str]:
    """One state visit: a header, then each of its type's stages and what it changed."""
    style = _Style(color)
    indent = "    " * (len(step.scope) // 2)
    where = _scope_text(step.scope)
    header = f"{indent}{style('▶ ' + step.name, 'bold', 'cyan')} ({step.state_type})"
    header += f"{style(' in ' + where, 'dim') if where else ''}  {style(step.status, _STATUS_COLOUR.get(step.status, 'bold'))}"
    lines = [header]

    def line(label: str, text: str, *styles: str) -> None:
        lines.append(f"{indent}  {style(f'{label:<{_LABEL_WIDTH}}', *styles)}{text}")

    for stage in data_flow(step):
        line(stage.label, style(_NOTES[stage.note], "dim") if stage.note else show(stage.value, elide), "dim")
        for sign, key, value in stage.changes:
            change = style(f"{sign} {key}" + (": " if sign != "-" else ""), _SIGN_COLOUR[sign])
            lines.append(f"{indent}  {' ' * _LABEL_WIDTH}{change}{show(value, elide) if sign != '-' else ''}")
    for attempt, retry in enumerate(step.retries, start=1):
        delay = retry.get("delay")
        wait = f", retried after {delay:g}s" if isinstance(delay, (int, float)) else ""
        line(f"retry {attempt}", f"{retry.get('error')}: {_short(retry.get('cause'), elide)}{wait}", "yellow")
    if step.status in ("CAUGHT", "FAILED"):
        word = "caught" if step.status == "CAUGHT" else "failed"
        line(word, f"{step.error}: {_short(step.cause, elide)}", "bold", "yellow" if word == "caught" else "red")
    if step.next and step.status != "FAILED":
        lines.append(f"{indent}  {style('→ ' + step.next, 'bold')}")
    return lines




def _scope_text(scope: tuple[Any, ...]) -> str:
    """``("Fan", 0, "Items", 7)`` -> ``Fan #0 / Items #7`` (branch 0 of Fan, iteration 7 of Items)."""
    parts = []
    for owner, index in zip(scope[::2], scope[1::2]):
        parts.append(f"{owner} #{index}")
    return " / ".join(parts)


@dataclass(frozen=True)
class Stage:
    """One stage of a visit's data flow: its value, or a note saying why the value is not repeated,
    and the keys it added ("+"), removed ("-") or changed ("~") compared with the stage before."""

    label: str
    value: Any
    note: str = ""  # "", "unchanged" or "discarded"
    changes: tuple[tuple[str, str, Any], ...] = ()


_NOTES = {"unchanged": "(unchanged)", "discarded": "(the input: ResultPath discarded the result)"}
_SIGN_COLOUR = {"+": "green", "-": "red", "~": "yellow"}


def data_flow(step: Any) -> list[Stage]:
    """The stages a visit went through, for its state type and query language, in AWS's order,
    then the variables it assigned."""
    stages = _TYPE_STAGES.get(step.state_type, {s for s, _ in _STAGES})
    jsonata = getattr(step, "query_language", "JSONPath") == "JSONata"
    pipeline = _JSONATA_STAGES if jsonata else _STAGES
    if jsonata and step.state_type not in _JSONATA_ARGUMENTS:
        stages = stages - {"after_parameters"}
    flow: list[Stage] = []
    previous: Any = _NOTHING
    for attribute, label in pipeline:
        value = getattr(step, attribute)
        if attribute not in stages or not _reached(step, attribute):
            continue  # a stage this type lacks, or one the visit never reached
        if attribute == "output" and step.status == "CAUGHT":
            # A catcher's ResultPath (or Output) writes the error output; OutputPath is skipped.
            label, previous = _CAUGHT_OUTPUT, step.input
        if attribute == "after_result_path":
            # ResultPath writes the result into the state's raw input, so compare with that.
            previous = step.input
            if value == step.input and step.result != step.input:
                flow.append(Stage(label, value, "discarded"))
                continue
        if attribute == "result" or previous is _NOTHING or value != previous:
            changes = () if attribute == "result" else _changes(previous, value)
            flow.append(Stage(label, value, changes=changes))
        else:
            flow.append(Stage(label, value, "unchanged"))
        previous = value
    if getattr(step, "assigned", None):
        flow.append(Stage(_ASSIGNED, step.assigned))
    return flow


def _reached(step: Any, attribute: str) -> bool:
    """Whether the visit got to a stage (a stage may have produced JSON null)."""
    reached = getattr(step, "stage_reached", None)
    return reached(attribute) if reached is not None else getattr(step, attribute) is not None or attribute == "input"


def _changes(before: Any, after: Any) -> tuple[tuple[str, str, Any], ...]:
    """What changed between two object stages, key by key; nothing for other kinds of value."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return ()
    return (
        *(("+", k, after[k]) for k in after if k not in before),
        *(("-", k, None) for k in before if k not in after),
        *(("~", k, after[k]) for k in after if k in before and after[k] != before[k]),
    )


def show(value: Any, elide: bool) -> str:
    """Compact JSON; elided, long strings and lists are cut to a sample with a count of the rest."""
    if not elide:
        return json.dumps(value, ensure_ascii=False, default=str)
    text = json.dumps(_sample(value, depth=0), ensure_ascii=False, default=str)
    return text if len(text) <= _ELIDE_WIDTH else text[: _ELIDE_WIDTH - 1] + "…"


def _sample(value: Any, depth: int) -> Any:
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:40]}…(+{len(value) - 40} chars)"
    if isinstance(value, list):
        if depth >= _DEPTH:
            return [f"…{_count(len(value), 'item')}"] if value else []
        shown = [_sample(v, depth + 1) for v in value[:5]]
        return shown + ([f"…(+{len(value) - 5} more)"] if len(value) > 5 else [])
    if isinstance(value, dict):
        if depth >= _DEPTH:
            return {"…": _count(len(value), "key")} if value else {}
        return {k: _sample(v, depth + 1) for k, v in value.items()}
    return value


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _short(text: str | None, elide: bool) -> str:
    if text is None:
        return ""
    return text if not elide or len(text) <= 160 else text[:159] + "…"
