"""An Ubuntu guest's DHCP client (systemd-networkd 255 under netplan) as conversations: exact
messages, IP headers and timer instants, checked against sd-dhcp-client.c and networkd-dhcp4.c.

``Draws`` replays the client's random source in sd-dhcp-client's order: a 32-bit xid when the
client starts, a 64-bit draw for every -1..+1 s fuzz (``RFC2131_RANDOM_FUZZ``).
"""

import random

import pytest
from dhcp_loop import GW_MAC, SECOND, VM, D, Segment, message, start

from simcore.apps.dhcp import Bind, CancelTimer, DhcpServer, Note, Send, SetTimer, Unbind
from simcore.apps.dhcp.networkd import (
    NetworkdClient,
    NetworkdState,
    client_identifier,
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

S = SECOND
US = 1_000
MAC = VM
SERVER = "10.0.2.2"
SEED = 3
# systemd's own test vector (dhcp-identifier.c): machine id 01..10 gives the DUID-EN
# 00 02 | 00 00 ab 11 (enterprise 43793) | 61 77 40 de 13 42 c3 a2.
MACHINE_ID = bytes(range(1, 17))
DUID = bytes.fromhex("00020000ab11617740de1342c3a2")
PRL = (1, 3, 6, 12, 15, 26, 33, 42, 114, 120, 121)
MAX_SIZE = (1472).to_bytes(2, "big")


class Draws:
    def __init__(self, seed=SEED):
        self.rng = random.Random(seed)

    def xid(self):
        return self.rng.getrandbits(32)

    def fuzz_ns(self):
        return (self.rng.getrandbits(64) % 2_000_000 - 1_000_000) * US


def new_client():
    return NetworkdClient(MAC, "vm", random.Random(SEED), machine_id=MACHINE_ID)


def offer(xid, yiaddr="10.0.2.15", lease=3600):
    return Dhcp(BOOTREPLY, xid, MAC, ((53, DHCPOFFER), (54, SERVER), (51, lease), (58, lease // 2),
                                      (59, lease * 7 // 8), (1, "255.255.255.0"), (3, (SERVER,))), yiaddr=yiaddr)


def ack(xid, yiaddr="10.0.2.15", ciaddr="0.0.0.0"):
    return Dhcp(BOOTREPLY, xid, MAC, ((53, DHCPACK), (54, SERVER), (51, 3600), (58, 1800), (59, 3150),
                                      (1, "255.255.255.0"), (3, (SERVER,)), (12, "vm")), ciaddr=ciaddr, yiaddr=yiaddr)


def nak(xid):
    return Dhcp(BOOTREPLY, xid, MAC, ((53, DHCPNAK), (54, SERVER), (56, b"lease not found")))


def only(kind, actions):
    found = [a for a in actions if isinstance(a, kind)]
    assert len(found) == 1, actions
    return found[0]


def timers(actions):
    return {a.timer_id: a.at_ns for a in actions if isinstance(a, SetTimer)}


def raw(msg, src="0.0.0.0"):
    """networkd's own packet: TOS 0xC0 (CS6), no DF, not padded to 300 bytes."""
    return Send(msg, src, "255.255.255.255", "ff:ff:ff:ff:ff:ff", 68, 67, tos=0xC0, df=False, pad=False)


def head(mtype, client_id):
    return ((53, mtype), (61, client_id), (55, PRL), (57, MAX_SIZE))


def bound(d=None, t_ack=3 * S + 150 * US):
    """DISCOVER at 0, OFFER at 3.00005 s, ACK at ``t_ack``: the client and its T1, T2, expiry."""
    d = d or Draws()
    client = new_client()
    client.start(0)
    xid = d.xid()
    d.fuzz_ns()
    client.on_message(3 * S + 50 * US, offer(xid), SERVER, "10.0.2.15")
    d.fuzz_ns()
    actions = client.on_message(t_ack, ack(xid), SERVER, "10.0.2.15")
    t1 = t_ack + 1800 * S - d.fuzz_ns()
    t2 = max(t1, t_ack + 3150 * S - d.fuzz_ns())
    assert timers(actions) == {"expire": t_ack + 3600 * S, "t2": t2, "t1": t1}
    return client, d, xid, t1, t2


def test_the_client_identifier_is_ff_iaid_duid_en():
    cid = client_identifier("eth0", MACHINE_ID)
    assert len(cid) == 19 and cid[0] == 0xFF and cid[5:] == DUID
    assert client_identifier("eth1", MACHINE_ID)[1:5] != cid[1:5]  # the IAID comes from the interface name
    assert new_client().client_id == cid


def test_dora_exact_messages_headers_and_timers():
    d = Draws()
    client = new_client()
    cid = client.client_id
    # The link comes up: a DISCOVER at once, secs 1 (never 0), broadcast flag clear; options
    # 53, 61, 55 (sorted), 57 (1472), 80 (rapid commit, empty), 12; no padding.
    actions = client.start(0)
    xid = d.xid()
    send = only(Send, actions)
    assert send == raw(Dhcp(BOOTREQUEST, xid, MAC, (*head(DHCPDISCOVER, cid), (80, b""), (12, "vm")), secs=1))
    assert Dhcp.parse(send.msg.emit()) == send.msg
    # The retransmission: 4 s minus a fuzz of -1..+1 s (attempt 1: 2^(1+1)).
    assert timers(actions) == {"resend": 4 * S - d.fuzz_ns()}
    assert client.state is NetworkdState.SELECTING

    # OFFER: a REQUEST at once with 54 and 50 after the common options; its own retransmission.
    actions = client.on_message(3 * S + 50 * US, offer(xid), SERVER, "10.0.2.15")
    assert only(Send, actions) == raw(Dhcp(BOOTREQUEST, xid, MAC, (*head(DHCPREQUEST, cid), (54, SERVER),
                                                                  (50, "10.0.2.15"), (12, "vm")), secs=3))
    assert timers(actions) == {"resend": 3 * S + 50 * US + 4 * S - d.fuzz_ns()}

    # ACK: Bind; the lease's timers from the ACK's arrival: expiry, then T2 and T1 from the
    # server's options, each moved by its own -1..+1 s.
    t = 3 * S + 150 * US
    actions = client.on_message(t, ack(xid), SERVER, "10.0.2.15")
    assert only(Bind, actions) == Bind("10.0.2.15", 24, SERVER, (), 3600, SERVER, False)
    t1 = t + 1800 * S - d.fuzz_ns()
    t2 = t + 3150 * S - d.fuzz_ns()
    assert timers(actions) == {"expire": t + 3600 * S, "t2": max(t1, t2), "t1": t1}
    assert CancelTimer("resend") in actions and client.state is NetworkdState.BOUND


def test_discover_retransmissions_4_4_8_16_32_64_64_and_no_giving_up():
    d = Draws()
    client = new_client()
    actions = client.start(0)
    xid = d.xid()
    now, instants, secs = 0, [], []
    for attempt in (1, 1, 2, 3, 4, 5, 6, 7):
        # client_timeout_resend: the first DISCOVER resets the attempt count (INIT -> SELECTING).
        secs.append(only(Send, actions).msg.secs)
        instants.append(now)
        now = now + (1 << min(attempt + 1, 6)) * S - d.fuzz_ns()
        assert timers(actions) == {"resend": now}
        actions = client.on_timer(now, "resend")
        assert only(Send, actions).msg.xid == xid
    gaps = [b - a for a, b in zip(instants, instants[1:], strict=False)]
    assert all((n - 1) * S < g <= (n + 1) * S for n, g in zip((4, 4, 8, 16, 32, 64, 64), gaps, strict=True)), gaps
    assert secs == [1] + [t // S for t in instants[1:]]


def test_five_unanswered_requests_then_a_restart_with_a_new_xid():
    d = Draws()
    client = new_client()
    client.start(0)
    xid = d.xid()
    d.fuzz_ns()
    actions = client.on_message(2 * S, offer(xid), SERVER, "10.0.2.15")
    now, gaps = 2 * S, []
    for attempt in range(1, 6):
        assert only(Send, actions).msg.message_type == DHCPREQUEST
        at = now + (1 << (attempt + 1)) * S - d.fuzz_ns()
        assert timers(actions) == {"resend": at}
        gaps.append(at - now)
        now = at
        actions = client.on_timer(now, "resend")
    assert all((n - 1) * S < g <= (n + 1) * S for n, g in zip((4, 8, 16, 32, 64), gaps, strict=True)), gaps
    # "Max REQUEST attempts reached. Restarting...": a new xid, a DISCOVER at once, secs 1 again.
    assert only(Note, [a for a in actions if isinstance(a, Note) and a.kind == "dhcp.timeout"]).log == (
        "Max REQUEST attempts reached. Restarting...",)
    discover = only(Send, actions).msg
    assert (discover.message_type, discover.xid, discover.secs) == (DHCPDISCOVER, d.xid(), 1)


def test_renewing_unicast_through_its_udp_socket_then_rebinding_from_0_0_0_0():
    client, d, xid, t1, t2 = bound()
    cid = client.client_id
    actions = client.on_timer(t1, "t1")
    # RENEWING: the same xid, ciaddr, 53 61 55 57 12; a UDP socket bound to the address with
    # TOS CS6 (the kernel adds DF); secs counts from the client's start, not the renewal.
    renew = Dhcp(BOOTREQUEST, xid, MAC, (*head(DHCPREQUEST, cid), (12, "vm")), ciaddr="10.0.2.15", secs=t1 // S)
    assert only(Send, actions) == Send(renew, "10.0.2.15", SERVER, None, 68, 67, tos=0xC0, df=True, pad=False)
    assert timers(actions) == {"resend": t1 + (t2 - t1) // 2}  # half the time left until T2
    # A broadcast NAK goes unheard: the renewing socket is bound to 10.0.2.15.
    unheard = client.on_message(t1 + 100 * US, nak(xid), SERVER, "255.255.255.255")
    assert [type(a) for a in unheard] == [Note] and client.state is NetworkdState.RENEWING
    # T2: REBINDING on the packet socket again: broadcast, from 0.0.0.0, ciaddr still set.
    actions = client.on_timer(t2, "t2")
    rebind = Dhcp(BOOTREQUEST, xid, MAC, (*head(DHCPREQUEST, cid), (12, "vm")), ciaddr="10.0.2.15", secs=t2 // S)
    assert only(Send, actions) == raw(rebind)
    expire = 3 * S + 150 * US + 3600 * S
    assert timers(actions) == {"resend": t2 + max((expire - t2) // 2, 60 * S)}
    # The lease ends: the address goes, a DISCOVER with a new xid asks for it again (option 50).
    actions = client.on_timer(expire, "expire")
    assert only(Unbind, actions) == Unbind("10.0.2.15", "expired")
    discover = only(Send, actions).msg
    assert (discover.xid, discover.get(50), discover.secs) == (d.xid(), "10.0.2.15", 1)


def test_a_nak_restarts_at_once_and_the_next_one_after_a_second():
    client, d, xid, t1, t2 = bound()
    client.on_timer(t2, "t2")  # rebinding: the packet socket hears the broadcast NAK
    actions = client.on_message(t2 + 100 * US, nak(xid), SERVER, "255.255.255.255")
    assert only(Unbind, actions) == Unbind("10.0.2.15", "nak")
    first = only(Send, actions).msg
    new_xid = d.xid()
    # networkd asks for the refused address again (last_addr survives the restart).
    assert (first.message_type, first.xid, first.get(50)) == (DHCPDISCOVER, new_xid, "10.0.2.15")
    d.fuzz_ns()
    client.on_message(t2 + 200 * US, offer(new_xid), SERVER, "10.0.2.15")
    actions = client.on_message(t2 + 300 * US, nak(new_xid), SERVER, "255.255.255.255")
    assert [a for a in actions if isinstance(a, Send)] == []
    assert timers(actions) == {"resend": t2 + 300 * US + 1 * S}  # RESTART_AFTER_NAK_MIN


def test_release_carries_53_and_61_only():
    client, d, xid, t1, t2 = bound()
    actions = client.release(100 * S)
    send = only(Send, actions)
    assert send == Send(Dhcp(BOOTREQUEST, xid, MAC, ((53, DHCPRELEASE), (61, client.client_id)), ciaddr="10.0.2.15",
                             secs=100), "10.0.2.15", SERVER, None, 68, 67, tos=0xC0, df=True, pad=False)
    assert only(Unbind, actions) == Unbind("10.0.2.15", "released")
    assert client.state is NetworkdState.STOPPED


def test_unknown_timer_raises():
    with pytest.raises(ValueError, match=r"^NetworkdClient vm: unknown timer 'T1'$"):
        new_client().on_timer(0, "T1")


def test_against_dnsmasq_on_the_wire_no_padding_no_arp():
    server = DhcpServer("10.0.2.2", GW_MAC, "10.0.2.15", "10.0.2.50", 24, 3600, router="10.0.2.2", dns="10.0.2.3",
                        name="hv")
    vm = new_client()
    seg = Segment(server, [vm], delay_ns=D)
    start(seg, vm, 0)
    seg.run_until(10 * S)
    frames = [(t, m.message_type, f.payload.src, f.payload.dst, f.dst, f.payload.tos, f.payload.flags)
              for t, m, f in seg.messages()]
    # networkd retransmits only at 4 +- 1 s: the OFFER after dnsmasq's 3 s probe comes first.
    assert frames == [
        (0, DHCPDISCOVER, "0.0.0.0", "255.255.255.255", "ff:ff:ff:ff:ff:ff", 0xC0, 0),
        (3 * S + D, DHCPOFFER, "10.0.2.2", "10.0.2.15", VM, 0, 2),
        (3 * S + 2 * D, DHCPREQUEST, "0.0.0.0", "255.255.255.255", "ff:ff:ff:ff:ff:ff", 0xC0, 0),
        (3 * S + 3 * D, DHCPACK, "10.0.2.2", "10.0.2.15", VM, 0, 2),
    ]
    # Its messages end at the END option: 240 fixed bytes + 48 bytes of options.
    discover_frame = seg.wire[0][1]
    assert len(discover_frame.payload.payload.emit(src="0.0.0.0", dst="255.255.255.255")) == 8 + 240 + 48
    assert message(discover_frame).get(61) == vm.client_id
    assert seg.bound == {VM: "10.0.2.15"}
    assert [r["ip"] for r in server.leases()] == ["10.0.2.15"]
    # No ARP from the client: no conflict probe (SendDecline=no), no gratuitous ARP.
    arp_from_vm = [f for _t, f in seg.wire if f.ethertype == 0x0806 and f.src == VM]
    assert arp_from_vm == []
