"""Clocks: virtual time advances instantly and safely across threads; real time really passes."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from stepflow.runtime.clock import Clock, RealClock, VirtualClock

START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def test_both_clocks_satisfy_the_clock_protocol():
    assert isinstance(RealClock(), Clock)
    assert isinstance(VirtualClock(), Clock)


def test_real_clock_now_is_utc_aware_and_current():
    now = RealClock().now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert abs((datetime.now(timezone.utc) - now).total_seconds()) < 1


def test_real_clock_sleep_lets_wall_time_pass():
    started = time.monotonic()
    RealClock().sleep(0.05)
    assert time.monotonic() - started >= 0.05


def test_virtual_hour_long_sleep_costs_under_10_ms_of_wall_time():
    clock = VirtualClock(START)
    started = time.perf_counter()
    clock.sleep(3600)
    assert time.perf_counter() - started < 0.01
    assert clock.now() == START + timedelta(hours=1)


def test_virtual_clock_stands_still_until_someone_sleeps():
    clock = VirtualClock(START)
    assert clock.now() == clock.now() == START


def test_virtual_clock_ignores_zero_and_negative_sleeps():
    clock = VirtualClock(START)
    clock.sleep(0)
    clock.sleep(-5)
    assert clock.now() == START


def test_virtual_clock_keeps_fractional_seconds():
    clock = VirtualClock(START)
    clock.sleep(1.5)
    assert clock.now() == START + timedelta(milliseconds=1500)


def test_virtual_clock_converts_its_start_to_utc():
    eastern = timezone(timedelta(hours=-5))
    clock = VirtualClock(datetime(2024, 5, 1, 7, 0, tzinfo=eastern))
    assert clock.now() == START
    assert clock.now().utcoffset() == timedelta(0)


def test_virtual_clock_refuses_a_naive_start():
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock(datetime(2024, 5, 1))


def test_concurrent_virtual_sleeps_neither_block_nor_lose_time():
    clock = VirtualClock(START)
    barrier = threading.Barrier(8)

    def sleeper() -> None:
        barrier.wait()
        for _ in range(100):
            clock.sleep(1)

    threads = [threading.Thread(target=sleeper) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert not any(thread.is_alive() for thread in threads)
    assert clock.now() == START + timedelta(seconds=800)


def test_sleep_until_on_virtual_clock_jumps_to_the_moment():
    clock = VirtualClock(START)
    clock.wait_until(START + timedelta(days=2))
    assert clock.now() == START + timedelta(days=2)


def test_sleep_until_a_past_moment_leaves_virtual_time_unchanged():
    clock = VirtualClock(START)
    clock.wait_until(START - timedelta(hours=1))
    assert clock.now() == START


def test_sleep_until_on_real_clock_waits_for_the_moment():
    clock = RealClock()
    target = clock.now() + timedelta(milliseconds=50)
    clock.wait_until(target)
    assert clock.now() >= target


def test_sleep_until_refuses_a_naive_moment():
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock(START).wait_until(datetime(2024, 5, 2))


# --- concurrent branches on their own timelines --------------------------------------------------


def run_branches(clock: VirtualClock, waits: list[float]) -> list[datetime]:
    """Run one thread per wait, each on a timeline forked now; return each branch's end."""
    fork = clock.now()
    ends: list[datetime] = [START] * len(waits)

    def branch(index: int) -> None:
        with clock.timeline(fork) as timeline:
            clock.sleep(waits[index])
        ends[index] = timeline.end

    threads = [threading.Thread(target=branch, args=(i,)) for i in range(len(waits))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    return ends


def test_parallel_branches_on_timelines_overlap_like_aws():
    clock = VirtualClock(START)
    ends = run_branches(clock, [3600, 3600, 60])
    assert ends == [START + timedelta(hours=1), START + timedelta(hours=1), START + timedelta(minutes=1)]
    assert clock.now() == START + timedelta(hours=1)  # the joiner sees the latest branch end


def test_a_branch_sees_its_own_time_not_its_siblings():
    clock = VirtualClock(START)
    seen = {}
    fork = clock.now()
    long_done = threading.Event()

    def long_branch() -> None:
        with clock.timeline(fork):
            clock.sleep(3600)
        long_done.set()

    def short_branch() -> None:
        long_done.wait(5)
        with clock.timeline(fork):
            seen["before"] = clock.now()
            clock.sleep(10)
            seen["after"] = clock.now()

    threads = [threading.Thread(target=long_branch), threading.Thread(target=short_branch)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert seen == {"before": START, "after": START + timedelta(seconds=10)}


def test_nested_branches_join_with_sleep_until_the_latest_end():
    clock = VirtualClock(START)
    with clock.timeline() as outer:
        clock.sleep(5)
        ends = run_branches(clock, [20, 30])
        clock.wait_until(max(ends))
        clock.sleep(1)
    assert outer.end == START + timedelta(seconds=36)
    assert clock.now() == START + timedelta(seconds=36)


def test_leaving_a_timeline_restores_the_thread_to_the_shared_time():
    clock = VirtualClock(START)
    with clock.timeline(START - timedelta(hours=1)):
        assert clock.now() == START - timedelta(hours=1)
    assert clock.now() == START


def test_real_clock_timeline_records_the_branch_end():
    clock = RealClock()
    with clock.timeline() as timeline:
        before_exit = clock.now()
    assert timeline.end >= before_exit


def test_virtual_time_starts_at_the_real_current_time_unless_pinned():
    from datetime import datetime, timezone

    from stepflow.runtime.clock import DEFAULT_VIRTUAL_START, VirtualClock

    before = datetime.now(timezone.utc)
    started = VirtualClock().now()
    assert before.replace(microsecond=before.microsecond // 1000 * 1000) <= started <= datetime.now(timezone.utc)
    assert started.microsecond % 1000 == 0  # whole milliseconds, as history timestamps show
    assert VirtualClock(DEFAULT_VIRTUAL_START).now() == DEFAULT_VIRTUAL_START
