"""ping as iputils prints it, ARP failure, forwarding with TTL, ICMP errors, UDP, the Internet node."""

import pytest
from sim_designs import S, build, example, kinds, lan, link, out, pc, routed

from simcore.packets import PROTO_UDP, IcmpError, IPv4, Udp

US = 1000


def test_example_ping_output_is_iputils():
    net, _ = build(example())
    net.run_until(10)
    assert out(net, "vm1") == [
        "PING 192.168.56.12 (192.168.56.12) 56(84) bytes of data.",
        "64 bytes from 192.168.56.12: icmp_seq=1 ttl=64 time=0.400 ms",
        "64 bytes from 192.168.56.12: icmp_seq=2 ttl=64 time=0.200 ms",
        "64 bytes from 192.168.56.12: icmp_seq=3 ttl=64 time=0.200 ms",
        "",
        "--- 192.168.56.12 ping statistics ---",
        "3 packets transmitted, 3 received, 0% packet loss, time 2000ms",
        # iputils' integer microseconds: avg 800/3 = 266, mdev = isqrt(80000 - 266^2) = 96
        "rtt min/avg/max/mdev = 0.200/0.266/0.400/0.096 ms",
    ]
    ping = next(f for f in net.facts() if f["kind"] == "ping")
    assert (ping["transmitted"], ping["received"], ping["errors"], ping["loss_pct"]) == (3, 3, 0, 0.0)
    assert next(f for f in net.facts() if f["kind"] == "command")["exit"] == 0


def test_ping_ids_come_from_the_run_rng_and_seqs_from_one():
    a, _ = build(example(), seed=1)
    b, _ = build(example(), seed=2)
    for net in (a, b):
        net.run_until(10)
    requests = [[f.payload.payload for _t, f in net.captures["vm2_eth0"].records
                 if f.ethertype == 0x0800 and f.payload.payload.type == 8] for net in (a, b)]
    assert [e.seq for e in requests[0]] == [1, 2, 3]
    assert len({e.ident for e in requests[0]}) == 1
    assert requests[0][0].ident != requests[1][0].ident
    # The payload is iputils': a struct timeval of the send time, then 0x10, 0x11, ...
    assert requests[0][1].data[:16] == (2).to_bytes(8, "little") + (0).to_bytes(8, "little")
    assert requests[0][1].data[16:] == bytes(range(0x10, 0x38))


def test_arp_failure_gives_destination_host_unreachable():
    net, events = build(lan(2))
    net.command("pc1", "ping -c 3 10.0.0.99", at=0.0)
    net.run_until(10)
    assert out(net, "pc1") == [
        "PING 10.0.0.99 (10.0.0.99) 56(84) bytes of data.",
        "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable",
        "From 10.0.0.1 icmp_seq=2 Destination Host Unreachable",
        "From 10.0.0.1 icmp_seq=3 Destination Host Unreachable",
        "",
        "--- 10.0.0.99 ping statistics ---",
        "3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2000ms",
        "pipe 3",
    ]
    # mcast_solicit=3 broadcasts, retrans_time 1 s apart; FAILED at 3 s.
    requests = [e["t"] for e in kinds(events, "frame.sent") if e["node"] == "pc1"]
    assert requests == [0, 1 * S, 2 * S]
    states = [(e["t"], e["state"]) for e in kinds(events, "arp.entry") if e["node"] == "pc1"]
    assert states == [(0, "INCOMPLETE"), (3 * S, "FAILED")]
    assert [r["state"] for r in net.tables()["nodes"]["pc1"]["arp"]] == ["FAILED"]
    assert next(f for f in net.facts() if f["kind"] == "command")["exit"] == 1


def test_a_failed_entry_is_retried_by_the_next_packet():
    net, events = build(lan(2))
    net.command("pc1", "ping -c 1 10.0.0.99", at=0.0)
    net.command("pc1", "ping -c 1 10.0.0.99", at=5.0)
    net.run_until(20)
    states = [(e["t"], e["state"]) for e in kinds(events, "arp.entry") if e["node"] == "pc1"]
    assert states == [(0, "INCOMPLETE"), (3 * S, "FAILED"), (5 * S, "INCOMPLETE"), (8 * S, "FAILED")]


def test_router_forwards_with_ttl_decrement():
    net, events = build(routed())
    net.command("pcA", "ping -c 2 10.0.2.20", at=0.0)
    net.run_until(5)
    assert out(net, "pcA")[1:3] == [
        "64 bytes from 10.0.2.20: icmp_seq=1 ttl=63 time=0.400 ms",
        "64 bytes from 10.0.2.20: icmp_seq=2 ttl=63 time=0.200 ms",
    ]
    # On pcB's wire the request arrives with TTL 63 and r1's MAC as source: it crossed a router.
    fwd = kinds(events, "ip.forwarded")
    assert [(e["node"], e["src"], e["dst"], e["ttl"], e["out_nic"]) for e in fwd[:2]] == [
        ("r1", "10.0.1.10", "10.0.2.20", 63, "eth1"), ("r1", "10.0.2.20", "10.0.1.10", 63, "eth0")]
    sent_to_b = [e for e in kinds(events, "frame.sent") if e["node"] == "r1" and e["nic"] == "eth1"]
    assert sent_to_b[0]["summary"] == "Who has 10.0.2.20? Tell 10.0.2.1"
    assert sent_to_b[1]["layers"][0]["src"] == "02:00:00:00:02:01"
    assert sent_to_b[1]["layers"][1]["ttl"] == 63


def test_ttl_exceeded_and_net_unreachable_come_from_the_router():
    net, events = build(routed())
    net.command("pcA", "ping -c 1 -t 1 10.0.2.20", at=0.0)
    net.command("pcA", "ping -c 1 10.0.9.9", at=2.0)
    net.run_until(5)
    assert out(net, "pcA") == [
        "PING 10.0.2.20 (10.0.2.20) 56(84) bytes of data.",
        "From 10.0.1.1 icmp_seq=1 Time to live exceeded",
        "",
        "--- 10.0.2.20 ping statistics ---",
        "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms",
        "PING 10.0.9.9 (10.0.9.9) 56(84) bytes of data.",
        "From 10.0.1.1 icmp_seq=1 Destination Net Unreachable",
        "",
        "--- 10.0.9.9 ping statistics ---",
        "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms",
    ]
    errors = [e for e in kinds(events, "frame.sent") if e["node"] == "r1" and "ICMP" in e["text"]]
    assert [(e["layers"][2]["type"], e["layers"][2]["code"], e["layers"][1]["tos"]) for e in errors] == [
        (11, 0, 0xC0), (3, 0, 0xC0)]
    assert [(e["reason"]) for e in kinds(events, "packet.dropped") if e["node"] == "r1"] == [
        "ip.ttl_exceeded", "ip.no_route"]


def test_a_host_without_ip_forward_drops_transit_packets():
    doc = routed()
    doc["nodes"][1]["ip_forward"] = False
    net, events = build(doc)
    net.command("pcA", "ping -c 1 -W 2 10.0.2.20", at=0.0)
    net.run_until(5)
    assert out(net, "pcA")[1:] == [
        "",
        "--- 10.0.2.20 ping statistics ---",
        "1 packets transmitted, 0 received, 100% packet loss, time 0ms",
    ]
    drop = [e for e in kinds(events, "packet.dropped") if e["node"] == "r1"]
    assert [(e["reason"], e["text"]) for e in drop] == [
        ("ip.not_for_us", "r1 is not a router (ip_forward is off): it drops a packet for 10.0.2.20")]
    # -W 2: ping gave up 2 s after its last probe.
    assert next(f for f in net.facts() if f["kind"] == "ping")["t"] == 2 * S


def test_udp_to_a_closed_port_gets_port_unreachable():
    net, events = build(lan(2))
    pc1 = net.nodes["pc1"].stack
    errors = []

    class Sock:
        def __call__(self, stack, packet, udp, nic):
            pass

        def on_error(self, packet, icmp, quoted):
            errors.append((net.now_ns, packet.src, icmp.type, icmp.code, quoted["dport"]))

    pc1.udp_bind(40000, Sock())
    net.engine.at(0, pc1.udp_send, 40000, "10.0.0.2", 9999, b"hello")
    net.run_until(1)
    # ARP there and back (200 us), the datagram (100 us), the ICMP error (100 us; pc2 learned pc1).
    assert errors == [(400 * US, "10.0.0.2", 3, 3, 9999)]
    drop = [e for e in kinds(events, "packet.dropped") if e["node"] == "pc2"]
    assert [(e["reason"], e["text"]) for e in drop] == [
        ("udp.no_listener", "pc2 has nothing listening on UDP port 9999: it answers port unreachable")]
    reply = [f for _t, f in _frames_from(net, events, "pc2") if isinstance(f.payload, IPv4)][0]
    icmp = reply.payload.payload
    assert isinstance(icmp, IcmpError) and (icmp.type, icmp.code) == (3, 3)
    quoted = IPv4.parse(icmp.original)  # the whole original datagram is quoted (576-byte rule)
    assert (quoted.src, quoted.dst, quoted.proto, quoted.payload) == ("10.0.0.1", "10.0.0.2", PROTO_UDP,
                                                                       Udp(40000, 9999, b"hello"))


def _frames_from(net, events, node):
    from simcore.packets import Ethernet

    return [(e["t"], Ethernet.parse(bytes.fromhex(e["frame"]))) for e in kinds(events, "frame.sent")
            if e["node"] == node]


def test_udp_socket_receives_datagrams():
    net, _ = build(lan(2))
    got = []
    net.nodes["pc2"].stack.udp_bind(5000, lambda stack, packet, udp, nic: got.append(
        (net.now_ns, packet.src, udp.sport, udp.payload, nic.name)))
    net.engine.at(0, net.nodes["pc1"].stack.udp_send, 1234, "10.0.0.2", 5000, b"data")
    net.run_until(1)
    assert got == [(300 * US, "10.0.0.1", 1234, b"data", "eth0")]  # ARP request, reply, datagram
    with pytest.raises(ValueError, match=r"^pc2: UDP port 5000 is already bound$"):
        net.nodes["pc2"].stack.udp_bind(5000, print)


def test_udp_broadcast_to_a_closed_port_is_dropped_silently():
    net, events = build(lan(2))
    net.engine.at(0, net.nodes["pc1"].stack.udp_send, 1234, "255.255.255.255", 5000, b"x", None, "eth0")
    net.run_until(1)
    drops = [(e["node"], e["reason"], e["text"]) for e in kinds(events, "packet.dropped")]
    assert drops == [("pc2", "udp.no_listener", "pc2 has nothing listening on UDP port 5000")]
    assert not [e for e in kinds(events, "frame.sent") if e["node"] == "pc2"]


def test_prerouting_and_postrouting_hooks_see_packets():
    net, _ = build(routed())
    seen = []
    r1 = net.nodes["r1"].stack
    r1.prerouting.append(lambda st, p, nic: seen.append(("pre", p.src, p.dst, p.ttl, nic.name)) or p)
    r1.postrouting.append(lambda st, p, nic: seen.append(("post", p.src, p.dst, p.ttl, nic.name)) or p)
    net.command("pcA", "ping -c 1 10.0.2.20", at=0.0)
    net.run_until(2)
    assert seen == [("pre", "10.0.1.10", "10.0.2.20", 64, "eth0"), ("post", "10.0.1.10", "10.0.2.20", 63, "eth1"),
                    ("pre", "10.0.2.20", "10.0.1.10", 64, "eth1"), ("post", "10.0.2.20", "10.0.1.10", 63, "eth0")]


def test_a_prerouting_hook_can_drop():
    net, _ = build(routed())
    net.nodes["r1"].stack.prerouting.append(lambda st, p, nic: None)
    net.command("pcA", "ping -c 1 -W 1 10.0.2.20", at=0.0)
    net.run_until(3)
    assert "1 packets transmitted, 0 received, 100% packet loss, time 0ms" in out(net, "pcA")


def internet_design() -> dict:
    return {
        "version": 1,
        "nodes": [pc("pc1", ("eth0", "02:00:00:00:00:01", "203.0.113.10/24"),
                     routes=[{"to": "default", "via": "203.0.113.1"}]),
                  {"id": "inet", "kind": "internet", "name": "the Internet",
                   "nics": [{"name": "eth0", "mac": "02:00:00:00:00:fe", "ip": "203.0.113.1/24"}]}],
        "links": [link("up", "pc1", "inet", "eth0", "eth0")],
    }


def test_the_internet_answers_pings_to_any_address():
    net, events = build(internet_design())
    net.command("pc1", "ping -c 2 8.8.8.8", at=0.0)
    net.command("pc1", "ping -c 1 -t 1 1.1.1.1", at=3.0)
    net.command("pc1", "ping -c 1 203.0.113.1", at=5.0)
    net.run_until(10)
    lines = out(net, "pc1")
    assert lines[1:3] == ["64 bytes from 8.8.8.8: icmp_seq=1 ttl=63 time=0.200 ms",
                          "64 bytes from 8.8.8.8: icmp_seq=2 ttl=63 time=0.100 ms"]
    assert "From 203.0.113.1 icmp_seq=1 Time to live exceeded" in lines
    assert "64 bytes from 203.0.113.1: icmp_seq=1 ttl=64 time=0.100 ms" in lines
    answered = kinds(events, "internet.answered")
    assert [(e["src"], e["dst"]) for e in answered] == [("203.0.113.10", "8.8.8.8")] * 2
    assert answered[0]["text"] == "8.8.8.8 somewhere on the Internet answers the ping from 203.0.113.10"


def test_the_internet_drops_other_traffic_to_remote_addresses():
    net, events = build(internet_design())
    net.engine.at(0, net.nodes["pc1"].stack.udp_send, 5353, "9.9.9.9", 53, b"q")
    net.run_until(1)
    assert [(e["node"], e["reason"]) for e in kinds(events, "packet.dropped")] == [
        ("inet", "internet.no_service")]


def test_ping_to_own_address_goes_through_loopback():
    net, events = build(lan(1))
    net.command("pc1", "ping -c 1 10.0.0.1", at=0.0)
    net.run_until(2)
    assert out(net, "pc1")[1] == "64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.000 ms"
    assert kinds(events, "frame.sent") == []


def test_routers_never_forward_multicast():
    net, events = build(routed())
    net.engine.at(0, net.nodes["pcA"].stack.udp_send, 5353, "224.0.0.251", 5353, b"mdns", "10.0.1.10", "eth0")
    net.run_until(1)
    assert [(e["node"], e["reason"]) for e in kinds(events, "packet.dropped")] == [("r1", "ip.multicast")]
    assert kinds(events, "ip.forwarded") == []
    frame = [e for e in kinds(events, "frame.sent") if e["node"] == "pcA"][0]
    assert frame["layers"][0]["dst"] == "01:00:5e:00:00:fb"  # RFC 1112 mapping, no ARP


@pytest.mark.parametrize("ip, expected", [
    ("224.0.0.251", True), ("239.255.255.255", True), ("230.1.2.3", True), ("240.0.0.1", False),
    ("223.255.255.255", False), ("22.1.1.1", False), ("23.0.0.1", False), ("2.2.2.2", False), ("10.0.0.1", False),
])
def test_multicast_addresses(ip, expected):
    from simcore.stack.iface import is_multicast_ip, multicast_mac

    assert is_multicast_ip(ip) is expected
    if expected:
        assert multicast_mac(ip).startswith("01:00:5e:")
