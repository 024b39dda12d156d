"""Mocked Task responses in Step Functions Local's MockConfigFile format, chosen per test case.

The format (AWS developer guide, "Configuration file for mocked service integrations")::

    {"StateMachines": {"<machine name>": {"TestCases": {"<test case>": {"<state name>": "<response name>"}}}},
     "MockedResponses": {"<response name>": {"0": {"Return": ...}, "1-2": {"Throw": {"Error": ..., "Cause": ...}}}}}

Keys of a mocked response count the invocations of that state within one execution, from 0, retries
included; a key is one number or an inclusive range. ``Return`` is the task's result exactly as the
service would answer (a ``lambda:invoke`` mock returns the whole Invoke response), ``Throw`` fails the
task. An invocation with no response fails the task, as Step Functions Local does. A mocked state
still runs its InputPath, Parameters, ResultSelector, ResultPath, OutputPath, Retry and Catch: only the
call to the service is replaced. States not named in the test case call their real handlers.
"""
from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from stepflow.asl.errors import ASLError, StepflowError
from stepflow.machine import NO_INPUT
from stepflow.integrations.resources import Resources

# Step Functions Local reads the file named by this variable (default: MockConfigFile.json).
MOCK_CONFIG_ENV = "SFN_MOCK_CONFIG"
MOCK_NOT_FOUND = "States.Runtime"
_KEY = re.compile(r"^(\d+)(?:-(\d+))?$")


class MockConfigError(StepflowError):
    """A mock configuration that cannot be used, naming the place in it (``MockedResponses.X."1-2"``)."""


@dataclass(frozen=True)
class MockedResponse:
    """One named mocked response: which answer each invocation number gets."""

    name: str
    answers: tuple[tuple[int, int, str, Any], ...]  # (first, last, "Return" | "Throw", value)

    @classmethod
    def parse(cls, name: str, spec: Any) -> MockedResponse:
        """Check and compile ``{"0": {"Return": ...}, "1-2": {"Throw": {...}}}``."""
        where = f"MockedResponses.{name}"
        if not isinstance(spec, Mapping) or not spec:
            raise MockConfigError(f"{where} must be a non-empty object keyed by invocation numbers")
        answers = []
        for key, answer in spec.items():
            match = _KEY.match(key) if isinstance(key, str) else None
            if match is None:
                raise MockConfigError(f'{where}."{key}" must be an invocation number ("0") or range ("1-2")')
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            if last < first:
                raise MockConfigError(f'{where}."{key}" is an empty range')
            answers.append((first, last, *_answer(f'{where}."{key}"', answer)))
        answers.sort()
        for (_, last, *_), (first, *_) in zip(answers, answers[1:]):
            if first <= last:
                raise MockConfigError(f"{where} gives invocation {first} more than one response")
        return cls(name, tuple(answers))

    def answer(self, invocation: int) -> Any:
        """The result for invocation number ``invocation``, or the ASLError it throws."""
        for first, last, kind, value in self.answers:
            if first <= invocation <= last:
                if kind == "Throw":
                    raise ASLError(value["Error"], value.get("Cause"))
                return json.loads(json.dumps(value))  # each answer is a fresh value, as from a service
        raise ASLError(
            MOCK_NOT_FOUND,
            f"The mocked response {self.name!r} has no response for invocation {invocation}",
        )


def _answer(where: str, answer: Any) -> tuple[str, Any]:
    if not isinstance(answer, Mapping) or len(answer) != 1 or next(iter(answer)) not in ("Return", "Throw"):
        raise MockConfigError(f"{where} must hold exactly one field, Return or Throw")
    kind, value = next(iter(answer.items()))
    if kind == "Throw":
        if not isinstance(value, Mapping) or not isinstance(value.get("Error"), str):
            raise MockConfigError(f"{where}.Throw must be an object with an Error string (and a Cause string)")
        if not isinstance(value.get("Cause", ""), str):
            raise MockConfigError(f"{where}.Throw.Cause must be a string")
    return kind, value


class TestCase:
    """The mocks of one test case, counting each state's invocations for one execution.

    Make a fresh one per execution (``MockConfig.test_case`` does); counting is thread-safe so that
    Map iterations and Parallel branches share the count, as on Step Functions Local.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, mocks: Mapping[str, MockedResponse], name: str = "") -> None:
        self.name = name
        self.mocks = dict(mocks)
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, states: Mapping[str, Any], name: str = "") -> TestCase:
        """Mocks written in Python: ``{"StateName": spec}`` where spec is a MockConfigFile response
        (``{"0": {"Return": ...}}``), one answer (``{"Return": ...}``, used for every invocation)
        or a list of answers (invocations 0, 1, 2...)."""
        mocks = {}
        for state, spec in states.items():
            if isinstance(spec, list):
                spec = {str(i): answer for i, answer in enumerate(spec)}
            elif isinstance(spec, Mapping) and set(spec) <= {"Return", "Throw"} and spec:
                spec = {f"0-{2**31 - 1}": spec}
            mocks[state] = MockedResponse.parse(state, spec)
        return cls(mocks, name)

    def invocations(self, state_name: str) -> int:
        """How many times ``state_name`` has been answered so far."""
        with self._lock:
            return self._counts.get(state_name, 0)

    def answer(self, state_name: str) -> Any:
        with self._lock:
            invocation = self._counts.get(state_name, 0)
            self._counts[state_name] = invocation + 1
        return self.mocks[state_name].answer(invocation)


class MockConfig:
    """A parsed MockConfigFile: test cases by state machine name, and the named responses."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        if not isinstance(config, Mapping):
            raise MockConfigError("a mock configuration must be a JSON object")
        responses = config.get("MockedResponses", {})
        machines = config.get("StateMachines", {})
        if not isinstance(responses, Mapping) or not isinstance(machines, Mapping):
            raise MockConfigError("StateMachines and MockedResponses must be objects")
        self.responses = {name: MockedResponse.parse(name, spec) for name, spec in responses.items()}
        self.test_cases: dict[str, dict[str, dict[str, str]]] = {}
        for machine, body in machines.items():
            cases = body.get("TestCases") if isinstance(body, Mapping) else None
            if not isinstance(cases, Mapping):
                raise MockConfigError(f"StateMachines.{machine} must hold a TestCases object")
            for case, states in cases.items():
                where = f"StateMachines.{machine}.TestCases.{case}"
                if not isinstance(states, Mapping):
                    raise MockConfigError(f"{where} must map state names to mocked response names")
                for state, response in states.items():
                    if response not in self.responses:
                        raise MockConfigError(f"{where}.{state} names {response!r}, which MockedResponses lacks")
            self.test_cases[machine] = {case: dict(states) for case, states in cases.items()}

    @classmethod
    def load(cls, source: str | os.PathLike[str] | Mapping[str, Any] | None = None) -> MockConfig:
        """From a dict, a file path, or (no argument) the file Step Functions Local would read:
        ``$SFN_MOCK_CONFIG``, else ``MockConfigFile.json`` in the current directory."""
        if isinstance(source, Mapping):
            return cls(source)
        path = Path(source if source is not None else os.environ.get(MOCK_CONFIG_ENV, "MockConfigFile.json"))
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except OSError as error:
            raise MockConfigError(f"cannot read mock configuration {path}: {error.strerror}") from None
        except json.JSONDecodeError as error:
            raise MockConfigError(f"{path} is not valid JSON: {error}") from None

    def test_case(self, state_machine_name: str, test_case: str) -> TestCase:
        """A fresh TestCase (counts at zero) for one execution of ``state_machine_name``."""
        cases = self.test_cases.get(state_machine_name)
        if cases is None:
            known = ", ".join(repr(name) for name in sorted(self.test_cases)) or "none"
            raise MockConfigError(
                f"the mock configuration has no state machine named {state_machine_name!r} under StateMachines "
                f"(it has: {known}). A machine's name is StateMachine(name=...), the definition file's name "
                "for StateMachine.from_file (orders.asl.json -> 'orders'), or create_state_machine's name."
            )
        if test_case not in cases:
            known = ", ".join(sorted(cases)) or "none"
            raise MockConfigError(
                f"state machine {state_machine_name!r} has no test case {test_case!r} (it has: {known})"
            )
        states = cases[test_case]
        return TestCase({state: self.responses[name] for state, name in states.items()}, test_case)


class MockedResources(Resources):
    """The machine's resources with the mocked states of a test case answered from the mock.

    It stands in for the machine's Resources for one execution
    (``StateMachine.run(..., resources=MockedResources(machine.resources, case))``). A mocked state
    keeps the history events of its real resource kind; a mocked ``.waitForTaskToken`` task answers
    at once, as Step Functions Local does.
    """

    def __init__(self, inner: Resources, test_case: TestCase) -> None:
        super().__init__(
            {name: inner.handler(name) for name in inner.names()},  # type: ignore[misc]
            region=inner.region, account=inner.account, callbacks=inner.callbacks,
            data_root=inner._data_root, state_machines=inner.state_machines,
        )
        self.test_case = test_case

    def override(self, state_name: str) -> Any:
        if state_name not in self.test_case.mocks:
            return None
        return lambda _input: self.test_case.answer(state_name)


def run_test_case(
    machine: Any,
    test_case: TestCase | str,
    input: Any = NO_INPUT,
    *,
    mock_config: MockConfig | None = None,
    **run_kwargs: Any,
) -> Any:
    """Run ``machine`` once with a test case's mocks and return the Execution.

    ``test_case`` is a TestCase, or the name of one of ``machine.name``'s test cases in
    ``mock_config`` (default: the file Step Functions Local would read). A named test case starts
    its counts at zero for every run.
    """
    if isinstance(test_case, str):
        test_case = (mock_config or MockConfig.load()).test_case(machine.name, test_case)
    _check_states(test_case, machine)
    return machine.run(input, resources=MockedResources(machine.resources, test_case), **run_kwargs)


def _check_states(test_case: TestCase, machine: Any) -> None:
    """A mocked state the machine does not have is a mistake (a typo would silently call the real
    handler): say which states it has."""
    states = list(_state_names(machine.definition))
    unknown = sorted(set(test_case.mocks) - set(states))
    if unknown:
        named = f"test case {test_case.name!r}" if test_case.name else "the test case"
        raise MockConfigError(
            f"{named} mocks {', '.join(map(repr, unknown))}, which state machine {machine.name!r} does not "
            f"have (its states: {', '.join(states)})"
        )


def _state_names(definition: Any) -> Any:
    """Every state name of a definition, nested Parallel branches and Map processors included."""
    for name, state in (definition.get("States") or {}).items():
        yield name
        for branch in state.get("Branches") or []:
            yield from _state_names(branch)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            yield from _state_names(processor)
