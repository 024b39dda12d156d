"""Static rules for workflow variables (``Assign``), checked with the rest of a definition.

AWS ("Passing data between states with variables"):
- a variable name is a Unicode identifier (its first character may not be a digit) of at most
  80 characters; ``states`` is reserved (``$states`` is the JSONata binding);
- a Parallel branch or Map processor reads the variables of the scopes around it but may not
  assign a variable that an enclosing scope assigns.
``Assign`` appears on states, Choice rules and Catchers; in JSONPath its keys may end in ``.$``.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stepflow.asl.errors import Diagnostic

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MAX_NAME_LENGTH = 80
RESERVED = {"states"}


def variable_problems(definition: dict[str, Any]) -> list[Diagnostic]:
    """Every bad variable name and every inner-scope assignment of an outer variable."""
    problems: list[Diagnostic] = []
    _machine(definition, "", frozenset(), problems)
    return problems


def _machine(machine: Any, where: str, outer: frozenset[str], problems: list[Diagnostic]) -> None:
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return
    assigned: set[str] = set()
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        at = f"{where}/States/{_escape(name)}"
        for pointer, variable in _assignments(state, at):
            if not (variable.isidentifier() and len(variable) <= MAX_NAME_LENGTH) or variable in RESERVED:
                problems.append(Diagnostic(SCHEMA, _bad_name(variable), pointer))
            elif variable in outer:
                problems.append(Diagnostic(
                    SCHEMA,
                    f"The variable '{variable}' is assigned in an enclosing scope; a Parallel branch or Map "
                    "processor may read it but not assign it",
                    pointer,
                ))
            assigned.add(variable)
    inner = outer | assigned
    for name, state in states.items():
        if isinstance(state, dict):
            for pointer, nested in _nested_machines(state, f"{where}/States/{_escape(name)}"):
                _machine(nested, pointer, inner, problems)


def _bad_name(variable: str) -> str:
    if variable in RESERVED:
        return f"The variable name '{variable}' is reserved"
    return (
        f"The variable name '{variable}' is invalid: names are identifiers (letters, digits and '_', "
        f"not starting with a digit) of at most {MAX_NAME_LENGTH} characters"
    )


def _assignments(state: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    """(pointer, variable name) of every Assign entry on the state, its Choice rules and Catchers."""
    holders = [(state, where)]
    for field in ("Choices", "Catch"):
        entries = state.get(field)
        if isinstance(entries, list):
            holders += [(entry, f"{where}/{field}/{i}") for i, entry in enumerate(entries) if isinstance(entry, dict)]
    for holder, at in holders:
        assign = holder.get("Assign")
        if isinstance(assign, dict):
            for key in assign:
                yield f"{at}/Assign/{_escape(key)}", key[:-2] if key.endswith(".$") else key


def _nested_machines(state: dict[str, Any], where: str) -> Iterator[tuple[str, Any]]:
    branches = state.get("Branches")
    if isinstance(branches, list):
        yield from ((f"{where}/Branches/{i}", branch) for i, branch in enumerate(branches))
    for field in ("ItemProcessor", "Iterator"):
        if isinstance(state.get(field), dict):
            yield f"{where}/{field}", state[field]


def _escape(name: str) -> str:
    return str(name).replace("~", "~0").replace("/", "~1")
