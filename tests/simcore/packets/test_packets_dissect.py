"""``summary`` (Wireshark's Info column) and ``layers`` (the detail pane) for every sample."""

import json

import pytest
from packet_samples import SAMPLES

from simcore.packets import (
    ACK,
    FIN,
    FLAG_QR,
    PSH,
    RCODE_NXDOMAIN,
    Arp,
    Dhcp,
    Dns,
    DnsQuestion,
    Ethernet,
    Icmp,
    IcmpError,
    IPv4,
    Tcp,
    Udp,
    Vxlan,
    layers,
    summary,
)

PARAMS = [pytest.param(frame, info, id=name) for name, frame, info in SAMPLES]


@pytest.mark.parametrize(("frame", "info"), PARAMS)
def test_summary(frame, info):
    assert summary(frame) == info


@pytest.mark.parametrize(("frame", "info"), PARAMS)
def test_layers_are_json_friendly_and_survive_a_wire_round_trip(frame, info):
    described = layers(frame)
    assert json.loads(json.dumps(described)) == described
    assert layers(Ethernet.parse(frame.emit())) == described


@pytest.mark.parametrize(
    ("name", "protos"),
    [
        ("arp-request", ["ethernet", "arp"]),
        ("echo-request", ["ethernet", "ipv4", "icmp"]),
        ("dhcp-offer", ["ethernet", "ipv4", "udp", "dhcp"]),
        ("dns-response", ["ethernet", "ipv4", "udp", "dns"]),
        ("tcp-syn", ["ethernet", "ipv4", "tcp"]),
        ("vxlan-ping", ["ethernet", "ipv4", "udp", "vxlan", "ethernet", "ipv4", "icmp"]),
        ("ipv6-unknown", ["ethernet"]),
        ("ip-fragment", ["ethernet", "ipv4"]),
    ],
)
def test_layers_go_outermost_first_through_the_tunnel(name, protos):
    frame = dict((n, f) for n, f, _ in SAMPLES)[name]
    assert [layer["proto"] for layer in layers(frame)] == protos


def test_describe_contents_for_the_inspector():
    by_name = {n: f for n, f, _ in SAMPLES}
    arp = layers(by_name["arp-request"])[1]
    assert arp == {
        "proto": "arp",
        "op": "request",
        "sha": "08:00:27:00:56:11",
        "spa": "10.0.2.15",
        "tha": "00:00:00:00:00:00",
        "tpa": "10.0.2.16",
    }
    eth, ip, udp, dhcp = layers(by_name["dhcp-offer"])
    assert eth == {
        "proto": "ethernet",
        "dst": "08:00:27:00:56:11",
        "src": "52:54:00:12:35:02",
        "ethertype": "0x0800",
        "type": "IPv4",
    }
    assert (ip["src"], ip["dst"], ip["protocol_name"], ip["flags"]) == (
        "10.0.2.2",
        "10.0.2.15",
        "UDP",
        {"df": True, "mf": False},
    )
    assert udp == {"proto": "udp", "sport": 67, "dport": 68, "length": 308}
    assert (dhcp["message_type"], dhcp["xid"], dhcp["yiaddr"], dhcp["broadcast"]) == (
        "Offer",
        "0x3903f326",
        "10.0.2.15",
        False,
    )
    assert dhcp["options"][:3] == [
        {"code": 53, "name": "message_type", "value": "Offer"},
        {"code": 1, "name": "subnet_mask", "value": "255.255.255.0"},
        {"code": 3, "name": "router", "value": ["10.0.2.2"]},
    ]
    icmp = layers(by_name["port-unreachable"])[2]
    assert icmp["quoted"] == {
        "src": "10.0.2.15",
        "dst": "10.0.2.16",
        "protocol": 17,
        "sport": 33434,
        "dport": 33435,
    }
    tcp = layers(by_name["tcp-syn"])[2]
    assert (tcp["flags"], tcp["options"]["mss"]) == (["SYN"], 1460)
    dns = layers(by_name["dns-response"])[3]
    assert dns["answers"] == [
        {"name": "example.com", "type": "A", "class": 1, "ttl": 3600, "data": "93.184.216.34"}
    ]


@pytest.mark.parametrize(
    ("layer", "info"),
    [
        (
            Tcp(80, 5000, 10, 20, PSH | ACK, 502, b"hello"),
            "80 \u2192 5000 [PSH, ACK] Seq=10 Ack=20 Win=502 Len=5",
        ),
        (Tcp(5000, 80, 10, 20, FIN | ACK, 502), "5000 \u2192 80 [FIN, ACK] Seq=10 Ack=20 Win=502 Len=0"),
        (Icmp(13, 0), "ICMP type 13 code 0"),
        (IcmpError(3, 4, b"", rest=1400), "Destination unreachable (Fragmentation needed)"),
        (IcmpError(3, 99, b""), "Destination unreachable (code 99)"),
        (
            Arp(2, "02:00:00:00:00:01", "10.0.0.1", "ff:ff:ff:ff:ff:ff", "10.0.0.1"),
            "Gratuitous ARP for 10.0.0.1 (Reply)",
        ),
        (
            Arp(1, "02:00:00:00:00:01", "10.0.0.1", "ff:ff:ff:ff:ff:ff", "10.0.0.1"),
            "Gratuitous ARP for 10.0.0.1 (Request)",
        ),
        (Arp(9, "02:00:00:00:00:01", "10.0.0.1", "ff:ff:ff:ff:ff:ff", "10.0.0.2"), "ARP opcode 9"),
        (Dhcp(1, 0xAB, "02:00:00:00:00:01"), "Boot Request - Transaction ID 0x000000ab"),
        (
            Dns(0x10, FLAG_QR | RCODE_NXDOMAIN, (DnsQuestion("nope.lan"),)),
            "Standard query response 0x0010 No such name A nope.lan",
        ),
    ],
)
def test_info_lines_of_single_layers(layer, info):
    assert layer.info() == info


def test_summary_of_a_tunnel_with_an_opaque_inner_frame():
    frame = Ethernet(
        "02:00:00:00:00:02",
        "02:00:00:00:00:01",
        0x0800,
        IPv4("192.0.2.1", "192.0.2.2", 17, Udp(1234, 4789, Vxlan(7, b"\x00" * 14))),
    )
    assert summary(frame) == "VXLAN VNI 7"
