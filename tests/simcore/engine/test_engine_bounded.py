"""`Engine.run_bounded`: run_until within a budget of events and wall time, resumable exactly."""

from __future__ import annotations

import pytest

from simcore.engine import Engine, RunStatus


def flood(engine: Engine, log: list) -> None:
    """An event every nanosecond, forever (what `ping -i 0` is to the engine)."""
    def tick():
        log.append(engine.now)
        engine.schedule(1, tick)
    engine.schedule(0, tick)


def test_it_stops_after_its_events_with_now_at_the_last_one_and_goes_on_from_there():
    engine, log = Engine(), []
    flood(engine, log)
    assert engine.run_bounded(10**9, max_events=1000) is RunStatus.BUDGET
    assert engine.events_run == 1000 and engine.now == 999 and log[-1] == 999
    assert engine.run_bounded(10**9, max_events=1000) is RunStatus.BUDGET
    assert log == list(range(2000))  # continued exactly, nothing run twice or skipped


def test_a_deadline_on_the_clock_stops_it_after_the_chunk_it_is_in():
    engine, log = Engine(), []
    flood(engine, log)
    calls = iter([0.0, 0.0, 5.0])
    status = engine.run_bounded(10**9, max_events=10**9, deadline=1.0, clock=lambda: next(calls))
    assert status is RunStatus.BUDGET
    assert engine.events_run == 3 * 512  # the clock is read between chunks of 512


def test_reaching_the_target_within_the_budget_is_run_until():
    engine, log = Engine(), []
    engine.schedule(5, log.append, "a")
    assert engine.run_bounded(100, max_events=10) is RunStatus.IDLE
    assert engine.now == 100 and log == ["a"]


def test_the_event_limit_still_ends_the_run():
    engine, log = Engine(max_events=700), []
    flood(engine, log)
    assert engine.run_bounded(10**9, max_events=500) is RunStatus.BUDGET
    assert engine.run_bounded(10**9, max_events=500) is RunStatus.EVENT_LIMIT
    assert engine.events_run == 700 and engine.finished


def test_a_budget_below_one_event_is_refused():
    with pytest.raises(ValueError, match="max_events must be >= 1"):
        Engine().run_bounded(10, max_events=0)
