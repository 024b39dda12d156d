"""stepflow's testing toolkit: mocked task responses, single-state tests, path assertions.

The pytest fixtures live in ``stepflow.testing.plugin`` (loaded by pytest through its ``pytest11``
entry point); the API-shaped client in ``stepflow.client``.
"""
from stepflow.testing.assertions import (
    assert_history_contains,
    assert_not_visited,
    assert_states_visited,
    history_types,
    states_visited,
    step,
)
from stepflow.testing.mocks import MockConfig, MockConfigError, MockedResources, MockedResponse, TestCase, run_test_case
from stepflow.testing.test_state import test_state

__all__ = [
    "MockConfig",
    "MockConfigError",
    "MockedResources",
    "MockedResponse",
    "TestCase",
    "assert_history_contains",
    "assert_not_visited",
    "assert_states_visited",
    "history_types",
    "run_test_case",
    "states_visited",
    "step",
    "test_state",
]
