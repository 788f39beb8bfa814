"""RENEW, REBIND, expiry and NAK through the whole engine (``Network.from_design`` + ``run_until``):
the DHCP frames on the VM's NIC, in order, with their instants.

The design: a DHCP server appliance ``srv`` (10.0.0.1, dnsmasq-like, a 60 s lease so T1 = 30 s
and T2 = 52 s, no address probe so the instants stay round) and a VM ``vm`` running ISC dhclient
on one switch; every link 50 µs, so a frame takes D = 100 µs from one NIC to the other, and the
capture on the VM's NIC sees an answer 2D after the question. dhclient draws its renewal time
(T1 fuzzed down by up to a quarter) and its retransmission intervals (3 to 21 s) at random in
whole seconds plus a random microsecond, so the instants are read from its trace events
(``dhcp.renew`` at the renewal timer) and checked against its rules. What happens to the server
is done as an administrator would: ``stop`` is ``systemctl stop dnsmasq`` (nothing listens on
UDP 67 any more; the kernel answers port unreachable), ``start`` starts it again with its lease
file, ``forget`` restarts it without one (every lease forgotten).
"""

from simcore.apps.dhcp.glue import _serve
from simcore.apps.dhcp.server import DhcpServer
from simcore.network import Network
from simcore.packets import ETH_IPV4, PROTO_UDP, Dhcp
from simcore.packets.dhcp import DHCPACK, DHCPDISCOVER, DHCPNAK, DHCPOFFER, DHCPREQUEST

S = 1_000_000_000
D = 100_000  # two 50 µs links through the switch
VM = "08:00:27:00:00:11"
SRV_MAC = "02:00:00:00:00:01"
BCAST = "255.255.255.255"
FF = "ff:ff:ff:ff:ff:ff"
# A renewal is an ordinary unicast UDP datagram: the VM first ARPs for the server (the unicast
# OFFER and ACK taught it nothing), so the REQUEST leaves one round trip after T1.
ARP_RTT = 2 * D


def build(trace=None, script=True):
    doc = {
        "version": 1,
        "nodes": [
            {"id": "sw", "kind": "lan_switch"},
            {
                "id": "srv",
                "kind": "dhcp_server",
                "nics": [{"name": "eth0", "mac": SRV_MAC, "ip": "10.0.0.1/24"}],
                "services": [
                    {
                        "kind": "dhcp",
                        "nic": "eth0",
                        "range_start": "10.0.0.100",
                        "range_end": "10.0.0.150",
                        "lease_s": 60,
                        "router": "10.0.0.1",
                        "dns": ["10.0.0.1"],
                        "probe": False,
                    }
                ],
            },
            {"id": "hv", "kind": "host"},
            {"id": "vm", "kind": "vm", "host": "hv", "nics": [{"name": "eth0", "mac": VM, "ip": "dhcp"}]},
        ],
        "links": [
            {"id": "l_srv", "a": {"node": "srv", "nic": "eth0"}, "b": {"node": "sw"}},
            {"id": "l_vm", "a": {"node": "vm", "nic": "eth0"}, "b": {"node": "sw"}},
        ],
        "captures": [{"node": "vm", "nic": "eth0"}],
        "script": [{"at": 0, "node": "vm", "command": "dhclient eth0"}] if script else [],
    }
    return Network.from_design(doc, seed=0, trace=[] if trace is None else trace)


def stop(net):
    net.nodes["srv"].stack.udp_unbind(67)


def start(net):
    net.nodes["srv"].stack.udp_bind(67, _serve)


def forget(net):
    glue = net.nodes["srv"].stack.dhcp_servers["eth0"]
    old = glue.machine
    glue.machine = DhcpServer(
        old.server_ip,
        old.server_mac,
        "10.0.0.100",
        "10.0.0.150",
        old.prefix_len,
        old.lease_s,
        router=old.router,
        dns=old.dns,
        probe=False,
        name=old.name,
    )


def at(net, t_ns, fn):
    net.engine.at(t_ns, fn, net)


def dhcp_frames(net, since=0):
    """(t, message type, IP source, IP destination, Ethernet destination) of each DHCP frame."""
    out = []
    for t, frame in net.captures["vm_eth0"].records:
        if t < since or frame.ethertype != ETH_IPV4 or frame.payload.proto != PROTO_UDP:
            continue
        udp = frame.payload.payload
        if 67 not in (udp.sport, udp.dport):
            continue
        msg = udp.payload if isinstance(udp.payload, Dhcp) else Dhcp.parse(bytes(udp.payload))
        out.append((t, msg.message_type, frame.payload.src, frame.payload.dst, frame.dst))
    return out


def vm_state(net):
    table = net.tables()["nodes"]["vm"]
    return [a["ip"] for a in table["addresses"]], [(r["to"], r.get("via")) for r in table["routes"]]


def dora(net):
    net.run_until(1)
    assert dhcp_frames(net) == [
        (0, DHCPDISCOVER, "0.0.0.0", BCAST, FF),
        (2 * D, DHCPOFFER, "10.0.0.1", "10.0.0.100", VM),
        (2 * D, DHCPREQUEST, "0.0.0.0", BCAST, FF),
        (4 * D, DHCPACK, "10.0.0.1", "10.0.0.100", VM),
    ]
    return 4 * D  # the ACK reaches the VM: the lease's clock starts


def events(trace, kind):
    return [e["t"] for e in trace if e["kind"] == kind and e["node"] == "vm"]


def requests(net, since):
    return [f for f in dhcp_frames(net, since) if f[1] == DHCPREQUEST]


def test_renewal_is_unicast_to_the_server_and_acked():
    trace = []
    net = build(trace)
    bound = dora(net)
    net.run_until(40)
    renew_at = events(trace, "dhcp.renew")[0]
    # dhclient's renewal: T1 = 30 s fuzzed to (3 * 30 + 3) / 4 + (random() % 30 + 3) / 4, i.e.
    # 23..31 s, from the whole second the ACK came in, plus a random microsecond.
    assert (bound // S + 23) * S <= renew_at < (bound // S + 32) * S
    assert dhcp_frames(net, since=S)[:2] == [
        (renew_at + ARP_RTT, DHCPREQUEST, "10.0.0.100", "10.0.0.1", SRV_MAC),
        (renew_at + ARP_RTT + 2 * D, DHCPACK, "10.0.0.1", "10.0.0.100", VM),
    ]
    assert vm_state(net)[0] == ["10.0.0.100/24"]


def test_renewal_retransmits_unicast_until_the_server_is_back():
    trace = []
    net = build(trace)
    dora(net)
    at(net, 20 * S, stop)  # dnsmasq stopped before the renewal...
    at(net, 40 * S, start)  # ...and back (with its lease file) before T2 (52 s)
    net.run_until(52)
    renew_at = events(trace, "dhcp.renew")[0]
    frames = dhcp_frames(net, since=S)
    sent = [t for t, mtype, *_ in frames if mtype == DHCPREQUEST]
    assert sent[0] == renew_at + ARP_RTT
    # Every retransmission is unicast to the server (T2 not reached), 3 to 21 s apart (dhclient's
    # backoff from 3 s with its 15 s cutoff); the first after 40 s is ACKed.
    assert all(f[2:] == ("10.0.0.100", "10.0.0.1", SRV_MAC) for f in frames if f[1] == DHCPREQUEST)
    assert all(2 * S < b - a < 22 * S for a, b in zip(sent, sent[1:], strict=False))
    assert sent[-2] < 40 * S < sent[-1]
    assert frames[-1] == (sent[-1] + 2 * D, DHCPACK, "10.0.0.1", "10.0.0.100", VM)
    # The unanswered renewals were refused by the server's kernel, not by dnsmasq.
    icmp = [
        f
        for t, f in net.captures["vm_eth0"].records
        if f.ethertype == ETH_IPV4 and f.payload.proto == 1 and f.payload.src == "10.0.0.1"
    ]
    assert len(icmp) == len(sent) - 1 and all(f.payload.payload.type == 3 and f.payload.payload.code == 3 for f in icmp)
    assert events(trace, "dhcp.rebind") == []
    assert vm_state(net)[0] == ["10.0.0.100/24"]


def test_past_t2_the_request_is_broadcast_and_any_server_may_answer():
    trace = []
    net = build(trace)
    bound = dora(net)
    at(net, 20 * S, stop)
    at(net, 55 * S, start)  # back after T2 (52 s), before the lease ends (60 s)
    net.run_until(62)
    rebind_at = events(trace, "dhcp.rebind")[0]
    assert rebind_at > (bound // S + 52) * S  # the first retransmission past T2
    frames = dhcp_frames(net, since=rebind_at)
    assert frames == [
        (rebind_at, DHCPREQUEST, "10.0.0.100", BCAST, FF),  # still from the leased address
        (rebind_at + 2 * D, DHCPACK, "10.0.0.1", "10.0.0.100", VM),
    ]
    assert vm_state(net)[0] == ["10.0.0.100/24"]


def test_expiry_removes_the_address_and_the_route_and_starts_over():
    trace = []
    net = build(trace)
    bound = dora(net)
    assert ("default", "10.0.0.1") in vm_state(net)[1]
    at(net, 20 * S, stop)
    net.run_until(63)
    expire = events(trace, "dhcp.expire")
    # The lease ends at 60 s (from the whole second of the ACK); dhclient's last retransmission
    # is cut to fire one second past it, finds the lease gone, drops the address and DISCOVERs.
    assert len(expire) == 1 and (bound // S + 61) * S <= expire[0] < (bound // S + 62) * S
    discover = [f for f in dhcp_frames(net, since=S) if f[1] == DHCPDISCOVER]
    assert discover[0] == (expire[0], DHCPDISCOVER, "0.0.0.0", BCAST, FF)
    last_request = [f for f in dhcp_frames(net, since=S) if f[1] == DHCPREQUEST][-1]
    assert last_request[2:] == ("10.0.0.100", BCAST, FF)  # past T2 the renewal was broadcast
    addresses, routes = vm_state(net)
    assert addresses == [None] and routes == []
    text = [e["text"] for e in trace if e["kind"] == "dhcp.expire" and e["node"] == "vm"][0]
    assert "vm's lease of 10.0.0.100 ran out without a renewal: it must stop using the address" in text


def test_nak_of_a_renewal_the_server_forgot_unbinds_and_starts_over():
    trace = []
    net = build(trace)
    dora(net)
    at(net, 20 * S, forget)  # dnsmasq restarted without its lease file
    net.run_until(40)
    renew_at = events(trace, "dhcp.renew")[0]
    nak_at = renew_at + ARP_RTT + 2 * D
    assert dhcp_frames(net, since=S)[:6] == [
        (renew_at + ARP_RTT, DHCPREQUEST, "10.0.0.100", "10.0.0.1", SRV_MAC),
        (nak_at, DHCPNAK, "10.0.0.1", BCAST, FF),  # "lease not found", broadcast
        (nak_at, DHCPDISCOVER, "0.0.0.0", BCAST, FF),  # the client starts over at once
        (nak_at + 2 * D, DHCPOFFER, "10.0.0.1", "10.0.0.100", VM),
        (nak_at + 2 * D, DHCPREQUEST, "0.0.0.0", BCAST, FF),
        (nak_at + 4 * D, DHCPACK, "10.0.0.1", "10.0.0.100", VM),
    ]
    naks = [e for e in trace if e["kind"] == "dhcp.nak"]
    assert [e["node"] for e in naks] == ["srv", "vm"]
    assert vm_state(net)[0] == ["10.0.0.100/24"]
