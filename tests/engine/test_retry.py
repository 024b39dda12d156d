"""Retry and Catch policy, checked against the AWS developer guide's "Handling errors" examples."""
from __future__ import annotations

import random

import pytest

from stepflow.asl.errors import ASLError, DefinitionError
from stepflow.runtime.signals import HeartbeatTimedOut
from stepflow.engine.retry import compile_catchers, compile_retriers, error_matches


def delays(policy, errors):
    return [policy.next_delay(error) for error in errors]


# --- error matching -------------------------------------------------------------------------------


def test_plain_error_names_match_exactly_and_case_sensitively():
    assert error_matches(["HandledError"], "HandledError")
    assert not error_matches(["HandledError"], "handlederror")
    assert not error_matches(["HandledError"], "OtherError")


def test_any_name_in_error_equals_can_match():
    assert error_matches(["ErrorA", "ErrorB"], "ErrorB")


def test_states_all_matches_task_and_predefined_errors():
    # States.DataLimitExceeded too: AWS's recorded executions catch it with States.ALL.
    errors = ["ValueError", "States.Timeout", "States.TaskFailed", "States.BranchFailed", "States.DataLimitExceeded"]
    for error in errors:
        assert error_matches(["States.ALL"], error), error


def test_states_all_does_not_match_states_runtime():
    assert not error_matches(["States.ALL"], "States.Runtime")


def test_states_task_failed_does_not_match_data_limit_exceeded():
    assert not error_matches(["States.TaskFailed"], "States.DataLimitExceeded")


def test_data_limit_exceeded_matches_when_named_explicitly():
    assert error_matches(["States.DataLimitExceeded"], "States.DataLimitExceeded")


def test_states_task_failed_matches_a_lambda_error_but_not_timeouts():
    assert error_matches(["States.TaskFailed"], "HandledError")
    assert error_matches(["States.TaskFailed"], "Lambda.Unknown")
    assert error_matches(["States.TaskFailed"], "States.TaskFailed")
    assert not error_matches(["States.TaskFailed"], "States.Timeout")
    assert not error_matches(["States.TaskFailed"], "States.HeartbeatTimeout")
    assert not error_matches(["States.TaskFailed"], "States.Runtime")


def test_states_timeout_also_matches_a_heartbeat_timeout():
    assert error_matches(["States.Timeout"], "States.HeartbeatTimeout")
    assert error_matches(["States.Timeout"], HeartbeatTimedOut())
    assert not error_matches(["States.HeartbeatTimeout"], "States.Timeout")


def test_a_missed_heartbeat_is_named_states_timeout_but_heartbeat_matchers_catch_it():
    missed = HeartbeatTimedOut()
    assert missed.error == "States.Timeout"
    assert error_matches(["States.HeartbeatTimeout"], missed)
    assert not error_matches(["States.HeartbeatTimeout"], ASLError("States.Timeout"))
    assert not error_matches(["States.TaskFailed"], missed)


def test_heartbeat_retrier_and_catcher_take_the_error_object():
    missed = HeartbeatTimedOut()
    policy = compile_retriers([{"ErrorEquals": ["States.HeartbeatTimeout"], "MaxAttempts": 1}])
    assert [policy.next_delay(missed), policy.next_delay(missed)] == [1.0, None]
    catchers = compile_catchers([{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Restart"}])
    assert catchers.find(missed).Next == "Restart"
    assert catchers.find(ASLError("States.Timeout")) is None


# --- retry delays ---------------------------------------------------------------------------------


def test_guide_example_retries_twice_after_3_and_4_5_seconds():
    policy = compile_retriers(
        [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 3, "MaxAttempts": 2, "BackoffRate": 1.5}]
    )
    assert delays(policy, ["States.Timeout"] * 3) == [3.0, 4.5, None]


def test_defaults_are_one_second_three_attempts_doubling():
    policy = compile_retriers([{"ErrorEquals": ["States.ALL"]}])
    assert delays(policy, ["Boom"] * 4) == [1.0, 2.0, 4.0, None]


def test_guide_complex_scenario_counts_attempts_per_retrier_across_the_state_entry():
    # Developer guide, "Complex retry scenarios": ErrorA, ErrorB, ErrorC, ErrorB -> waits of
    # 1, 2 and 5 seconds, then the first retrier is exhausted and the catcher sends it to Z.
    retry = [
        {"ErrorEquals": ["ErrorA", "ErrorB"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 2},
        {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5},
    ]
    policy = compile_retriers(retry)
    assert delays(policy, ["ErrorA", "ErrorB", "ErrorC", "ErrorB"]) == [1.0, 2.0, 5.0, None]
    catcher = compile_catchers([{"ErrorEquals": ["States.ALL"], "Next": "Z"}]).find("ErrorB")
    assert catcher is not None and catcher.Next == "Z"


def test_second_retrier_keeps_its_own_backoff_count():
    retry = [
        {"ErrorEquals": ["ErrorA"], "IntervalSeconds": 1},
        {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5},
    ]
    policy = compile_retriers(retry)
    assert delays(policy, ["ErrorC", "ErrorA", "ErrorC"]) == [5.0, 1.0, 10.0]


def test_max_attempts_zero_never_retries_and_later_retriers_are_not_consulted():
    # Developer guide: this Retry "retries any error except States.Timeout".
    retry = [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"]}]
    policy = compile_retriers(retry)
    assert policy.next_delay("States.Timeout") is None
    assert policy.next_delay("SomethingElse") == 1.0


def test_an_exhausted_first_match_ends_retrying_even_if_a_later_retrier_matches():
    retry = [{"ErrorEquals": ["ErrorA"], "MaxAttempts": 1}, {"ErrorEquals": ["States.ALL"]}]
    policy = compile_retriers(retry)
    assert delays(policy, ["ErrorA", "ErrorA"]) == [1.0, None]


def test_unmatched_error_is_not_retried():
    policy = compile_retriers([{"ErrorEquals": ["ErrorA"]}])
    assert policy.next_delay("ErrorB") is None


def test_no_retry_field_means_no_retries():
    assert compile_retriers(None).next_delay("States.TaskFailed") is None


def test_runtime_errors_are_never_retried_even_when_named():
    policy = compile_retriers([{"ErrorEquals": ["States.Runtime"]}])
    assert policy.next_delay("States.Runtime") is None


def test_max_delay_seconds_caps_the_exponential_backoff():
    policy = compile_retriers(
        [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 6, "BackoffRate": 2, "MaxDelaySeconds": 5}]
    )
    assert delays(policy, ["E"] * 6) == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


def test_full_jitter_draws_each_delay_uniformly_below_the_capped_backoff():
    retrier = {"ErrorEquals": ["E"], "IntervalSeconds": 2, "MaxAttempts": 4, "MaxDelaySeconds": 10,
               "JitterStrategy": "FULL"}
    got = delays(compile_retriers([retrier], rng=random.Random(7)), ["E"] * 4)
    reference = random.Random(7)
    assert got == [reference.uniform(0, ceiling) for ceiling in (2, 4, 8, 10)]
    assert all(0 <= d <= c for d, c in zip(got, (2, 4, 8, 10)))


def test_full_jitter_is_reproducible_with_a_seeded_random():
    retrier = [{"ErrorEquals": ["E"], "JitterStrategy": "FULL", "MaxAttempts": 5}]
    first = delays(compile_retriers(retrier, rng=random.Random(1)), ["E"] * 5)
    second = delays(compile_retriers(retrier, rng=random.Random(1)), ["E"] * 5)
    assert first == second
    assert first != [1.0, 2.0, 4.0, 8.0, 16.0]


def test_fresh_policy_starts_a_new_state_entry_with_zero_attempts():
    policy = compile_retriers([{"ErrorEquals": ["E"], "MaxAttempts": 1}])
    assert delays(policy, ["E", "E"]) == [1.0, None]
    assert policy.fresh().next_delay("E") == 1.0


def test_invalid_retriers_are_reported_with_json_pointers():
    with pytest.raises(DefinitionError) as raised:
        compile_retriers(
            [
                {"ErrorEquals": [], "MaxAttempts": -1},
                {"ErrorEquals": ["E"], "JitterStrategy": "PARTIAL", "BackoffRate": 0.5, "IntervalSeconds": 1.5},
            ],
            location="/States/Upload/Retry",
        )
    locations = sorted(d.location for d in raised.value.diagnostics)
    assert locations == [
        "/States/Upload/Retry/0/ErrorEquals",
        "/States/Upload/Retry/0/MaxAttempts",
        "/States/Upload/Retry/1/BackoffRate",
        "/States/Upload/Retry/1/IntervalSeconds",
        "/States/Upload/Retry/1/JitterStrategy",
    ]


# --- catchers -------------------------------------------------------------------------------------


def test_first_matching_catcher_wins():
    # Developer guide, "Fallback states": a specific catcher, then a States.ALL one.
    policy = compile_catchers(
        [
            {"ErrorEquals": ["java.lang.Exception"], "ResultPath": "$.error-info", "Next": "RecoveryState"},
            {"ErrorEquals": ["States.ALL"], "Next": "EndState"},
        ]
    )
    specific = policy.find("java.lang.Exception")
    assert (specific.Next, specific.ResultPath) == ("RecoveryState", "$.error-info")
    fallback = policy.find("States.TaskFailed")
    assert (fallback.Next, fallback.ResultPath) == ("EndState", "$")


def test_catcher_with_null_result_path_discards_the_error_output():
    catcher = compile_catchers([{"ErrorEquals": ["E"], "Next": "N", "ResultPath": None}]).find("E")
    assert catcher.ResultPath is None


def test_no_catcher_matches_an_unlisted_error_or_a_runtime_error():
    policy = compile_catchers([{"ErrorEquals": ["E"], "Next": "N"}, {"ErrorEquals": ["States.Runtime"], "Next": "N"}])
    assert policy.find("F") is None
    assert policy.find("States.Runtime") is None


def test_catcher_without_next_is_reported_with_its_pointer():
    with pytest.raises(DefinitionError) as raised:
        compile_catchers([{"ErrorEquals": ["E"]}], location="/States/T/Catch")
    assert [d.location for d in raised.value.diagnostics] == ["/States/T/Catch/0/Next"]


def test_pydantic_models_compile_like_dicts_keeping_an_explicit_null_result_path():
    from pydantic import BaseModel

    class CatcherModel(BaseModel):
        ErrorEquals: list[str]
        Next: str
        ResultPath: str | None = "$"

    policy = compile_catchers([CatcherModel(ErrorEquals=["E"], Next="N", ResultPath=None)])
    assert policy.find("E").ResultPath is None


def test_a_backoff_past_any_float_waits_at_most_a_year_instead_of_overflowing() -> None:
    (retrier,) = compile_retriers([{"ErrorEquals": ["X"], "IntervalSeconds": 99_999_999, "MaxAttempts": 99_999_998}]).retriers
    assert retrier.delay(5_000, random.Random(1)) == 31_622_400  # 2.0 ** 5000 overflows a float
    (capped,) = compile_retriers([{"ErrorEquals": ["X"], "MaxDelaySeconds": 60}]).retriers
    assert capped.delay(5_000, random.Random(1)) == 60
