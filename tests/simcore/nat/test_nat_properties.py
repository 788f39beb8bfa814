"""Properties over random traffic: replies always reach the right host, the table stays consistent,
the same seed gives the same run, and PYTHONHASHSEED changes nothing."""

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nat_builders import PUBLIC, S, echo, new_nat, tcp, udp

from simcore.devices.nat import Action, Direction, Nat
from simcore.packets import SYN

HOSTS = ["10.0.2.15", "10.0.2.16", "10.0.2.17"]
REMOTES = ["203.0.113.10", "203.0.113.11"]

op = st.tuples(
    st.sampled_from(["icmp", "udp", "tcp"]),
    st.sampled_from(HOSTS),
    st.sampled_from([5000, 5001]),  # few ports and ids: clashes are frequent
    st.sampled_from(REMOTES),
    st.sampled_from([53, 80]),
    st.integers(min_value=0, max_value=40 * S),  # time step
)


def outbound_packet(proto, host, port, remote, dport):
    if proto == "icmp":
        return echo(host, remote, 8, port, 1)
    if proto == "udp":
        return udp(host, port, remote, dport)
    return tcp(host, port, remote, dport, 1, 0, SYN)


def reply_to(packet):
    """What the remote answers to a translated packet."""
    p = packet.payload
    if packet.proto == 1:
        return echo(packet.dst, packet.src, 0, p.ident, p.seq)
    if packet.proto == 17:
        return udp(packet.dst, p.dport, packet.src, p.sport)
    return tcp(packet.dst, p.dport, packet.src, p.sport, 100, p.seq + 1, SYN | 0x10)


def expected_back(original):
    """The reply as the inside host must see it."""
    return reply_to(original)


def run(ops, seed):
    nat = new_nat(seed=seed)
    now = 0
    log = []
    for proto, host, port, remote, dport, step in ops:
        now += step
        sent = outbound_packet(proto, host, port, remote, dport)
        out = nat.outbound(now, sent)
        log.append((out.action, out.reason, out.packet))
        if out.action is Action.DROP:
            continue
        back = nat.inbound(now, reply_to(out.packet))
        log.append((back.action, back.reason, back.packet))
        check_consistent(nat)
        assert out.packet.src == PUBLIC
        assert back.packet == expected_back(sent)
    return log


def check_consistent(nat: Nat):
    seen = set()
    for entry in nat.entries():
        for t, d in ((entry.original, Direction.ORIGINAL), (entry.reply, Direction.REPLY)):
            assert t not in seen
            seen.add(t)
            found, direction = nat.table.lookup(t)
            assert (found.id, direction) == (entry.id, d)


@settings(max_examples=150, deadline=None)
@given(st.lists(op, min_size=1, max_size=30), st.integers(min_value=0, max_value=2**32))
def test_replies_reach_the_host_that_asked_and_runs_repeat(ops, seed):
    first = run(ops, seed)
    assert run(ops, seed) == first


def test_kept_port_when_free_fresh_when_taken():
    nat = new_nat(seed=1)
    kept = nat.outbound(0, udp(HOSTS[0], 5000, REMOTES[0], 53)).packet.payload.sport
    fresh = nat.outbound(0, udp(HOSTS[1], 5000, REMOTES[0], 53)).packet.payload.sport
    again = nat.outbound(0, udp(HOSTS[2], 5000, REMOTES[1], 53)).packet.payload.sport
    assert (kept, again) == (5000, 5000) and fresh != 5000


def test_expiry_follows_a_shortened_timeout():
    # ESTABLISHED (5 days) cut to CLOSE (10 s) by a reset: the heap must not wait 5 days.
    nat = new_nat()
    nat.outbound(0, tcp(HOSTS[0], 5000, REMOTES[0], 80, 1, 0, SYN))
    nat.inbound(S, tcp(REMOTES[0], 80, PUBLIC, 5000, 9, 2, SYN | 0x10))
    nat.outbound(2 * S, tcp(HOSTS[0], 5000, REMOTES[0], 80, 2, 10, 0x10))
    assert nat.next_deadline() == 2 * S + 432000 * S
    nat.outbound(3 * S, tcp(HOSTS[0], 5000, REMOTES[0], 80, 2, 10, 0x04))
    assert nat.next_deadline() == 13 * S
    assert [e.id for e in (n.entry for n in nat.expire(13 * S))] == [1]


SCRIPT = """
import random, sys
sys.path.insert(0, {tests!r})
from hypothesis import strategies as st
from test_nat_properties import run, HOSTS, REMOTES
rng = random.Random(5)
ops = [(rng.choice(["icmp", "udp", "tcp"]), rng.choice(HOSTS), rng.choice([5000, 5001]), rng.choice(REMOTES),
        rng.choice([53, 80]), rng.randrange(0, 40 * 10**9)) for _ in range(300)]
for item in run(ops, 9):
    print(item)
"""


def test_pythonhashseed_changes_nothing():
    here = Path(__file__).parent
    outputs = []
    for hashseed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        result = subprocess.run([sys.executable, "-c", SCRIPT.format(tests=str(here))], env=env,
                                capture_output=True, text=True, timeout=120, cwd=here.parents[2], check=True)
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] and outputs[0].count("\n") > 300


@pytest.mark.parametrize("args, kwargs, error, message", [
    (("203.0.113.256", ["10.0.2.0/24"], random.Random(1)), {}, ValueError,
     "nat: public address is not an IPv4 address: '203.0.113.256'"),
    ((PUBLIC, "10.0.2.0/24", random.Random(1)), {}, TypeError,
     "nat: inside_networks must be a list of CIDRs, not the string '10.0.2.0/24'"),
    ((PUBLIC, ["10.0.2.0/33"], random.Random(1)), {}, ValueError,
     "nat: inside network is not an IPv4 CIDR: '10.0.2.0/33'"),
    ((PUBLIC, [], random.Random(1)), {}, ValueError, "nat: at least one inside network is needed"),
    ((PUBLIC, ["10.0.2.0/24"], 42), {}, TypeError, "nat: rng must be the run's random.Random, not 42"),
    ((PUBLIC, ["10.0.2.0/24"], random.Random(1)), {"port_range": (60999, 32768)}, ValueError,
     "nat: port range must be within 1-65535 and low <= high, not (60999, 32768)"),
])
def test_bad_construction_raises_at_once(args, kwargs, error, message):
    with pytest.raises(error) as err:
        Nat(*args, **kwargs)
    assert str(err.value) == message
