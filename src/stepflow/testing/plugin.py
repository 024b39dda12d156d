"""stepflow's pytest plugin (entry point ``pytest11``): fixtures for testing state machines.

- ``stepflow_home``: an isolated data root (``STEPFLOW_HOME``) in the test's tmp_path, so buckets,
  tables, face collections and the execution store of one test never touch another's.
- ``virtual_clock``: the test's VirtualClock; Waits, retries and timeouts cost no real time.
- ``make_state_machine``: ``make_state_machine(definition, resources=..., ...)`` builds a
  StateMachine on the test's virtual clock.
- ``sfn_client``: a ``stepflow.client.Client`` (boto3 stepfunctions' shape) on the virtual clock,
  with the mock configuration below; closed after the test.
- ``template_stack``: ``template_stack("path/to/template.yaml", parameters={...})`` brings a SAM,
  CloudFormation, CDK or Serverless project's stack up in the test's data root; its state
  machines come from ``stack.state_machine("LogicalId")``; its function workers stop after the test.
- ``mock_config``: the MockConfigFile named by ``--stepflow-mock-config``, the ``stepflow_mock_config``
  ini option, or ``SFN_MOCK_CONFIG`` (as Step Functions Local reads it).

Assertion helpers live in ``stepflow.testing`` (``assert_states_visited``, ``assert_history_contains``...).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from stepflow.client import Client
from stepflow.runtime.clock import VirtualClock
from stepflow.machine import StateMachine
from stepflow.testing.mocks import MOCK_CONFIG_ENV, MockConfig

_OPTION = "stepflow_mock_config"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("stepflow")
    group.addoption(
        "--stepflow-mock-config", dest=_OPTION, metavar="FILE",
        help="a Step Functions Local MockConfigFile for the mock_config and sfn_client fixtures",
    )
    parser.addini(_OPTION, "a Step Functions Local MockConfigFile (relative to the rootdir)", default="")


@pytest.fixture
def stepflow_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data root for this test only, set as ``STEPFLOW_HOME``."""
    home = tmp_path / "stepflow-home"
    home.mkdir()
    monkeypatch.setenv("STEPFLOW_HOME", str(home))
    return home


@pytest.fixture
def virtual_clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def make_state_machine(virtual_clock: VirtualClock) -> Callable[..., StateMachine]:
    """A factory: ``make_state_machine(definition, **StateMachine kwargs)`` on the virtual clock."""

    def make(definition: Any, **kwargs: Any) -> StateMachine:
        kwargs.setdefault("clock", virtual_clock)
        if isinstance(definition, (str, os.PathLike)) and not str(definition).lstrip().startswith("{"):
            return StateMachine.from_file(definition, **kwargs)
        return StateMachine(definition, **kwargs)

    return make


@pytest.fixture
def template_stack(stepflow_home: Path) -> Iterator[Callable[..., Any]]:
    """A factory: ``template_stack(path, parameters=None, name=None)`` -> ``stepflow.stacks.Stack``."""
    from stepflow.stacks import Stack

    stacks: list[Stack] = []

    def up(path: Any, parameters: dict[str, str] | None = None, name: str | None = None) -> Stack:
        stack = Stack.from_template(path, parameters, name=name, root=stepflow_home)
        stacks.append(stack)
        return stack

    yield up
    for stack in stacks:
        stack.close()


@pytest.fixture
def mock_config(pytestconfig: pytest.Config) -> MockConfig:
    """The configured MockConfigFile (option, ini or ``SFN_MOCK_CONFIG``)."""
    path = _mock_config_path(pytestconfig)
    if path is None:
        pytest.fail(
            f"no mock configuration: pass --stepflow-mock-config, set the {_OPTION} ini option or {MOCK_CONFIG_ENV}"
        )
    return MockConfig.load(path)


@pytest.fixture
def sfn_client(stepflow_home: Path, virtual_clock: VirtualClock, pytestconfig: pytest.Config) -> Iterator[Client]:
    """A local Step Functions client on the virtual clock, in an isolated data root."""
    path = _mock_config_path(pytestconfig)
    client = Client(clock=virtual_clock, mock_config=MockConfig.load(path) if path else None)
    yield client
    client.close()


def _mock_config_path(config: pytest.Config) -> str | None:
    option = config.getoption(_OPTION, default=None)
    if option:
        return str(option)
    ini = config.getini(_OPTION)
    if ini:
        return str(Path(config.rootpath) / ini)
    return os.environ.get(MOCK_CONFIG_ENV) or None
