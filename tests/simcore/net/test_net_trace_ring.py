"""A run traced into a RingSink keeps only its last N events (docs/traps.md, "Retained trace dicts
exhaust memory"): memory stays bounded however long the run, and what is kept is exactly the tail
of the whole trace."""

import pytest
from sim_designs import example

from simcore.network import Network
from simcore.trace import RingSink


def test_a_ring_keeps_exactly_the_last_events_of_a_long_run():
    everything: list[dict] = []
    Network.from_design(example(), trace=everything).run_until(60)
    ring = RingSink(maxlen=10)
    Network.from_design(example(), trace=ring).run_until(60)
    assert len(everything) > 50  # five times the ring, so the bound is what is tested
    assert list(ring.events) == everything[-10:]


@pytest.mark.parametrize("maxlen", [0, -1])
def test_a_ring_of_no_events_is_refused(maxlen):
    with pytest.raises(ValueError, match=f"maxlen must be >= 1, not {maxlen}"):
        RingSink(maxlen=maxlen)
