"""The DHCP client as a conversation (smoltcp's style): expect DISCOVER, send OFFER, expect
REQUEST, send ACK, expect Bind — with exact messages, addresses and timer instants."""

import random

import pytest

from simcore.apps.dhcp import (
    Bind,
    CancelTimer,
    ClientState,
    DhcpClient,
    Note,
    Send,
    SetTimer,
    Unbind,
)
from simcore.packets import (
    BOOTREPLY,
    BOOTREQUEST,
    DHCPACK,
    DHCPDISCOVER,
    DHCPNAK,
    DHCPOFFER,
    DHCPRELEASE,
    DHCPREQUEST,
    Dhcp,
)

S = 1_000_000_000
MAC = "08:00:27:00:02:15"
SERVER = "10.0.2.2"
SERVER_MAC = "02:00:00:00:02:02"
PRL = (1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42)
SEED = 7


def xids(seed=SEED):
    """The transaction ids the client must draw, in order, from the Random it was given."""
    rng = random.Random(seed)
    return rng


def offer(xid, yiaddr="10.0.2.15", server=SERVER, lease=3600):
    return Dhcp(BOOTREPLY, xid, MAC, (
        (53, DHCPOFFER), (54, server), (51, lease), (58, lease // 2), (59, lease * 7 // 8),
        (1, "255.255.255.0"), (28, "10.0.2.255"), (3, ("10.0.2.2",)), (6, ("10.0.2.3",)),
    ), yiaddr=yiaddr, siaddr=server)


def ack(xid, yiaddr="10.0.2.15", ciaddr="0.0.0.0", lease=3600, t1=None, t2=None):
    options = [(53, DHCPACK), (54, SERVER), (51, lease)]
    if t1 is not None:
        options += [(58, t1), (59, t2)]
    options += [(1, "255.255.255.0"), (28, "10.0.2.255"), (3, ("10.0.2.2",)), (6, ("10.0.2.3",)),
                (12, "vm")]
    return Dhcp(BOOTREPLY, xid, MAC, tuple(options), ciaddr=ciaddr, yiaddr=yiaddr, siaddr=SERVER)


def nak(xid):
    return Dhcp(BOOTREPLY, xid, MAC, ((53, DHCPNAK), (54, SERVER), (56, b"wrong address")))


def sends(actions):
    return [a for a in actions if isinstance(a, Send)]


def timers(actions):
    return {a.timer_id: a.at_ns for a in actions if isinstance(a, SetTimer)}


def only(kind, actions):
    found = [a for a in actions if isinstance(a, kind)]
    assert len(found) == 1, actions
    return found[0]


def roundtrip(msg):
    assert Dhcp.parse(msg.emit()) == msg
    return msg


def bound_client(t0=10 * S):
    """A client taken through DORA: DISCOVER at 0, OFFER and REQUEST at 3 s, ACK at t0."""
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = rng.getrandbits(32)
    client.on_message(3 * S, offer(xid), SERVER, "10.0.2.15")
    client.on_message(t0, ack(xid), SERVER, "10.0.2.15")
    assert client.state is ClientState.BOUND
    return client, rng


def test_dora_exact_messages_and_bind():
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED))

    # Expect DISCOVER: from 0.0.0.0:68 to 255.255.255.255:67, broadcast flag clear, dhclient's
    # options (53, 12 host name, 55 parameter request list), retransmission armed at +3 s.
    actions = client.start(1 * S)
    xid = rng.getrandbits(32)
    send = only(Send, actions)
    assert send == Send(
        Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPDISCOVER), (12, "vm"), (55, PRL))),
        "0.0.0.0", "255.255.255.255", "ff:ff:ff:ff:ff:ff", 68, 67,
    )
    assert send.msg.flags == 0
    roundtrip(send.msg)
    assert timers(actions) == {"retransmit": 4 * S}
    assert client.state is ClientState.SELECTING

    # Send OFFER, expect REQUEST with 54 (server id) and 50 (requested address), same xid.
    actions = client.on_message(4 * S + 50_000, offer(xid), SERVER, "10.0.2.15")
    assert only(Send, actions) == Send(
        Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPREQUEST), (54, SERVER), (50, "10.0.2.15"), (12, "vm"), (55, PRL))),
        "0.0.0.0", "255.255.255.255", "ff:ff:ff:ff:ff:ff", 68, 67,
    )
    roundtrip(only(Send, actions).msg)
    assert timers(actions) == {"retransmit": 7 * S + 50_000}
    assert client.state is ClientState.REQUESTING

    # Send ACK, expect Bind and the T1/T2/expiry timers from the ACK's instant.
    t = 4 * S + 100_000
    actions = client.on_message(t, ack(xid, t1=1800, t2=3150), SERVER, "10.0.2.15")
    assert only(Bind, actions) == Bind("10.0.2.15", 24, "10.0.2.2", ("10.0.2.3",), 3600, SERVER, False)
    assert CancelTimer("retransmit") in actions
    assert timers(actions) == {"t1": t + 1800 * S, "t2": t + 3150 * S, "expiry": t + 3600 * S}
    assert sends(actions) == []
    assert client.state is ClientState.BOUND
    assert client.address == "10.0.2.15"
    assert only(Note, actions).text == (
        "vm is bound to 10.0.2.15/24, default route via 10.0.2.2 for 3600 s; it renews at T1 = 1800 s "
        "and rebinds at T2 = 3150 s (DHCPACK from 10.0.2.2)"
    )


def test_discover_retransmission_follows_dhclient_backoff():
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    actions = client.start(0)
    xid = rng.getrandbits(32)
    at = timers(actions)["retransmit"]
    assert at == 3 * S  # dhclient's initial interval
    interval, instants, secs = 3, [0], [0]
    while True:
        actions = client.on_timer(at, "retransmit")
        if not sends(actions):
            break
        msg = only(Send, actions).msg
        assert msg.xid == xid  # the same transaction while SELECTING
        instants.append(at // S)
        secs.append(msg.secs)
        # dhclient: interval += random 0..2*interval-1; past the 15 s cutoff, 7 + 0..14; never
        # more than one second past the 60 s timeout.
        interval += rng.randrange(2 * interval)
        if interval > 15:
            interval = 7 + rng.randrange(15)
        wait = min(interval, 60 - at // S + 1)
        assert timers(actions) == {"retransmit": at + wait * S}
        at += wait * S
    assert secs == instants  # secs counts from the first DISCOVER
    assert instants[:2] == [0, 3]
    assert at == 61 * S  # dhclient gives up one second past its timeout
    # After dhclient's 60 s timeout: no more DISCOVERs, a sleep of 150..449 s, then a new round.
    note = only(Note, actions)
    sleep = 150 + rng.randrange(300)
    assert note.text == f"vm received no DHCPOFFER in 60 s; it sleeps {sleep} s and tries again"
    assert timers(actions) == {"restart": at + sleep * S}
    assert client.state is ClientState.INIT
    actions = client.on_timer(at + sleep * S, "restart")
    assert only(Send, actions).msg.xid == rng.getrandbits(32) != xid
    assert only(Send, actions).msg.secs == 0


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_second_retransmission_is_3_to_8_seconds_after_the_first(seed):
    client = DhcpClient(MAC, None, random.Random(seed))
    client.start(0)
    actions = client.on_timer(3 * S, "retransmit")
    assert 6 * S <= timers(actions)["retransmit"] <= 11 * S
    assert all(code != 12 for code, _ in only(Send, actions).msg.options)  # no host name given


def test_request_retransmits_then_gives_up_after_10_s():
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = rng.getrandbits(32)
    client.on_timer(3 * S, "retransmit")  # a second DISCOVER, secs 3
    actions = client.on_message(3 * S, offer(xid), SERVER, "10.0.2.15")
    assert only(Send, actions).msg.secs == 3  # dhclient repeats the last DISCOVER's secs
    at = timers(actions)["retransmit"]
    assert at == 6 * S
    actions = client.on_timer(at, "retransmit")
    resent = only(Send, actions).msg
    assert (resent.message_type, resent.xid, resent.secs, resent.get(50)) == (DHCPREQUEST, xid, 3, "10.0.2.15")
    # Keep silent: past dhclient's 10 s reboot-timeout the client starts over with a DISCOVER.
    while client.state is ClientState.REQUESTING:
        at = timers(actions)["retransmit"]
        actions = client.on_timer(at, "retransmit")
    assert at > 13 * S
    assert client.state is ClientState.SELECTING
    assert only(Send, actions).msg.message_type == DHCPDISCOVER
    assert Note("dhcp.timeout", "vm got no answer to its DHCPREQUEST in 10 s and starts over") in actions


def test_second_offer_is_ignored_once_requesting():
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = rng.getrandbits(32)
    client.on_message(3 * S, offer(xid), SERVER, "10.0.2.15")
    actions = client.on_message(3 * S, offer(xid), SERVER, "10.0.2.15")
    assert actions == [Note("dhcp.ignore", "vm ignores another DHCPOFFER of 10.0.2.15: it has already "
                                           "chosen 10.0.2.15 and asked for it")]


@pytest.mark.parametrize(
    ("msg", "why"),
    [
        (lambda xid: offer(xid ^ 1), "another transaction"),
        (lambda xid: Dhcp(BOOTREPLY, xid, "08:00:27:00:02:16", ((53, DHCPOFFER), (54, SERVER)),
                          yiaddr="10.0.2.16"), "another client's offer"),
        (lambda xid: Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPOFFER), (54, SERVER)), yiaddr="10.0.2.16"),
         "not a reply"),
    ],
)
def test_offers_not_for_this_transaction_do_not_move_the_client(msg, why):
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    actions = client.on_message(1 * S, msg(client.xid), SERVER, "255.255.255.255")
    assert sends(actions) == [], why
    assert client.state is ClientState.SELECTING


def test_renew_at_t1_is_unicast_to_the_server_with_ciaddr():
    client, rng = bound_client(t0=10 * S)
    t1 = 10 * S + 1800 * S
    actions = client.on_timer(t1, "t1")
    xid = rng.getrandbits(32)
    assert client.state is ClientState.RENEWING
    send = only(Send, actions)
    # RFC 2131 table 5: ciaddr set, no option 50 or 54; routed (dst_mac None) to the server.
    assert send == Send(
        Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPREQUEST), (12, "vm"), (55, PRL)), ciaddr="10.0.2.15"),
        "10.0.2.15", SERVER, None, 68, 67,
    )
    roundtrip(send.msg)
    # RFC 2131 §4.4.5: retry after half the time left until T2 (3150 - 1800 = 1350 s).
    assert timers(actions) == {"retransmit": t1 + 675 * S}
    actions = client.on_message(t1 + 1_000, ack(xid, ciaddr="10.0.2.15"), SERVER, "10.0.2.15")
    assert only(Bind, actions) == Bind("10.0.2.15", 24, "10.0.2.2", ("10.0.2.3",), 3600, SERVER, True)
    t = t1 + 1_000
    assert timers(actions) == {"t1": t + 1800 * S, "t2": t + 3150 * S, "expiry": t + 3600 * S}
    assert client.state is ClientState.BOUND


def test_renew_retransmissions_halve_down_to_60_s_and_stop_at_t2():
    client, _rng = bound_client(t0=0)
    at = 1800 * S
    actions = client.on_timer(at, "t1")
    instants = []
    while "retransmit" in timers(actions):
        at = timers(actions)["retransmit"]
        instants.append(at / S)
        actions = client.on_timer(at, "retransmit")
    assert instants == [2475.0, 2812.5, 2981.25, 3065.625, 3125.625]
    assert CancelTimer("retransmit") in actions  # the next would pass T2 at 3150 s


def test_rebind_at_t2_is_broadcast_then_expiry_unbinds_and_restarts():
    client, rng = bound_client(t0=0)
    client.on_timer(1800 * S, "t1")
    rng.getrandbits(32)  # the renewal's xid
    actions = client.on_timer(3150 * S, "t2")
    xid = rng.getrandbits(32)
    assert client.state is ClientState.REBINDING
    assert only(Send, actions) == Send(
        Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPREQUEST), (12, "vm"), (55, PRL)), ciaddr="10.0.2.15"),
        "10.0.2.15", "255.255.255.255", "ff:ff:ff:ff:ff:ff", 68, 67,
    )
    assert timers(actions) == {"retransmit": (3150 + 225) * S}  # half of the 450 s left
    actions = client.on_timer(3600 * S, "expiry")
    assert only(Unbind, actions) == Unbind("10.0.2.15", "expired")
    assert client.state is ClientState.SELECTING
    assert client.address is None
    discover = only(Send, actions).msg
    assert discover.message_type == DHCPDISCOVER
    assert discover.get(50) == "10.0.2.15"  # dhclient asks for its last address again
    assert discover.xid == rng.getrandbits(32)
    assert [type(a).__name__ for a in actions] == [
        "Note", "CancelTimer", "CancelTimer", "CancelTimer", "Unbind", "Note", "Send", "SetTimer",
    ]


def test_rebind_ack_rebinds():
    client, rng = bound_client(t0=0)
    client.on_timer(1800 * S, "t1")
    rng.getrandbits(32)
    client.on_timer(3150 * S, "t2")
    xid = rng.getrandbits(32)
    actions = client.on_message(3151 * S, ack(xid, ciaddr="10.0.2.15"), SERVER, "10.0.2.15")
    assert only(Bind, actions).renewed is True
    assert client.state is ClientState.BOUND


def test_nak_while_requesting_restarts_without_the_address():
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = rng.getrandbits(32)
    client.on_message(3 * S, offer(xid), SERVER, "10.0.2.15")
    actions = client.on_message(3 * S + 1, nak(xid), SERVER, "255.255.255.255")
    assert actions[0] == Note("dhcp.nak", "vm is refused 10.0.2.15 (DHCPNAK from 10.0.2.2): it may not use "
                                          "it and starts over (RFC 2131 §3.1)", (f"DHCPNAK from 10.0.2.2 (xid=0x{xid:x})",))
    assert [a for a in actions if isinstance(a, Unbind)] == []  # nothing was bound yet
    discover = only(Send, actions).msg
    assert (discover.message_type, discover.xid, discover.get(50)) == (DHCPDISCOVER, rng.getrandbits(32), None)
    assert client.state is ClientState.SELECTING


def test_nak_while_renewing_unbinds():
    client, rng = bound_client(t0=0)
    client.on_timer(1800 * S, "t1")
    xid = rng.getrandbits(32)
    actions = client.on_message(1800 * S + 1, nak(xid), SERVER, "255.255.255.255")
    assert only(Unbind, actions) == Unbind("10.0.2.15", "nak")
    assert only(Send, actions).msg.get(50) is None  # a refused address is not asked for again
    assert client.state is ClientState.SELECTING


def test_release_is_unicast_to_the_server_and_unbinds():
    client, rng = bound_client(t0=0)
    actions = client.release(100 * S)
    xid = rng.getrandbits(32)
    assert only(Send, actions) == Send(
        Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPRELEASE), (54, SERVER)), ciaddr="10.0.2.15"),
        "10.0.2.15", SERVER, None, 68, 67,
    )
    roundtrip(only(Send, actions).msg)
    assert only(Unbind, actions) == Unbind("10.0.2.15", "released")
    assert {a.timer_id for a in actions if isinstance(a, CancelTimer)} == {
        "retransmit", "t1", "t2", "expiry", "restart",
    }
    assert client.state is ClientState.RELEASED
    # A stale T1 after the release does nothing; `dhclient eth0` again starts a new DORA.
    assert client.on_timer(1800 * S, "t1") == []
    again = only(Send, client.start(200 * S)).msg
    assert (again.message_type, again.get(50)) == (DHCPDISCOVER, "10.0.2.15")


def test_release_without_a_lease_sends_nothing():
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    assert sends(client.release(1 * S)) == []
    assert client.state is ClientState.RELEASED


def test_start_while_bound_is_a_no_op():
    client, _rng = bound_client()
    assert client.start(20 * S) == [Note("dhcp.client", "vm already holds 10.0.2.15: nothing to do")]


def test_server_t1_t2_out_of_order_fall_back_to_rfc_defaults():
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = rng.getrandbits(32)
    client.on_message(1 * S, offer(xid), SERVER, "10.0.2.15")
    actions = client.on_message(2 * S, ack(xid, lease=1000, t1=900, t2=800), SERVER, "10.0.2.15")
    assert timers(actions) == {"t1": 2 * S + 500 * S, "t2": 2 * S + 875 * S, "expiry": 2 * S + 1000 * S}


def test_unknown_timer_raises():
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    with pytest.raises(ValueError, match=r"^DhcpClient vm: unknown timer 'T1'$"):
        client.on_timer(0, "T1")


def test_rng_must_be_a_random_instance():
    with pytest.raises(TypeError, match=r"^xid_source must be a random.Random, not 42$"):
        DhcpClient(MAC, "vm", 42)


def test_dhclient_verbose_log_lines():
    """What `dhclient -v eth0` prints, line by line, for DORA, renewal and release."""
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED), ifname="enp0s3")
    log = []

    def run(actions):
        log.extend(line for a in actions if isinstance(a, Note) for line in a.log)

    run(client.start(0))
    xid = rng.getrandbits(32)
    run(client.on_timer(3 * S, "retransmit"))
    interval = 3 + rng.randrange(6)
    if interval > 15:
        interval = 7 + rng.randrange(15)
    run(client.on_message(3 * S + 1, offer(xid), SERVER, "10.0.2.15"))
    run(client.on_message(3 * S + 2, ack(xid), SERVER, "10.0.2.15"))
    run(client.on_timer(3 * S + 2 + 1800 * S, "t1"))
    renew_xid = rng.getrandbits(32)
    run(client.on_message(3 * S + 3 + 1800 * S, ack(renew_xid, ciaddr="10.0.2.15"), SERVER, "10.0.2.15"))
    run(client.release(4000 * S))
    release_xid = rng.getrandbits(32)
    assert log == [
        f"DHCPDISCOVER on enp0s3 to 255.255.255.255 port 67 interval 3 (xid=0x{xid:x})",
        f"DHCPDISCOVER on enp0s3 to 255.255.255.255 port 67 interval {interval} (xid=0x{xid:x})",
        "DHCPOFFER of 10.0.2.15 from 10.0.2.2",
        f"DHCPREQUEST for 10.0.2.15 on enp0s3 to 255.255.255.255 port 67 (xid=0x{xid:x})",
        f"DHCPACK of 10.0.2.15 from 10.0.2.2 (xid=0x{xid:x})",
        "bound to 10.0.2.15 -- renewal in 1800 seconds.",
        f"DHCPREQUEST for 10.0.2.15 on enp0s3 to 10.0.2.2 port 67 (xid=0x{renew_xid:x})",
        f"DHCPACK of 10.0.2.15 from 10.0.2.2 (xid=0x{renew_xid:x})",
        "bound to 10.0.2.15 -- renewal in 1800 seconds.",
        f"DHCPRELEASE of 10.0.2.15 on enp0s3 to 10.0.2.2 port 67 (xid=0x{release_xid:x})",
    ]


def test_infinite_lease_sets_no_timers():
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = rng.getrandbits(32)
    client.on_message(1 * S, offer(xid), SERVER, "10.0.2.15")
    actions = client.on_message(2 * S, ack(xid, lease=0xFFFFFFFF), SERVER, "10.0.2.15")
    assert timers(actions) == {}
    assert {a.timer_id for a in actions if isinstance(a, CancelTimer)} == {"retransmit", "t1", "t2", "expiry"}
    assert client.lease.expires_at_ns is None


def test_rebinding_ack_for_another_address_replaces_the_old_one():
    client, rng = bound_client(t0=0)
    client.on_timer(1800 * S, "t1")
    rng.getrandbits(32)
    client.on_timer(3150 * S, "t2")
    xid = rng.getrandbits(32)
    actions = client.on_message(3151 * S, ack(xid, yiaddr="10.0.2.40", ciaddr="10.0.2.15"), "10.0.2.9", "10.0.2.15")
    assert [a for a in actions if isinstance(a, (Bind, Unbind))] == [
        Unbind("10.0.2.15", "replaced"),
        Bind("10.0.2.40", 24, "10.0.2.2", ("10.0.2.3",), 3600, SERVER, False),
    ]


def test_mask_missing_falls_back_on_the_address_class():
    rng = xids()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = rng.getrandbits(32)
    client.on_message(1 * S, offer(xid, yiaddr="172.16.5.9"), SERVER, "172.16.5.9")
    bare = Dhcp(BOOTREPLY, xid, MAC, ((53, DHCPACK), (54, SERVER), (51, 600)), yiaddr="172.16.5.9")
    assert only(Bind, client.on_message(2 * S, bare, SERVER, "172.16.5.9")) == Bind(
        "172.16.5.9", 16, None, (), 600, SERVER, False)
