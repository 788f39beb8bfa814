"""The guest clock: a VM's timers wait while it is frozen and go on as if no time had passed."""

import pytest

from simcore.engine import PRIORITY_URGENT, Engine
from simcore.virt.clock import GuestClock

S = 1_000_000_000


def recorder(engine, clock, log):
    def fire(label):
        log.append((label, engine.now, clock.now))
    return fire


def test_a_clock_never_frozen_is_the_engine():
    engine, log = Engine(), []
    clock = GuestClock(engine)
    fire = recorder(engine, clock, log)
    clock.schedule(2 * S, fire, "a")
    engine.schedule(2 * S, fire, "engine")
    clock.at(1 * S, fire, "b")
    clock.schedule(2 * S, fire, "c")
    engine.run()
    assert log == [("b", S, S), ("a", 2 * S, 2 * S), ("engine", 2 * S, 2 * S), ("c", 2 * S, 2 * S)]
    assert clock.rng is engine.rng


def test_frozen_timers_wait_and_keep_their_order():
    engine, log = Engine(), []
    clock = GuestClock(engine)
    fire = recorder(engine, clock, log)
    clock.schedule(3 * S, fire, "t1")
    clock.schedule(5 * S, fire, "t2")
    clock.schedule(3 * S, fire, "t1-bis")  # same instant: after t1, as scheduled
    engine.at(2 * S, clock.freeze)
    engine.at(10 * S, clock.thaw)  # frozen 8 s
    engine.run()
    # guest time 3 s is engine time 11 s; nothing fired while frozen
    assert log == [("t1", 11 * S, 3 * S), ("t1-bis", 11 * S, 3 * S), ("t2", 13 * S, 5 * S)]
    assert clock.offset == 8 * S


def test_guest_time_stands_still_while_frozen_and_timers_set_then_wait():
    engine, log = Engine(), []
    clock = GuestClock(engine)
    fire = recorder(engine, clock, log)
    engine.at(S, clock.freeze)
    seen = []
    engine.at(4 * S, lambda: seen.append(clock.now))
    engine.at(4 * S, lambda: clock.schedule(S, fire, "set while frozen"))
    engine.at(6 * S, clock.thaw)
    engine.run()
    assert seen == [S]
    assert log == [("set while frozen", 7 * S, 2 * S)]


def test_wipe_forgets_everything_pending():
    engine, log = Engine(), []
    clock = GuestClock(engine)
    fire = recorder(engine, clock, log)
    clock.schedule(2 * S, fire, "lost")
    engine.at(S, clock.freeze)
    engine.at(S, clock.wipe)
    engine.at(3 * S, clock.thaw)
    engine.at(3 * S, lambda: clock.schedule(S, fire, "after"))
    engine.run()
    assert log == [("after", 4 * S, 2 * S)]
    assert clock.pending == 0


def test_priorities_survive_a_freeze():
    engine, log = Engine(), []
    clock = GuestClock(engine)
    fire = recorder(engine, clock, log)
    clock.at(2 * S, fire, "normal")
    clock.at(2 * S, fire, "urgent", priority=PRIORITY_URGENT)
    engine.at(S, clock.freeze)
    engine.at(5 * S, clock.thaw)
    engine.run()
    assert [x[0] for x in log] == ["urgent", "normal"]


@pytest.mark.parametrize(("call", "exc", "msg"), [
    (lambda c: c.schedule(-1, print), ValueError, "delay_ns must be >= 0, not -1"),
    (lambda c: c.schedule(1.5, print), TypeError, "delay_ns must be an integer number of nanoseconds, not 1.5"),
    (lambda c: c.at(-5, print), ValueError, "t_ns -5 is in the past (guest time is 0)"),
    (lambda c: c.at(5, "x"), TypeError, "fn must be callable, not 'x'"),
])
def test_misuse_is_refused_by_name(call, exc, msg):
    clock = GuestClock(Engine())
    with pytest.raises(exc) as err:
        call(clock)
    assert str(err.value) == msg
