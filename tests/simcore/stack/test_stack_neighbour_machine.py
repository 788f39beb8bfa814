"""The neighbour table as a conversation: inputs with their instants, and the exact actions back.

No stack, NIC or engine: the table is given ``now`` and the run's Random, and every answer is
compared whole (the ARP requests, the packets released or dropped, the timer instants). The
reachable times are the table's draws from ``Random(SEED)``, replayed from a twin Random.
"""

import random

import pytest

from simcore.packets import PROTO_UDP, IPv4, Udp
from simcore.stack.neighbour import QUEUE_LEN, NeighbourTable
from simcore.stack.neighbour_actions import Drop, NudState, SendArpRequest, SetTimer, StateChanged, Transmit

S = 1_000_000_000
US = 1_000
SEED = 5
DEV, IP, MAC = "eth0", "10.0.0.2", "02:00:00:00:00:02"
KEY = (DEV, IP)
INC, REA, STA, DEL, PRO, FAI = (NudState.INCOMPLETE, NudState.REACHABLE, NudState.STALE, NudState.DELAY,
                                NudState.PROBE, NudState.FAILED)


def packet(n: int) -> IPv4:
    return IPv4("10.0.0.1", IP, PROTO_UDP, Udp(1000 + n, 7, b"x"), ident=n)


def reach_times(count: int) -> list[int]:
    """What the table draws for base_reachable_time 30 s: uniform in [15 s, 45 s)."""
    twin = random.Random(SEED)
    return [twin.randrange(15 * S, 45 * S) for _ in range(count)]


def fire(table, now, actions):
    """Fire the last SetTimer of ``actions`` at ``now`` (the host calls back with its token)."""
    timer = [a for a in actions if isinstance(a, SetTimer)][-1]
    assert timer.at_ns == now
    return table.on_timer(now, timer.key, timer.token)


def token_of(actions):
    return [a for a in actions if isinstance(a, SetTimer)][-1].token


def resolved(table):
    """10.0.0.2 asked for at 0 and answered at 200 µs: REACHABLE, its timer's actions returned."""
    table.output(0, DEV, IP, packet(0))
    return table.learn(200 * US, DEV, IP, MAC, confirmed=True, create=False)


def test_resolution_queues_asks_and_releases_the_packets_in_order():
    t = NeighbourTable(random.Random(SEED))
    first = t.output(0, DEV, IP, packet(0))
    assert first == [StateChanged(DEV, IP, None, INC, None, "packet waiting"),
                     SendArpRequest(DEV, IP, None),  # broadcast who-has
                     SetTimer(KEY, 1 * S, token_of(first))]  # retrans_time 1 s
    assert t.mac_for(100 * US, DEV, IP) is None
    assert t.output(100 * US, DEV, IP, packet(1)) == []  # queued behind the question
    got = t.learn(200 * US, DEV, IP, MAC, confirmed=True, create=False)
    assert got == [StateChanged(DEV, IP, MAC, REA, INC, "reply"),
                   SetTimer(KEY, 200 * US + reach_times(1)[0], token_of(got)),
                   Transmit(DEV, MAC, (packet(0), packet(1)))]
    assert t.mac_for(300 * US, DEV, IP) == MAC
    assert t.on_timer(1 * S, KEY, token_of(first)) == []  # the retransmit timer died with INCOMPLETE


def test_unused_reachable_goes_stale_then_delay_probe_and_back_to_reachable():
    t = NeighbourTable(random.Random(SEED))
    r1, r2 = reach_times(2)
    timer = resolved(t)
    assert fire(t, 200 * US + r1, timer) == [StateChanged(DEV, IP, MAC, STA, REA, "reachable time over")]
    assert t.mac_for(60 * S, DEV, IP) is None  # STALE: sending it changes its state
    used = t.output(60 * S, DEV, IP, packet(2))
    assert used == [StateChanged(DEV, IP, MAC, DEL, STA, "used while stale"),
                    SetTimer(KEY, 65 * S, token_of(used)),  # delay_first_probe_time 5 s
                    Transmit(DEV, MAC, (packet(2),))]
    assert t.mac_for(61 * S, DEV, IP) == MAC  # DELAY still sends at once
    probe = fire(t, 65 * S, used)
    assert probe == [StateChanged(DEV, IP, MAC, PRO, DEL, "no confirmation"),
                     SendArpRequest(DEV, IP, MAC),  # unicast, to the cached address
                     SetTimer(KEY, 66 * S, token_of(probe))]
    back = t.learn(65 * S + 200 * US, DEV, IP, MAC, confirmed=True, create=False)
    assert back == [StateChanged(DEV, IP, MAC, REA, PRO, "reply"), SetTimer(KEY, 65 * S + 200 * US + r2, token_of(back))]


def test_probe_without_answer_fails_after_three_unicast_requests():
    t = NeighbourTable(random.Random(SEED))
    fire(t, 200 * US + reach_times(1)[0], resolved(t))
    delay = t.output(60 * S, DEV, IP, packet(2))
    step = fire(t, 65 * S, delay)
    sent = [a for a in step if isinstance(a, SendArpRequest)]
    for at in (66 * S, 67 * S):
        step = fire(t, at, step)
        assert step == [SendArpRequest(DEV, IP, MAC), SetTimer(KEY, at + 1 * S, token_of(step))]
        sent += step[:1]
    assert len(sent) == 3  # ucast_solicit 3
    assert fire(t, 68 * S, step) == [StateChanged(DEV, IP, MAC, FAI, PRO, "no reply after 3 requests")]
    assert t.rows(70 * S) == [{"ip": IP, "dev": DEV, "mac": None, "state": "FAILED", "age_s": 2.0, "queued": 0}]


def test_nobody_answers_three_broadcasts_the_waiting_packets_are_dropped_then_asked_again():
    t = NeighbourTable(random.Random(SEED))
    step = t.output(0, DEV, IP, packet(0))
    t.output(10 * US, DEV, IP, packet(1))
    for at in (1 * S, 2 * S):
        step = fire(t, at, step)
        assert step == [SendArpRequest(DEV, IP, None), SetTimer(KEY, at + 1 * S, token_of(step))]
    assert fire(t, 3 * S, step) == [StateChanged(DEV, IP, None, FAI, INC, "no reply after 3 requests"),
                                    Drop(DEV, IP, (packet(0), packet(1)), "arp.failed")]
    again = t.output(5 * S, DEV, IP, packet(2))  # a new packet starts a new resolution
    assert again == [StateChanged(DEV, IP, None, INC, FAI, "packet waiting"), SendArpRequest(DEV, IP, None),
                     SetTimer(KEY, 6 * S, token_of(again))]


def test_a_full_queue_drops_its_oldest_packet():
    t = NeighbourTable(random.Random(SEED))
    for n in range(QUEUE_LEN):
        t.output(n, DEV, IP, packet(n))
    assert t.output(QUEUE_LEN, DEV, IP, packet(QUEUE_LEN)) == [Drop(DEV, IP, (packet(0),), "arp.queue_full")]
    got = t.learn(200 * US, DEV, IP, MAC, confirmed=True, create=False)
    assert got[-1] == Transmit(DEV, MAC, tuple(packet(n) for n in range(1, QUEUE_LEN + 1)))


def test_reachable_time_over_while_in_use_waits_in_delay_and_a_confirmation_keeps_it_reachable():
    t = NeighbourTable(random.Random(SEED))
    r1, r2 = reach_times(2)
    timer = resolved(t)
    last_use = 200 * US + r1 - 2 * S
    assert t.mac_for(last_use, DEV, IP) == MAC
    delay = fire(t, 200 * US + r1, timer)
    assert delay == [StateChanged(DEV, IP, MAC, DEL, REA, "reachable time over, in use"),
                     SetTimer(KEY, last_use + 5 * S, token_of(delay))]
    confirmed_at = 200 * US + r1 + 1 * S
    # A reply while in DELAY only refreshes "confirmed" (and re-arms); the DELAY timer's token died.
    reply = t.learn(confirmed_at, DEV, IP, MAC, confirmed=True, create=False)
    assert reply == [StateChanged(DEV, IP, MAC, REA, DEL, "reply"), SetTimer(KEY, confirmed_at + r2, token_of(reply))]
    assert t.on_timer(last_use + 5 * S, KEY, token_of(delay)) == []


def test_delay_ends_reachable_when_confirmed_within_five_seconds():
    t = NeighbourTable(random.Random(SEED))
    r1, r2 = reach_times(2)
    timer = resolved(t)
    t.mac_for(200 * US + r1 - 1 * S, DEV, IP)
    delay = fire(t, 200 * US + r1, timer)
    n = t.lookup(DEV, IP)
    n.confirmed = 200 * US + r1  # what a confirmation by TCP would do (not modelled as an input)
    at = 200 * US + r1 - 1 * S + 5 * S
    back = fire(t, at, delay)
    assert back == [StateChanged(DEV, IP, MAC, REA, DEL, "confirmed"), SetTimer(KEY, at + r2, token_of(back))]


@pytest.mark.parametrize("confirmed, create, before, after, why", [
    (False, True, None, STA, "request"),  # a request for us: learn the asker, do not ask back
    (True, True, None, REA, "reply"),
])
def test_a_new_entry_from_arp(confirmed, create, before, after, why):
    t = NeighbourTable(random.Random(SEED))
    got = t.learn(7 * US, DEV, IP, MAC, confirmed=confirmed, create=create)
    assert got[0] == StateChanged(DEV, IP, MAC, after, before, why)
    assert got[1:] == ([SetTimer(KEY, 7 * US + reach_times(1)[0], token_of(got))] if confirmed else [])


def test_arp_that_creates_nothing_says_none():
    t = NeighbourTable(random.Random(SEED))
    assert t.learn(0, DEV, IP, MAC, confirmed=True, create=False) is None  # unsolicited reply (arp_accept=0)
    assert t.learn(0, DEV, IP, MAC, confirmed=False, create=False) is None  # someone else's request
    assert t.entries == {}


def test_a_request_from_a_new_mac_makes_a_reachable_entry_stale_and_voids_its_timer():
    t = NeighbourTable(random.Random(SEED))
    timer = resolved(t)
    moved = "02:00:00:00:00:03"
    assert t.learn(1 * S, DEV, IP, moved, confirmed=False, create=True) == [
        StateChanged(DEV, IP, moved, STA, REA, "request")]
    assert t.on_timer(timer[1].at_ns, KEY, timer[1].token) == []
    assert t.learn(2 * S, DEV, IP, moved, confirmed=False, create=True) == []  # nothing new


def test_an_application_adds_an_entry_as_siocsarp_does():
    t = NeighbourTable(random.Random(SEED))
    assert t.add(0, DEV, "10.0.0.50", "08:00:27:00:00:50", "DHCP client") == [
        StateChanged(DEV, "10.0.0.50", "08:00:27:00:00:50", STA, None, "DHCP client")]
    assert t.add(1 * US, DEV, "10.0.0.50", "08:00:27:00:00:50") == []  # already so
    used = t.output(2 * US, DEV, "10.0.0.50", packet(0))
    assert used[0] == StateChanged(DEV, "10.0.0.50", "08:00:27:00:00:50", DEL, STA, "used while stale")
    assert used[2] == Transmit(DEV, "08:00:27:00:00:50", (packet(0),))  # no ARP request first


def test_an_added_entry_overrides_a_reachable_one_and_releases_waiting_packets():
    t = NeighbourTable(random.Random(SEED))
    resolved(t)
    other = "08:00:27:00:00:99"
    assert t.add(1 * S, DEV, IP, MAC) == [StateChanged(DEV, IP, MAC, STA, REA, "added")]  # admin: STALE anyway
    assert t.add(2 * S, DEV, IP, other) == [StateChanged(DEV, IP, other, STA, STA, "added")]
    waiting = t.output(0, DEV, "10.0.0.9", packet(1))
    assert t.add(3 * S, DEV, "10.0.0.9", MAC) == [StateChanged(DEV, "10.0.0.9", MAC, STA, INC, "added"),
                                                  Transmit(DEV, MAC, (packet(1),))]
    assert t.on_timer(1 * S, (DEV, "10.0.0.9"), token_of(waiting)) == []  # no more asking


def test_views_name_the_nic_by_name():
    t = NeighbourTable(random.Random(SEED))
    resolved(t)
    t.output(0, DEV, "10.0.0.9", packet(1))
    assert t.neigh_lines() == [f"{IP} dev eth0 lladdr {MAC} REACHABLE", "10.0.0.9 dev eth0 INCOMPLETE"]
    assert t.arp_lines()[1].split() == [IP, "ether", MAC, "C", "eth0"]
    assert t.rows(1 * S)[1] == {"ip": "10.0.0.9", "dev": DEV, "mac": None, "state": "INCOMPLETE", "age_s": 1.0,
                                "queued": 1}
