"""ISC dhclient 4.4 as a conversation (smoltcp's style): expect DISCOVER, send OFFER, expect
REQUEST, send ACK, expect Bind — with exact messages, IP headers and timer instants.

The instants follow client/dhclient.c: a whole-second clock (``cur_time``), ``random()`` (31
bits) for every draw, a random microsecond on every timer more than a second ahead. ``Draws``
replays the run's random source in the order dhclient draws, so each expected value below is
the formula of the C source with the same numbers.
"""

import random

import pytest

from simcore.apps.dhcp import (
    Bind,
    CancelTimer,
    ClientLease,
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
US = 1_000
MAC = "08:00:27:00:02:15"
SERVER = "10.0.2.2"
PRL = (1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42)  # Debian's dhclient.conf request line
SEED = 7
BCAST = ("255.255.255.255", "ff:ff:ff:ff:ff:ff", 68, 67)


class Draws:
    """The client's random source, replayed: ``r()`` is one glibc random()."""

    def __init__(self, seed=SEED):
        self.rng = random.Random(seed)

    def r(self):
        return self.rng.getrandbits(31)

    def usec(self):
        return self.r() % 1_000_000


def at(sec, usec):
    return sec * S + usec * US


def offer(xid, yiaddr="10.0.2.15", server=SERVER, lease=3600):
    return Dhcp(BOOTREPLY, xid, MAC, (
        (53, DHCPOFFER), (54, server), (51, lease), (58, lease // 2), (59, lease * 7 // 8),
        (1, "255.255.255.0"), (28, "10.0.2.255"), (3, ("10.0.2.2",)), (6, ("10.0.2.3",)),
    ), yiaddr=yiaddr, siaddr=server)


def ack(xid, yiaddr="10.0.2.15", ciaddr="0.0.0.0", lease=3600, t1=1800, t2=3150):
    options = [(53, DHCPACK), (54, SERVER), (51, lease)]
    if t1 is not None:
        options += [(58, t1), (59, t2)]
    options += [(1, "255.255.255.0"), (28, "10.0.2.255"), (3, ("10.0.2.2",)), (6, ("10.0.2.3",)), (12, "vm")]
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


def raw(msg, src="0.0.0.0"):
    """A frame dhclient builds itself on its packet socket: TOS 0x10, no DF."""
    return Send(msg, src, *BCAST, tos=0x10, df=False)


def roundtrip(msg):
    assert Dhcp.parse(msg.emit()) == msg
    return msg


def bound_client(t_offer=4 * S, t_ack=4 * S + 100 * US):
    """A client through DORA (DISCOVER at 1 s): returns it, the draws, and its renewal (s, µs)."""
    d = Draws()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(1 * S)
    xid = d.r()
    interval = 3 + d.r() % 6
    d.usec()  # the DISCOVER's retransmission instant
    client.on_message(t_offer, offer(xid), SERVER, "10.0.2.15")
    d.r()  # the REQUEST's backoff
    d.usec()
    actions = client.on_message(t_ack, ack(xid), SERVER, "10.0.2.15")
    t1 = (1800 * 3 + 3) // 4 + ((d.r() % 1800) + 3) // 4
    renewal = (t_ack // S + t1, d.usec())
    assert timers(actions) == {"t1": at(*renewal)} and interval >= 3
    return client, d, xid, t1, renewal


def test_dora_exact_messages_and_bind():
    d = Draws()
    client = DhcpClient(MAC, "vm", random.Random(SEED))

    # DISCOVER from 0.0.0.0:68 to 255.255.255.255:67, broadcast flag clear, secs 0, options 53,
    # 12 (host name), 55 (parameter request list). state_init sets the interval to 3 and
    # send_discover already grows it: interval = 3 + random() % 6, timer at cur_time + interval
    # plus a random microsecond.
    actions = client.start(1 * S)
    xid = d.r()
    assert xid < 1 << 31  # random(): the top bit of dhclient's xid is always 0
    send = only(Send, actions)
    assert send == raw(Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPDISCOVER), (12, "vm"), (55, PRL))))
    assert (send.msg.flags, send.msg.secs, send.pad) == (0, 0, True)
    roundtrip(send.msg)
    interval = 3 + d.r() % 6
    assert timers(actions) == {"retransmit": at(1 + interval, d.usec())}
    assert only(Note, actions).log == (
        f"DHCPDISCOVER on eth0 to 255.255.255.255 port 67 interval {interval} (xid=0x{xid:x})",)
    assert client.state is ClientState.SELECTING

    # OFFER at 4.00005 s: REQUEST at once with 54 (server id) and 50 (offered address), the
    # DISCOVER's xid and secs; its own backoff starts from 3 again: 3 + (random() >> 2) % 6.
    actions = client.on_message(4 * S + 50 * US, offer(xid), SERVER, "10.0.2.15")
    assert only(Send, actions) == raw(Dhcp(BOOTREQUEST, xid, MAC, (
        (53, DHCPREQUEST), (54, SERVER), (50, "10.0.2.15"), (12, "vm"), (55, PRL))))
    roundtrip(only(Send, actions).msg)
    assert timers(actions) == {"retransmit": at(4 + 3 + (d.r() >> 2) % 6, d.usec())}
    assert client.state is ClientState.REQUESTING

    # ACK at 4.0001 s: Bind; the renewal timer at T1 fuzzed to 75..100 % of the server's 1800 s
    # ((3 * T1 + 3) / 4 + (random() % T1 + 3) / 4), counted in whole seconds from 4 s.
    actions = client.on_message(4 * S + 100 * US, ack(xid), SERVER, "10.0.2.15")
    assert only(Bind, actions) == Bind("10.0.2.15", 24, "10.0.2.2", ("10.0.2.3",), 3600, SERVER, False)
    t1 = (1800 * 3 + 3) // 4 + ((d.r() % 1800) + 3) // 4
    assert 1350 <= t1 <= 1800
    assert timers(actions) == {"t1": at(4 + t1, d.usec())}
    assert CancelTimer("retransmit") in actions and sends(actions) == []
    assert client.state is ClientState.BOUND and client.address == "10.0.2.15"
    assert client.lease.t2_at_ns == (4 + 3150) * S and client.lease.expires_at_ns == (4 + 3600) * S
    assert only(Note, actions).log == (f"DHCPACK of 10.0.2.15 from 10.0.2.2 (xid=0x{xid:x})",
                                       f"bound to 10.0.2.15 -- renewal in {t1} seconds.")


def test_discover_backoff_until_the_60_s_timeout_then_sleep():
    d = Draws()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    actions = client.start(0)
    xid = d.r()
    interval = 3
    now, seconds, secs = 0, [], []
    while True:
        # send_discover: interval += random() % (2 * interval); past the 15 s cutoff,
        # 7 + random() % 15; never more than one second past first + 60.
        interval += d.r() % (2 * interval)
        if interval > 15:
            interval = 7 + d.r() % 15
        interval = min(interval, 60 - now // S + 1)
        msg = only(Send, actions).msg
        seconds.append(now // S)
        secs.append(msg.secs)
        assert msg.xid == xid
        now = at(now // S + interval, d.usec())
        assert timers(actions) == {"retransmit": now}
        actions = client.on_timer(now, "retransmit")
        if not sends(actions):
            break
    assert secs == seconds  # secs: whole seconds since the first DISCOVER
    assert now // S == 61  # state_panic: more than 60 s have passed
    sleep = 150 + d.r() % 300
    note = only(Note, actions)
    assert note.text == f"vm received no DHCPOFFER in 60 s; it sleeps {sleep} s and tries again"
    assert note.log == ("No DHCPOFFERS received.", "No working leases in persistent database - sleeping.")
    restart = at(61 + sleep, d.usec())
    assert timers(actions) == {"restart": restart}
    assert client.state is ClientState.INIT
    again = only(Send, client.on_timer(restart, "restart")).msg
    assert (again.xid, again.secs) == (d.r(), 0)


@pytest.mark.parametrize("seed", range(12))
def test_first_retransmission_is_3_to_8_seconds_later(seed):
    client = DhcpClient(MAC, None, random.Random(seed))
    actions = client.start(5 * S)
    assert 8 * S <= timers(actions)["retransmit"] < 14 * S
    assert all(code != 12 for code, _ in only(Send, actions).msg.options)  # no host name given


def test_request_retransmits_then_starts_over_after_10_s():
    d = Draws()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = d.r()
    interval = 3 + d.r() % 6
    retransmit = at(interval, d.usec())
    client.on_timer(retransmit, "retransmit")  # a second DISCOVER, secs = interval
    interval2 = interval + d.r() % (2 * interval)
    if interval2 > 15:
        interval2 = 7 + d.r() % 15
    d.usec()
    now = retransmit + 10 * US
    actions = client.on_message(now, offer(xid), SERVER, "10.0.2.15")
    assert only(Send, actions).msg.secs == interval  # dhclient repeats the last DISCOVER's secs
    first = now // S
    request_interval = 3
    while client.state is ClientState.REQUESTING:
        request_interval += (d.r() >> 2) % (2 * request_interval)
        if request_interval > 15:
            request_interval = 7 + (d.r() >> 2) % 15
        now = at(now // S + request_interval, d.usec())
        assert timers(actions) == {"retransmit": now}
        actions = client.on_timer(now, "retransmit")
        if client.state is ClientState.REQUESTING:
            resent = only(Send, actions).msg
            assert (resent.message_type, resent.xid, resent.secs, resent.get(50)) == (DHCPREQUEST, xid, interval,
                                                                                     "10.0.2.15")
    # send_request: more than 10 s (reboot timeout) since the first REQUEST: INIT, a DISCOVER.
    assert now // S - first > 10
    assert Note("dhcp.timeout", "vm got no answer to its DHCPREQUEST in 10 s and starts over") in actions
    discover = only(Send, actions).msg
    assert (discover.message_type, discover.xid, client.state) == (DHCPDISCOVER, d.r(), ClientState.SELECTING)


def test_a_nak_without_any_lease_is_ignored():
    # dhcpnak: "DHCPNAK with no active lease" is dropped; the REQUEST goes on.
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = client.xid
    client.on_message(3 * S, offer(xid), SERVER, "10.0.2.15")
    actions = client.on_message(3 * S + 1, nak(xid), SERVER, "255.255.255.255")
    assert sends(actions) == [] and timers(actions) == {}
    assert only(Note, actions).log == (f"DHCPNAK from 10.0.2.2 (xid=0x{xid:x})",)
    assert client.state is ClientState.REQUESTING


def test_second_offer_is_ignored_once_requesting():
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    client.on_message(3 * S, offer(client.xid), SERVER, "10.0.2.15")
    actions = client.on_message(3 * S, offer(client.xid), SERVER, "10.0.2.15")
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


def test_renewal_keeps_the_xid_and_goes_unicast_through_the_kernel():
    client, d, xid, t1, renewal = bound_client()
    now = at(*renewal)
    actions = client.on_timer(now, "t1")
    assert client.state is ClientState.RENEWING
    # state_bound: make_request keeps the DORA's xid; ciaddr set, no 50 or 54 (RFC 2131 table 5);
    # sent on dhclient's fallback UDP socket: the kernel's header (TOS 0, DF), routed.
    send = only(Send, actions)
    assert send == Send(Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPREQUEST), (12, "vm"), (55, PRL)), ciaddr="10.0.2.15"),
                        "10.0.2.15", SERVER, None, 68, 67)
    roundtrip(send.msg)
    assert timers(actions) == {"retransmit": at(now // S + 3 + (d.r() >> 2) % 6, d.usec())}
    actions = client.on_message(now + 1_000, ack(xid, ciaddr="10.0.2.15"), SERVER, "10.0.2.15")
    assert only(Bind, actions) == Bind("10.0.2.15", 24, "10.0.2.2", ("10.0.2.3",), 3600, SERVER, True)
    assert client.state is ClientState.BOUND


def test_silent_server_renewing_then_rebinding_then_expiry():
    client, d, xid, t1, renewal = bound_client()
    bound_s = 4
    now = at(*renewal)
    actions = client.on_timer(now, "t1")
    first_s = now // S
    interval, kinds = 3, []
    while True:
        interval += (d.r() >> 2) % (2 * interval)
        if interval > 15:
            interval = 7 + (d.r() >> 2) % 15
        if now // S + interval > bound_s + 3600:
            interval = bound_s + 3600 - now // S + 1  # never past the lease end
        now = at(now // S + interval, d.usec())
        assert timers(actions) == {"retransmit": now}
        actions = client.on_timer(now, "retransmit")
        send = only(Send, actions)
        if send.msg.message_type == DHCPDISCOVER:
            break
        kinds.append("unicast" if send.dst_mac is None else "broadcast")
        assert send.msg.xid == xid and send.msg.secs == now // S - first_s and send.msg.ciaddr == "10.0.2.15"
        if now // S > bound_s + 3150:  # past T2: broadcast, still from the leased address
            assert send == raw(send.msg, src="10.0.2.15")
            assert client.state is ClientState.REBINDING
        else:
            assert send.dst_ip == SERVER and send.src_ip == "10.0.2.15"
    assert kinds[0] == "unicast" and kinds[-1] == "broadcast"
    assert kinds == sorted(kinds, key=lambda k: k == "broadcast")  # unicast until T2, broadcast after
    # The retransmission one second past the lease end finds it expired: the address goes, and
    # a DISCOVER with a new xid asks for the same address again.
    assert now // S == bound_s + 3600 + 1
    assert only(Unbind, actions) == Unbind("10.0.2.15", "expired")
    discover = send.msg
    assert (discover.xid, discover.get(50), discover.secs) == (d.r(), "10.0.2.15", 0)
    assert client.state is ClientState.SELECTING and client.address is None


def test_nak_while_renewing_unbinds_and_forgets_the_address():
    client, d, xid, t1, renewal = bound_client()
    client.on_timer(at(*renewal), "t1")
    actions = client.on_message(at(*renewal) + 1, nak(xid), SERVER, "255.255.255.255")
    assert only(Unbind, actions) == Unbind("10.0.2.15", "nak")
    assert only(Send, actions).msg.get(50) is None  # the refused lease is destroyed: no option 50
    assert client.state is ClientState.SELECTING


def test_release_is_unicast_with_the_host_name_and_unbinds():
    client, d, _xid, _t1, _renewal = bound_client()
    actions = client.release(100 * S)
    d.r()  # do_release: client->xid = random()
    xid = d.r()  # make_release: packet.xid = random() again
    # dhclient.conf's "send host-name" runs for every message, the RELEASE too.
    assert only(Send, actions) == Send(
        Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPRELEASE), (54, SERVER), (12, "vm")), ciaddr="10.0.2.15"),
        "10.0.2.15", SERVER, None, 68, 67)
    roundtrip(only(Send, actions).msg)
    assert only(Unbind, actions) == Unbind("10.0.2.15", "released")
    assert {a.timer_id for a in actions if isinstance(a, CancelTimer)} == {"retransmit", "t1", "restart"}
    assert client.state is ClientState.RELEASED
    # A stale renewal timer does nothing; `dhclient eth0` again: the released lease has ended,
    # so a DISCOVER (not INIT-REBOOT) that asks for the same address.
    assert client.on_timer(at(*_renewal), "t1") == []
    again = only(Send, client.start(200 * S)).msg
    assert (again.message_type, again.get(50)) == (DHCPDISCOVER, "10.0.2.15")


def test_init_reboot_asks_for_the_remembered_address():
    remembered = ClientLease("10.0.2.15", 24, "10.0.2.2", ("10.0.2.3",), SERVER, 3600, 0, 1800 * S, 3150 * S, 3600 * S)
    d = Draws()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    actions = client.start(100 * S, remembered)
    xid = d.r()
    # state_reboot: a new xid; REQUEST broadcast with 50 and no 54, ciaddr 0 (RFC 2131 §4.3.2).
    assert only(Send, actions) == raw(Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPREQUEST), (50, "10.0.2.15"), (12, "vm"),
                                                                  (55, PRL))))
    assert client.state is ClientState.REBOOTING
    now = at(100 + 3 + (d.r() >> 2) % 6, d.usec())
    assert timers(actions) == {"retransmit": now}
    actions = client.on_message(100 * S + 100 * US, ack(xid), SERVER, "10.0.2.15")
    assert only(Bind, actions).address == "10.0.2.15" and client.state is ClientState.BOUND


def test_init_reboot_without_answer_falls_back_to_discover():
    remembered = ClientLease("10.0.2.15", 24, "10.0.2.2", (), SERVER, 3600, 0, 1800 * S, 3150 * S, 3600 * S)
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    actions = client.start(100 * S, remembered)
    while client.state is ClientState.REBOOTING:
        actions = client.on_timer(timers(actions)["retransmit"], "retransmit")
    discover = only(Send, actions).msg
    assert (discover.message_type, discover.get(50), client.state) == (DHCPDISCOVER, "10.0.2.15", ClientState.SELECTING)


def test_start_while_bound_is_a_no_op():
    client, *_ = bound_client()
    assert client.start(20 * S) == [Note("dhcp.client", "vm already holds 10.0.2.15: nothing to do")]


def test_t1_falls_back_on_half_the_lease_plus_one_and_stays_before_t2():
    d = Draws()
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = d.r()
    d.r(), d.usec()
    client.on_message(1 * S, offer(xid), SERVER, "10.0.2.15")
    d.r(), d.usec()
    actions = client.on_message(2 * S, ack(xid, lease=1000, t1=None), SERVER, "10.0.2.15")
    t1 = (501 * 3 + 3) // 4 + ((d.r() % 501) + 3) // 4  # no option 58: lease / 2 + 1
    assert timers(actions) == {"t1": at(2 + t1, d.usec())}
    assert client.lease.t2_at_ns == (2 + 875) * S  # no option 59: 7/8 of the lease


def test_unknown_timer_raises():
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    with pytest.raises(ValueError, match=r"^DhcpClient vm: unknown timer 'T1'$"):
        client.on_timer(0, "T1")


def test_rng_must_be_a_random_instance():
    with pytest.raises(TypeError, match=r"^xid_source must be a random.Random, not 42$"):
        DhcpClient(MAC, "vm", 42)


def test_dhclient_verbose_log_lines():
    """What `dhclient -v enp0s3` prints, line by line, for DORA, renewal and release."""
    log = []

    def run(actions):
        log.extend(line for a in actions if isinstance(a, Note) for line in a.log)

    client2 = DhcpClient(MAC, "vm", random.Random(SEED), ifname="enp0s3")
    d2 = Draws()
    run(client2.start(1 * S))
    xid = d2.r()
    interval = 3 + d2.r() % 6
    d2.usec()
    run(client2.on_message(4 * S, offer(xid), SERVER, "10.0.2.15"))
    d2.r(), d2.usec()
    run(client2.on_message(4 * S + 1, ack(xid), SERVER, "10.0.2.15"))
    t1 = (1800 * 3 + 3) // 4 + ((d2.r() % 1800) + 3) // 4
    renew_at = at(4 + t1, d2.usec())
    run(client2.on_timer(renew_at, "t1"))
    d2.r(), d2.usec()
    run(client2.on_message(renew_at + 1, ack(xid, ciaddr="10.0.2.15"), SERVER, "10.0.2.15"))
    t1b = (1800 * 3 + 3) // 4 + ((d2.r() % 1800) + 3) // 4
    d2.usec()
    run(client2.release(4000 * S))
    d2.r()
    release_xid = d2.r()
    assert log == [
        f"DHCPDISCOVER on enp0s3 to 255.255.255.255 port 67 interval {interval} (xid=0x{xid:x})",
        "DHCPOFFER of 10.0.2.15 from 10.0.2.2",
        f"DHCPREQUEST for 10.0.2.15 on enp0s3 to 255.255.255.255 port 67 (xid=0x{xid:x})",
        f"DHCPACK of 10.0.2.15 from 10.0.2.2 (xid=0x{xid:x})",
        f"bound to 10.0.2.15 -- renewal in {t1} seconds.",
        f"DHCPREQUEST for 10.0.2.15 on enp0s3 to 10.0.2.2 port 67 (xid=0x{xid:x})",
        f"DHCPACK of 10.0.2.15 from 10.0.2.2 (xid=0x{xid:x})",
        f"bound to 10.0.2.15 -- renewal in {t1b} seconds.",
        f"DHCPRELEASE of 10.0.2.15 on enp0s3 to 10.0.2.2 port 67 (xid=0x{release_xid:x})",
    ]


def test_rebinding_ack_for_another_address_replaces_the_old_one():
    client, d, xid, t1, renewal = bound_client()
    client.on_timer(at(*renewal), "t1")
    actions = client.on_message(at(*renewal) + 5 * S, ack(xid, yiaddr="10.0.2.40", ciaddr="10.0.2.15"), "10.0.2.9",
                                "10.0.2.15")
    assert [a for a in actions if isinstance(a, (Bind, Unbind))] == [
        Unbind("10.0.2.15", "replaced"),
        Bind("10.0.2.40", 24, "10.0.2.2", ("10.0.2.3",), 3600, SERVER, False),
    ]


def test_mask_missing_falls_back_on_the_address_class():
    client = DhcpClient(MAC, "vm", random.Random(SEED))
    client.start(0)
    xid = client.xid
    client.on_message(1 * S, offer(xid, yiaddr="172.16.5.9"), SERVER, "172.16.5.9")
    bare = Dhcp(BOOTREPLY, xid, MAC, ((53, DHCPACK), (54, SERVER), (51, 600)), yiaddr="172.16.5.9")
    assert only(Bind, client.on_message(2 * S, bare, SERVER, "172.16.5.9")) == Bind(
        "172.16.5.9", 16, None, (), 600, SERVER, False)
