"""Random boots, releases and squatters on one segment: the lease invariants always hold."""

import random

from dhcp_loop import SECOND, D, Segment
from hypothesis import given, settings
from hypothesis import strategies as st

from simcore.apps.dhcp import ClientState, DhcpClient, DhcpServer

POOL = [f"10.0.2.{i}" for i in range(15, 19)]
FLIGHT_NS = D  # an ACK's time on the wire: the segment's one-way delay

scenario = st.fixed_dictionaries({
    "seed": st.integers(0, 2**32 - 1),
    "clients": st.lists(
        st.tuples(st.integers(0, 20), st.one_of(st.none(), st.integers(1, 60))),  # start s, release after s
        min_size=1, max_size=6,
    ),
    "occupied": st.lists(st.sampled_from(POOL), max_size=2, unique=True),
})


@settings(max_examples=60, deadline=None)
@given(scenario)
def test_leases_never_collide_and_the_server_agrees_with_the_clients(case):
    server = DhcpServer("10.0.2.2", "02:00:00:00:02:02", POOL[0], POOL[-1], 24, 600, router="10.0.2.2")
    rng = random.Random(case["seed"])
    clients = [DhcpClient(f"08:00:27:00:03:{i:02x}", f"vm{i}", rng) for i in range(len(case["clients"]))]
    squatters = {ip: f"02:00:00:00:09:{n:02x}" for n, ip in enumerate(case["occupied"])}
    seg = Segment(server, clients, occupied=squatters)
    for client, (start_s, release_after) in zip(clients, case["clients"], strict=True):
        seg.at(start_s * SECOND, lambda c=client: seg.apply(c.mac, c.start(seg.now)))
        if release_after is not None:
            seg.at((start_s + release_after) * SECOND, lambda c=client: seg.apply(c.mac, c.release(seg.now)))
    for second in range(1, 1500, 7):
        seg.run_until(second * SECOND)
        held = list(seg.bound.values())
        assert len(held) == len(set(held)), seg.bound  # no address bound twice
        assert all(ip in POOL and ip not in squatters for ip in held)
        rows = {r["ip"]: r for r in server.leases()}
        for ip in squatters:
            assert ip not in rows or rows[ip]["state"] in ("probing", "conflict")  # never offered or bound
        for client in clients:
            if client.state is ClientState.BOUND:
                row = rows.get(client.address)
                # The server's record of a bound client is its own and lasts as long, within the
                # ACK's flight: the server counts from when it sent the ACK, dhclient from the whole
                # second it came in. So the client stops using the address less than a second before
                # the server frees it, or, when the ACK crossed a second boundary in flight (sent at
                # x.99998 s, in at x+1 s), that flight's microseconds after, as real dhclient does.
                assert row is not None and row["mac"] == client.mac and row["state"] == "bound"
                assert row["expires_at_ns"] - SECOND < client.lease.expires_at_ns <= row["expires_at_ns"] + FLIGHT_NS
    # Free addresses and clients that want one: nobody waits forever (retry-interval < 1500 s).
    wanting = [c for c, (_s, rel) in zip(clients, case["clients"], strict=True) if rel is None]
    free = len(POOL) - len(squatters)
    assert len([c for c in wanting if c.state is ClientState.BOUND]) == min(len(wanting), free)
