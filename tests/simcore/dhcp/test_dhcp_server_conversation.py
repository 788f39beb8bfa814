"""The DHCP server as a conversation: client messages in, exact probes, replies, timers out."""

import pytest

from simcore.apps.dhcp import (
    CancelTimer,
    DhcpServer,
    Note,
    Send,
    SendArpProbe,
    SendIcmpProbe,
    SetTimer,
)
from simcore.packets import (
    BOOTREPLY,
    BOOTREQUEST,
    BROADCAST_FLAG,
    DHCPACK,
    DHCPDECLINE,
    DHCPDISCOVER,
    DHCPNAK,
    DHCPOFFER,
    DHCPRELEASE,
    DHCPREQUEST,
    Dhcp,
)

S = 1_000_000_000
SERVER = "10.0.2.2"
SERVER_MAC = "02:00:00:00:02:02"
VM = "08:00:27:00:02:15"
VM2 = "08:00:27:00:02:16"
XID = 0x3903F326
PRL = (1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42)


def server(**kw):
    args = dict(router="10.0.2.2", dns=("10.0.2.3",), name="hv")
    args.update(kw)
    return DhcpServer(SERVER, SERVER_MAC, "10.0.2.15", "10.0.2.50", 24, 3600, **args)


def discover(mac=VM, xid=XID, flags=0, requested=None, hostname="vm"):
    options = [(53, DHCPDISCOVER)]
    if requested:
        options.append((50, requested))
    options += [(12, hostname), (55, PRL)]
    return Dhcp(BOOTREQUEST, xid, mac, tuple(options), flags=flags)


def request(ip="10.0.2.15", mac=VM, xid=XID, server_id=SERVER, ciaddr="0.0.0.0", hostname="vm"):
    options = [(53, DHCPREQUEST)]
    if server_id:
        options.append((54, server_id))
    if ip:
        options.append((50, ip))
    options += [(12, hostname), (55, PRL)]
    return Dhcp(BOOTREQUEST, xid, mac, tuple(options), ciaddr=ciaddr)


def reply_options(mtype, hostname=None):
    options = ((53, mtype), (54, SERVER), (51, 3600), (58, 1800), (59, 3150), (1, "255.255.255.0"),
               (28, "10.0.2.255"), (3, ("10.0.2.2",)), (6, ("10.0.2.3",)))
    return options + (((12, hostname),) if hostname else ())


def sends(actions):
    return [a for a in actions if isinstance(a, Send)]


def wire(actions):
    """Actions without the trace notes: what the host must do."""
    return [a for a in actions if not isinstance(a, Note)]


def roundtrip(msg):
    assert Dhcp.parse(msg.emit()) == msg
    return msg


def offered(srv, t=0, mac=VM, xid=XID):
    """DISCOVER at t, the probe runs out: the actions up to the OFFER (at t + 3 s)."""
    actions = srv.on_message(t, discover(mac, xid), "0.0.0.0", mac)
    for k in (1, 2, 3):
        actions += srv.on_timer(t + k * S, f"probe {mac}")
    return actions


def leased(srv, t=0, mac=VM, xid=XID):
    actions = offered(srv, t, mac, xid)
    ip = sends(actions)[0].msg.yiaddr
    srv.on_message(t + 3 * S, request(ip, mac, xid), "0.0.0.0", mac)
    return ip


def test_discover_probes_three_arps_one_second_apart_and_one_echo_then_offers_at_3_s():
    srv = server()
    t = 5 * S
    actions = srv.on_message(t, discover(), "0.0.0.0", VM)
    assert wire(actions) == [SendArpProbe("10.0.2.15"), SendIcmpProbe("10.0.2.15"), SetTimer(f"probe {VM}", t + S)]
    assert actions[0] == Note("dhcp.probe", "hv checks that nobody uses 10.0.2.15 before offering it to "
                              f"vm ({VM}): ARP who-has (try 1 of 3) and an ICMP echo (RFC 2131 §2.2)")
    assert srv.leases() == [{"mac": VM, "ip": "10.0.2.15", "hostname": "vm", "expires_at_ns": None,
                             "state": "probing"}]
    assert wire(srv.on_timer(t + 1 * S, f"probe {VM}")) == [SendArpProbe("10.0.2.15"), SetTimer(f"probe {VM}", t + 2 * S)]
    assert wire(srv.on_timer(t + 2 * S, f"probe {VM}")) == [SendArpProbe("10.0.2.15"), SetTimer(f"probe {VM}", t + 3 * S)]
    actions = srv.on_timer(t + 3 * S, f"probe {VM}")
    expected = Dhcp(BOOTREPLY, XID, VM, reply_options(DHCPOFFER), yiaddr="10.0.2.15", siaddr=SERVER)
    # Broadcast flag clear: unicast to the client's MAC and the offered address (RFC 2131 §4.1).
    assert wire(actions) == [
        SetTimer("expire 10.0.2.15", t + 33 * S),
        Send(expected, SERVER, "10.0.2.15", VM, 67, 68),
    ]
    roundtrip(expected)
    assert srv.leases() == [{"mac": VM, "ip": "10.0.2.15", "hostname": "vm", "expires_at_ns": t + 33 * S,
                             "state": "offered"}]


def test_second_discover_during_the_probe_gets_a_second_offer_with_the_same_address_and_xid():
    srv = server()
    srv.on_message(0, discover(), "0.0.0.0", VM)
    srv.on_timer(1 * S, f"probe {VM}")
    srv.on_timer(2 * S, f"probe {VM}")
    assert wire(srv.on_message(3 * S - 1, discover(), "0.0.0.0", VM)) == []
    offers = sends(srv.on_timer(3 * S, f"probe {VM}"))
    assert [(o.msg.message_type, o.msg.xid, o.msg.yiaddr, o.dst_ip) for o in offers] == [
        (DHCPOFFER, XID, "10.0.2.15", "10.0.2.15"), (DHCPOFFER, XID, "10.0.2.15", "10.0.2.15"),
    ]


def test_discover_after_the_offer_is_answered_at_once_without_a_new_probe():
    srv = server()
    offered(srv)
    actions = srv.on_message(3 * S + 100, discover(), "0.0.0.0", VM)
    assert [type(a) for a in wire(actions)] == [SetTimer, Send]
    assert sends(actions)[0].msg.yiaddr == "10.0.2.15"


def test_request_for_the_offer_is_acked_unicast_with_the_host_name():
    srv = server()
    offered(srv)
    actions = srv.on_message(3 * S + 100, request(), "0.0.0.0", VM)
    expected = Dhcp(BOOTREPLY, XID, VM, reply_options(DHCPACK, "vm"), yiaddr="10.0.2.15", siaddr=SERVER)
    assert wire(actions) == [
        Send(expected, SERVER, "10.0.2.15", VM, 67, 68),
        SetTimer("expire 10.0.2.15", 3 * S + 100 + 3600 * S),
    ]
    roundtrip(expected)
    assert actions[0] == Note("dhcp.ack", f"hv leases 10.0.2.15 to vm ({VM}) for 3600 s (DHCPACK, unicast to "
                              f"{VM}, which cannot answer ARP for 10.0.2.15 yet)")
    assert srv.leases() == [{"mac": VM, "ip": "10.0.2.15", "hostname": "vm",
                             "expires_at_ns": 3 * S + 100 + 3600 * S, "state": "bound"}]


def test_broadcast_flag_set_means_broadcast_offer():
    srv = server(probe=False)
    actions = srv.on_message(0, discover(flags=BROADCAST_FLAG), "0.0.0.0", VM)
    send = sends(actions)[0]
    assert (send.dst_ip, send.dst_mac, send.msg.flags) == ("255.255.255.255", "ff:ff:ff:ff:ff:ff", BROADCAST_FLAG)


def test_two_clients_get_the_range_start_then_the_next_address():
    srv = server()
    a = srv.on_message(0, discover(VM), "0.0.0.0", VM)
    b = srv.on_message(100, discover(VM2, xid=2), "0.0.0.0", VM2)
    assert [x for x in wire(a) if isinstance(x, SendArpProbe)] == [SendArpProbe("10.0.2.15")]
    assert [x for x in wire(b) if isinstance(x, SendArpProbe)] == [SendArpProbe("10.0.2.16")]
    assert leased(srv, 10 * S, VM, 1) == "10.0.2.15"
    assert leased(srv, 10 * S, VM2, 2) == "10.0.2.16"
    assert [(r["mac"], r["ip"], r["state"]) for r in srv.leases()] == [
        (VM, "10.0.2.15", "bound"), (VM2, "10.0.2.16", "bound"),
    ]


@pytest.mark.parametrize("kind", ["arp", "icmp"])
def test_an_answered_probe_marks_a_conflict_and_the_next_address_is_probed(kind):
    srv = server()
    srv.on_message(0, discover(), "0.0.0.0", VM)
    srv.on_timer(1 * S, f"probe {VM}")
    actions = srv.on_probe_result(1 * S + 5, "10.0.2.15", kind, "02:00:00:00:00:99" if kind == "arp" else None)
    answer = "an ARP reply from 02:00:00:00:00:99" if kind == "arp" else "an ICMP echo reply"
    assert actions[0] == Note("dhcp.conflict", f"hv got {answer} for 10.0.2.15: some machine already uses it, "
                              "so it will not be offered; the next free address is checked instead")
    t = 1 * S + 5
    assert wire(actions) == [
        SetTimer("expire 10.0.2.15", t + 3600 * S),
        SendArpProbe("10.0.2.16"), SendIcmpProbe("10.0.2.16"), SetTimer(f"probe {VM}", t + S),
    ]
    srv.on_timer(t + 1 * S, f"probe {VM}")
    srv.on_timer(t + 2 * S, f"probe {VM}")
    offer = sends(srv.on_timer(t + 3 * S, f"probe {VM}"))[0]
    assert (offer.msg.yiaddr, offer.dst_ip) == ("10.0.2.16", "10.0.2.16")
    assert [(r["ip"], r["mac"], r["state"]) for r in srv.leases()] == [
        ("10.0.2.15", "02:00:00:00:00:99" if kind == "arp" else "", "conflict"),
        ("10.0.2.16", VM, "offered"),
    ]
    # The conflict is remembered for one lease time, then the address may be offered again.
    srv.on_timer(t + 3600 * S, "expire 10.0.2.15")
    assert [r["ip"] for r in srv.leases()] == []  # the unclaimed offer lapsed too
    assert [x for x in srv.on_message(t + 3601 * S, discover(VM2, 9), "0.0.0.0", VM2)
            if isinstance(x, SendArpProbe)] == [SendArpProbe("10.0.2.15")]


def test_late_probe_answer_is_ignored():
    srv = server()
    offered(srv)
    assert srv.on_probe_result(4 * S, "10.0.2.15", "arp", "02:00:00:00:00:99") == []


def test_probe_result_kind_is_checked():
    with pytest.raises(ValueError, match=r"^DhcpServer hv: probe result kind must be 'arp' or 'icmp', not 'ping'$"):
        server().on_probe_result(0, "10.0.2.15", "ping")


def test_request_for_another_server_is_ignored_and_our_offer_withdrawn():
    srv = server()
    offered(srv)
    actions = srv.on_message(4 * S, request("10.0.2.99", server_id="10.0.2.254"), "0.0.0.0", VM)
    assert sends(actions) == []
    assert wire(actions) == [CancelTimer("expire 10.0.2.15")]
    assert actions[0] == Note("dhcp.ignore", f"hv sees vm ({VM}) choose the server 10.0.2.254: the DHCPREQUEST is "
                              "not for it and gets no answer")
    assert srv.leases() == []


@pytest.mark.parametrize(
    ("msg", "reason"),
    [
        (request("10.0.2.16"), "address not available"),  # another client holds .16
        (request("10.0.2.99"), "address not available"),  # outside the range
        (request("192.168.1.5", server_id=None), "wrong network"),  # INIT-REBOOT elsewhere
        (request("10.0.2.16", server_id=None), "address in use"),  # INIT-REBOOT for another's address
        (request(None, server_id=None, ciaddr="10.0.2.40"), "lease not found"),  # RENEWING, unknown
    ],
)
def test_requests_that_cannot_be_honoured_get_a_broadcast_nak(msg, reason):
    srv = server()
    leased(srv, 0, VM2, 2)  # other clients hold .15 and .16
    leased(srv, 0, "08:00:27:00:02:17", 3)
    assert [r["ip"] for r in srv.leases()] == ["10.0.2.15", "10.0.2.16"]
    actions = srv.on_message(10 * S, msg, msg.ciaddr, VM)
    expected = Dhcp(BOOTREPLY, XID, VM, ((53, DHCPNAK), (54, SERVER), (56, reason.encode())))
    assert wire(actions) == [Send(expected, SERVER, "255.255.255.255", "ff:ff:ff:ff:ff:ff", 67, 68)]
    roundtrip(expected)


def test_init_reboot_for_an_unknown_client_stays_silent():
    actions = server().on_message(0, request("10.0.2.20", server_id=None), "0.0.0.0", VM)
    assert wire(actions) == []
    assert actions == [Note("dhcp.ignore", f"hv ignores a DHCPREQUEST from {VM}: it has no record of {VM} "
                                           "(RFC 2131 §4.3.2: remain silent)")]


def test_init_reboot_for_the_clients_own_lease_is_acked():
    srv = server()
    leased(srv)
    send = sends(srv.on_message(100 * S, request("10.0.2.15", server_id=None), "0.0.0.0", VM))[0]
    assert (send.msg.message_type, send.msg.yiaddr, send.dst_ip, send.dst_mac) == (DHCPACK, "10.0.2.15", "10.0.2.15", VM)


def test_renewal_extends_the_lease_and_answers_ciaddr():
    srv = server()
    leased(srv)
    t = 1803 * S
    renew = request(None, server_id=None, ciaddr="10.0.2.15")
    actions = srv.on_message(t, renew, "10.0.2.15", VM, dst_ip=SERVER)
    expected = Dhcp(BOOTREPLY, XID, VM, reply_options(DHCPACK, "vm"), ciaddr="10.0.2.15", yiaddr="10.0.2.15",
                    siaddr=SERVER)
    assert wire(actions) == [Send(expected, SERVER, "10.0.2.15", None, 67, 68),
                             SetTimer("expire 10.0.2.15", t + 3600 * S)]
    assert actions[0].text == f"hv extends the lease of 10.0.2.15 to vm ({VM}) for 3600 s (DHCPACK, unicast to 10.0.2.15)"
    assert srv.leases()[0]["expires_at_ns"] == t + 3600 * S


def test_rebinding_broadcast_for_an_unknown_lease_is_not_refused():
    srv = server()
    actions = srv.on_message(0, request(None, server_id=None, ciaddr="10.0.2.40"), "10.0.2.40", VM,
                             dst_ip="255.255.255.255")
    assert sends(actions) == []


def test_release_frees_the_address_for_the_next_client():
    srv = server()
    leased(srv)
    release = Dhcp(BOOTREQUEST, 77, VM, ((53, DHCPRELEASE), (54, SERVER)), ciaddr="10.0.2.15")
    actions = srv.on_message(100 * S, release, "10.0.2.15", VM, dst_ip=SERVER)
    assert actions == [CancelTimer("expire 10.0.2.15"),
                       Note("dhcp.release", f"hv frees 10.0.2.15: vm ({VM}) gave it back (DHCPRELEASE)")]
    assert srv.leases() == []
    assert SendArpProbe("10.0.2.15") in srv.on_message(101 * S, discover(VM2, 5), "0.0.0.0", VM2)


def test_release_of_someone_elses_address_is_ignored():
    srv = server()
    leased(srv)
    release = Dhcp(BOOTREQUEST, 77, VM2, ((53, DHCPRELEASE), (54, SERVER)), ciaddr="10.0.2.15")
    srv.on_message(100 * S, release, "10.0.2.15", VM2)
    assert [r["state"] for r in srv.leases()] == ["bound"]


def test_expiry_frees_the_lease():
    srv = server()
    leased(srv)
    end = 3 * S + 3600 * S
    assert srv.on_timer(end - 1, "expire 10.0.2.15") == []
    assert srv.on_timer(end, "expire 10.0.2.15") == [
        Note("dhcp.expire", f"hv: the lease of 10.0.2.15 to vm ({VM}) ran out; the address is free again"),
    ]
    assert srv.leases() == []


def test_decline_marks_the_address_in_use():
    srv = server()
    leased(srv)
    decline = Dhcp(BOOTREQUEST, 78, VM, ((53, DHCPDECLINE), (54, SERVER), (50, "10.0.2.15")))
    srv.on_message(10 * S, decline, "0.0.0.0", VM)
    assert [(r["ip"], r["mac"], r["state"]) for r in srv.leases()] == [("10.0.2.15", "", "conflict")]
    assert SendArpProbe("10.0.2.16") in srv.on_message(11 * S, discover(), "0.0.0.0", VM)


def test_requested_address_in_discover_is_honoured_when_free():
    actions = server().on_message(0, discover(requested="10.0.2.30"), "0.0.0.0", VM)
    assert SendArpProbe("10.0.2.30") in actions


def test_pool_exhaustion_gives_no_offer():
    srv = DhcpServer(SERVER, SERVER_MAC, "10.0.2.15", "10.0.2.15", 24, 3600, probe=False, name="hv")
    leased(srv, 0, VM, 1)
    actions = srv.on_message(5 * S, discover(VM2, 2), "0.0.0.0", VM2)
    assert actions == [Note("dhcp.exhausted", f"hv has no free address left for vm ({VM2}): no offer")]


def test_the_servers_own_address_and_router_are_never_offered():
    srv = DhcpServer(SERVER, SERVER_MAC, "10.0.2.1", "10.0.2.5", 24, 3600, router="10.0.2.1", probe=False)
    assert sends(srv.on_message(0, discover(), "0.0.0.0", VM))[0].msg.yiaddr == "10.0.2.3"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"server_ip": "10.0.2"}, "DHCP server address: not an IPv4 address: '10.0.2'"),
        ({"pool_start": "10.0.3.15"}, "DHCP server range start 10.0.3.15 is not in 10.0.2.2/24"),
        ({"pool_start": "10.0.2.60"}, "DHCP range start 10.0.2.60 is after its end 10.0.2.50"),
        ({"prefix_len": 31}, "DHCP server prefix length must be 1..30, not 31"),
        ({"lease_s": 10}, "DHCP server lease time must be at least 60 s, not 10"),
        ({"dns": ("8.8.8",)}, "DHCP server DNS server: not an IPv4 address: '8.8.8'"),
    ],
)
def test_bad_configuration_raises_naming_the_value(kwargs, message):
    args = dict(server_ip=SERVER, server_mac=SERVER_MAC, pool_start="10.0.2.15", pool_end="10.0.2.50",
                prefix_len=24, lease_s=3600)
    args.update(kwargs)
    with pytest.raises(ValueError) as info:
        DhcpServer(**args)
    assert str(info.value) == message


def test_unknown_timer_raises():
    with pytest.raises(ValueError, match=r"^DhcpServer hv: unknown timer 'probe-x'$"):
        server().on_timer(0, "probe-x")


def test_domain_option_is_sent_when_configured():
    srv = server(domain="lab.example", probe=False)
    msg = sends(srv.on_message(0, discover(), "0.0.0.0", VM))[0].msg
    assert msg.get(15) == "lab.example"
    assert [code for code, _ in msg.options] == [53, 54, 51, 58, 59, 1, 28, 3, 6, 15]
    roundtrip(msg)


def test_discover_from_a_bound_client_is_offered_its_address_at_once():
    srv = server()
    leased(srv)
    actions = srv.on_message(100 * S, discover(xid=99), "0.0.0.0", VM)
    assert [type(a) for a in wire(actions)] == [Send]  # no probe, the lease stays as it is
    assert (sends(actions)[0].msg.yiaddr, sends(actions)[0].msg.xid) == ("10.0.2.15", 99)
    assert [r["state"] for r in srv.leases()] == ["bound"]


@pytest.mark.parametrize(
    ("msg", "why"),
    [
        (Dhcp(BOOTREQUEST, 5, VM, ((53, 8),), ciaddr="10.0.2.77"), "this server does not answer it"),
        (Dhcp(BOOTREQUEST, 5, VM, ((53, DHCPDISCOVER),), giaddr="10.0.9.1"),
         "it came through a relay agent, which this server does not serve"),
    ],
)
def test_inform_and_relayed_messages_are_ignored_with_a_reason(msg, why):
    actions = server().on_message(0, msg, "0.0.0.0", VM)
    assert len(actions) == 1 and isinstance(actions[0], Note)
    assert actions[0].text.endswith(why)
