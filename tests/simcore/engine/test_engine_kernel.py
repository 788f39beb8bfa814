"""The kernel: ordering, run_until/step semantics, limits, misuse, the seeded RNG."""

import pytest

from simcore.engine import PRIORITY_URGENT, Engine, RunStatus


def recorder():
    log = []

    def note(*args):
        log.append(args)

    return log, note


def test_same_time_events_run_in_scheduling_order():
    eng = Engine()
    log, note = recorder()
    for name in ["c", "a", "b"]:
        eng.schedule(5, note, name)
    eng.schedule(1, note, "first")
    eng.run()
    assert log == [("first",), ("c",), ("a",), ("b",)]


def test_urgent_priority_runs_before_normal_at_the_same_instant():
    eng = Engine()
    log, note = recorder()
    eng.at(10, note, "frame")
    eng.at(10, note, "command", priority=PRIORITY_URGENT)
    eng.run()
    assert log == [("command",), ("frame",)]


def test_events_scheduled_during_a_run_see_the_current_time():
    eng = Engine()
    seen = []

    def chain(n):
        seen.append((eng.now, n))
        if n < 3:
            eng.schedule(100, chain, n + 1)

    eng.schedule(0, chain, 0)
    assert eng.run() is RunStatus.IDLE
    assert seen == [(0, 0), (100, 1), (200, 2), (300, 3)]
    assert eng.events_run == 4


def test_run_until_includes_the_boundary_and_sets_now():
    eng = Engine()
    log, note = recorder()
    for t in (10, 20, 30):
        eng.at(t, note, t)
    assert eng.run_until(20) is RunStatus.PAUSED
    assert log == [(10,), (20,)]
    assert eng.now == 20
    assert eng.peek() == 30
    assert eng.run_until(25) is RunStatus.PAUSED
    assert eng.now == 25
    assert eng.run_until(100) is RunStatus.IDLE
    assert eng.now == 100
    assert log == [(10,), (20,), (30,)]


def test_step_runs_one_event_at_a_time():
    eng = Engine()
    log, note = recorder()
    eng.at(7, note, "x")
    eng.at(9, note, "y")
    assert eng.step() is True
    assert (eng.now, log) == (7, [("x",)])
    assert eng.step() is True
    assert eng.step() is False
    assert eng.status is RunStatus.IDLE
    assert eng.now == 9


@pytest.mark.parametrize("max_events, expect_log, status", [
    (0, [], RunStatus.EVENT_LIMIT),
    (2, [(1,), (2,)], RunStatus.EVENT_LIMIT),
    (5, [(1,), (2,), (3,)], RunStatus.IDLE),
])
def test_event_limit_ends_the_run(max_events, expect_log, status):
    eng = Engine(max_events=max_events)
    log, note = recorder()
    for t in (1, 2, 3):
        eng.at(t, note, t)
    assert eng.run_until(3) is status
    assert log == expect_log
    if status is RunStatus.EVENT_LIMIT:
        assert eng.finished
        assert eng.step() is False
        assert eng.run_until(50) is RunStatus.EVENT_LIMIT


def test_event_limit_also_applies_to_step():
    eng = Engine(max_events=1)
    log, note = recorder()
    eng.at(1, note, 1)
    eng.at(2, note, 2)
    assert eng.step() is True
    assert eng.step() is False
    assert eng.status is RunStatus.EVENT_LIMIT
    assert log == [(1,)]


def test_time_limit_stops_before_later_events():
    eng = Engine(max_time_ns=15)
    log, note = recorder()
    for t in (10, 20):
        eng.at(t, note, t)
    assert eng.run_until(100) is RunStatus.TIME_LIMIT
    assert log == [(10,)]
    assert eng.now == 15
    assert eng.finished


def test_time_limit_with_step():
    eng = Engine(max_time_ns=15)
    log, note = recorder()
    eng.at(10, note, 10)
    eng.at(20, note, 20)
    assert eng.step() and not eng.step()
    assert eng.status is RunStatus.TIME_LIMIT


@pytest.mark.parametrize("call, exc, message", [
    (lambda e: e.schedule(-1, print), ValueError, "delay_ns must be >= 0, not -1"),
    (lambda e: e.schedule(1.5, print), TypeError, "delay_ns must be an integer number of nanoseconds, not 1.5"),
    (lambda e: e.at(-5, print), ValueError, "t_ns -5 is in the past (now is 0)"),
    (lambda e: e.at(5, "nope"), TypeError, "fn must be callable, not 'nope'"),
    (lambda e: e.run_until(-1), ValueError, "t_ns -1 is in the past (now is 0)"),
    (lambda e: e.run_until(True), TypeError, "t_ns must be an integer number of nanoseconds, not True"),
    (lambda e: Engine(seed="x"), TypeError, "seed must be an integer number of nanoseconds, not 'x'"),
    (lambda e: Engine(max_events=-1), ValueError, "max_events must be >= 0, not -1"),
    (lambda e: Engine(max_time_ns=-2), ValueError, "max_time_ns must be >= 0, not -2"),
])
def test_misuse_raises_at_once_naming_the_value(call, exc, message):
    with pytest.raises(exc) as info:
        call(Engine())
    assert str(info.value) == message


def test_at_in_the_past_after_time_moved():
    eng = Engine()
    eng.run_until(100)
    with pytest.raises(ValueError, match=r"^t_ns 50 is in the past \(now is 100\)$"):
        eng.at(50, print)


def test_rng_is_per_run_and_seeded():
    a, b, c = Engine(seed=7), Engine(seed=7), Engine(seed=8)
    draws = [[e.rng.randrange(1 << 16) for _ in range(5)] for e in (a, b, c)]
    assert draws[0] == draws[1]
    assert draws[0] != draws[2]


def test_exception_in_an_event_keeps_the_count_consistent():
    eng = Engine()

    def boom():
        raise RuntimeError("boom")

    eng.at(1, boom)
    eng.at(2, print)
    with pytest.raises(RuntimeError):
        eng.run_until(10)
    assert eng.events_run == 1
    assert eng.now == 1
    assert eng.pending == 1


def test_at_args_runs_with_the_tuple_it_was_given_in_scheduling_order():
    eng = Engine()
    log, note = recorder()
    shared = ("t1", 5)
    eng.at(10, note, "a")
    eng.at_args(10, note, shared)
    eng.at_args(5, note, shared)
    eng.at(10, note, "b")
    assert eng._heap[0][4] is shared
    eng.run()
    assert log == [("t1", 5), ("a",), ("t1", 5), ("b",)]
    with pytest.raises(TypeError):
        eng.at_args(20, note, ["t1", 5])
    with pytest.raises(ValueError):
        eng.at_args(1, note, shared)
