"""Golden bytes both ways for UDP, TCP, DHCP, DNS and VXLAN; dpkt and dnspython as oracles."""

import dns.message
import dpkt
import pytest

from simcore.packets import (
    ACK,
    BOOTREPLY,
    BOOTREQUEST,
    DHCPDISCOVER,
    DHCPOFFER,
    ETH_ARP,
    ETH_IPV4,
    FLAG_AA,
    FLAG_QR,
    FLAG_RA,
    FLAG_RD,
    OPT_BROADCAST,
    OPT_CLIENT_ID,
    OPT_DNS,
    OPT_DOMAIN,
    OPT_HOSTNAME,
    OPT_LEASE_TIME,
    OPT_MESSAGE_TYPE,
    OPT_PARAM_REQUEST,
    OPT_REBINDING_T2,
    OPT_RENEWAL_T1,
    OPT_ROUTER,
    OPT_SERVER_ID,
    OPT_SUBNET_MASK,
    PROTO_TCP,
    PROTO_UDP,
    RST,
    SYN,
    TYPE_A,
    TYPE_CNAME,
    TYPE_PTR,
    Arp,
    Dhcp,
    Dns,
    DnsQuestion,
    DnsRecord,
    Ethernet,
    IPv4,
    Tcp,
    Udp,
    Vxlan,
    decode_tcp_options,
    tcp_options,
)

VM, DNS_SRV, WEB = "10.0.2.15", "10.0.2.3", "93.184.216.34"

# --- UDP (RFC 768) ----------------------------------------------------------------------

DNS_QUERY = Dns(0xBEEF, FLAG_RD, (DnsQuestion("example.com"),))
DNS_QUERY_WIRE = bytes.fromhex(
    "beef 0100 0001 0000 0000 0000"  # id, flags RD, 1 question
    "07 6578616d706c65 03 636f6d 00"  # example.com
    "0001 0001"  # type A, class IN
)
UDP_DNS_QUERY_WIRE = bytes.fromhex("9c40 0035 0025 bcbf") + DNS_QUERY_WIRE  # 40000 -> 53, len 37


def test_udp_golden_with_pseudo_header_checksum():
    udp = Udp(40000, 53, DNS_QUERY)
    assert udp.emit(src=VM, dst=DNS_SRV) == UDP_DNS_QUERY_WIRE
    assert Udp.parse(UDP_DNS_QUERY_WIRE, src=VM, dst=DNS_SRV) == udp


def test_udp_without_addresses_sends_no_checksum():
    # RFC 768: an all-zero checksum field means "the transmitter generated no checksum".
    assert Udp(40000, 53, DNS_QUERY).emit()[6:8] == b"\x00\x00"
    assert Udp.parse(bytes.fromhex("9c40 0035 0025 0000") + DNS_QUERY_WIRE, src=VM, dst=DNS_SRV) == Udp(
        40000, 53, DNS_QUERY
    )


def test_udp_computed_zero_checksum_is_sent_as_ffff():
    # Find a payload whose checksum computes to 0 and check it is transmitted as 0xffff (RFC 768).
    base = Udp(1000, 2000, b"\x00\x00").emit(src="0.0.0.0", dst="0.0.0.0")
    csum = int.from_bytes(base[6:8], "big")
    fix = csum.to_bytes(2, "big")  # adding ~S to a sum S makes it 0xffff, i.e. checksum 0
    wire = Udp(1000, 2000, fix).emit(src="0.0.0.0", dst="0.0.0.0")
    assert wire[6:8] == b"\xff\xff"
    assert Udp.parse(wire, src="0.0.0.0", dst="0.0.0.0") == Udp(1000, 2000, fix)


def test_dpkt_agrees_on_udp_checksum():
    ip = IPv4(VM, DNS_SRV, PROTO_UDP, Udp(40000, 53, DNS_QUERY)).emit()
    pkt = dpkt.ip.IP(ip)
    stated = pkt.data.sum
    pkt.data.sum = 0
    pkt.sum = 0
    assert dpkt.ip.IP(bytes(pkt)).data.sum == stated == 0xBCBF


# --- TCP (RFC 9293) ---------------------------------------------------------------------

SYN_OPTIONS = tcp_options(mss=1460, sack_perm=True, timestamp=(0x01020304, 0), wscale=7)
TCP_GOLDEN = [
    pytest.param(
        Tcp(43210, 80, 0x11223344, 0, SYN, 64240, options=SYN_OPTIONS),
        VM,
        WEB,
        bytes.fromhex(
            "a8ca 0050 11223344 00000000"  # ports, seq, ack
            "a0 02 faf0 199f 0000"  # data offset 10 words, SYN, window 64240, checksum, urg
            "020405b4 0402 080a0102030400000000 01 030307"  # MSS, SACK_PERM, TS, NOP, WS 7
        ),
        id="syn",
    ),
    pytest.param(
        Tcp(
            80,
            43210,
            0x55667788,
            0x11223345,
            SYN | ACK,
            65160,
            options=tcp_options(mss=1460, sack_perm=True, timestamp=(0x0A0B0C0D, 0x01020304), wscale=7),
        ),
        WEB,
        VM,
        bytes.fromhex(
            "0050 a8ca 55667788 11223345 a0 12 fe88 32ef 0000020405b4 0402 080a0a0b0c0d01020304 01 030307"
        ),
        id="syn-ack",
    ),
    pytest.param(
        Tcp(80, 43210, 0, 0x11223345, RST | ACK, 0),
        WEB,
        VM,
        bytes.fromhex("0050 a8ca 00000000 11223345 50 14 0000 8065 0000"),  # "connection refused"
        id="rst-ack",
    ),
]


@pytest.mark.parametrize(("seg", "src", "dst", "wire"), TCP_GOLDEN)
def test_tcp_golden(seg, src, dst, wire):
    assert seg.emit(src=src, dst=dst) == wire
    assert Tcp.parse(wire, src=src, dst=dst) == seg
    pkt = dpkt.ip.IP(IPv4(src, dst, PROTO_TCP, seg).emit())
    stated = pkt.data.sum
    pkt.data.sum = 0
    pkt.sum = 0  # dpkt recomputes the transport checksum only together with the IP one
    assert dpkt.ip.IP(bytes(pkt)).data.sum == stated


def test_tcp_options_decode_like_dpkt():
    assert decode_tcp_options(SYN_OPTIONS) == {
        "mss": 1460,
        "sack_perm": True,
        "timestamp": [0x01020304, 0],
        "wscale": 7,
    }
    assert dpkt.tcp.parse_opts(SYN_OPTIONS) == [
        (2, b"\x05\xb4"),
        (4, b""),
        (8, bytes.fromhex("0102030400000000")),
        (1, b""),
        (3, b"\x07"),
    ]


@pytest.mark.parametrize(
    ("options", "decoded"),
    [
        (tcp_options(mss=536), {"mss": 536}),
        (tcp_options(sack_perm=True), {"sack_perm": True}),
        (tcp_options(timestamp=(5, 6)), {"timestamp": [5, 6]}),
        (bytes.fromhex("0101050a0000000100000002"), {"sack": [[1, 2]]}),
        (bytes.fromhex("1e0400000000"), {"other": [{"kind": 30, "data": "0000"}]}),
        (bytes.fromhex("0205"), {"malformed": True}),
        (bytes.fromhex("00ffffff"), {}),
    ],
)
def test_decode_tcp_options_table(options, decoded):
    assert decode_tcp_options(options) == decoded


# --- DHCP (RFC 2131, RFC 2132) ------------------------------------------------------------

OFFER = Dhcp(
    BOOTREPLY,
    0x3903F326,
    "08:00:27:00:56:11",
    (
        (OPT_MESSAGE_TYPE, DHCPOFFER),
        (OPT_SERVER_ID, "10.0.2.2"),
        (OPT_LEASE_TIME, 3600),
        (OPT_RENEWAL_T1, 1800),
        (OPT_REBINDING_T2, 3150),
        (OPT_SUBNET_MASK, "255.255.255.0"),
        (OPT_BROADCAST, "10.0.2.255"),
        (OPT_ROUTER, ("10.0.2.2",)),
        (OPT_DNS, ("10.0.2.3",)),
        (OPT_DOMAIN, "lan"),
    ),
    yiaddr="10.0.2.15",
    siaddr="10.0.2.2",
)
OFFER_OPTIONS = bytes.fromhex(
    "63825363"  # magic cookie
    "3501 02"  # 53 message type: OFFER
    "3604 0a000202"  # 54 server identifier 10.0.2.2
    "3304 00000e10"  # 51 lease 3600 s
    "3a04 00000708"  # 58 T1 1800 s (50 %)
    "3b04 00000c4e"  # 59 T2 3150 s (87.5 %)
    "0104 ffffff00"  # 1 subnet mask
    "1c04 0a0002ff"  # 28 broadcast address
    "0304 0a000202"  # 3 router
    "0604 0a000203"  # 6 DNS server
    "0f03 6c616e"  # 15 domain name "lan"
    "ff"  # end
)
OFFER_WIRE = (
    bytes.fromhex(
        "02 01 06 00 3903f326 0000 0000"  # op reply, htype 1, hlen 6, hops, xid, secs, flags
        "00000000 0a00020f 0a000202 00000000"  # ciaddr, yiaddr 10.0.2.15, siaddr, giaddr
        "080027005611" + "00" * 10  # chaddr (16 bytes)
    )
    + bytes(64 + 128)  # sname, file
    + OFFER_OPTIONS
)
OFFER_WIRE += bytes(300 - len(OFFER_WIRE))  # BOOTP minimum

DISCOVER = Dhcp(
    BOOTREQUEST,
    0x3903F326,
    "08:00:27:00:56:11",
    (
        (OPT_MESSAGE_TYPE, DHCPDISCOVER),
        (OPT_CLIENT_ID, bytes.fromhex("01080027005611")),
        (OPT_HOSTNAME, "vm1"),
        (OPT_PARAM_REQUEST, (1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42)),
    ),
)
DISCOVER_OPTIONS = bytes.fromhex(
    "63825363 350101 3d07 01080027005611 0c03 766d31370d 011c02030f06770c2c2f1a792a ff"
)


def test_dhcp_offer_golden():
    assert len(OFFER_WIRE) == 300
    assert OFFER.emit() == OFFER_WIRE
    assert Dhcp.parse(OFFER_WIRE) == OFFER


def test_dhcp_discover_golden_and_dpkt_reads_it():
    wire = DISCOVER.emit()
    assert wire[236 : 236 + len(DISCOVER_OPTIONS)] == DISCOVER_OPTIONS
    assert Dhcp.parse(wire) == DISCOVER
    d = dpkt.dhcp.DHCP(wire)
    assert (d.op, d.xid, d.chaddr.hex()) == (1, 0x3903F326, "080027005611")
    assert dict(d.opts)[53] == b"\x01"
    assert dict(d.opts)[12] == b"vm1"


def test_dhcp_parse_skips_pads_and_stops_at_end():
    wire = OFFER_WIRE[:240] + bytes.fromhex("00 00 3501 02 00 ff 3501 05")
    assert Dhcp.parse(wire).options == ((OPT_MESSAGE_TYPE, DHCPOFFER),)


def test_dhcp_accessors():
    assert OFFER.message_type == DHCPOFFER
    assert OFFER.get(OPT_ROUTER) == ("10.0.2.2",)
    assert OFFER.get(OPT_HOSTNAME, "none") == "none"


def test_dhcp_non_utf8_hostname_stays_bytes():
    wire = OFFER_WIRE[:240] + bytes.fromhex("0c02 ff fe ff")
    assert Dhcp.parse(wire).get(OPT_HOSTNAME) == b"\xff\xfe"


# --- DNS (RFC 1035) ---------------------------------------------------------------------

CNAME_RESPONSE = Dns(
    0xBEEF,
    FLAG_QR | FLAG_RD | FLAG_RA,
    (DnsQuestion("www.example.com"),),
    (
        DnsRecord("www.example.com", TYPE_CNAME, "example.com", 300),
        DnsRecord("example.com", TYPE_A, WEB, 300),
    ),
)
CNAME_RESPONSE_WIRE = bytes.fromhex(
    "beef 8180 0001 0002 0000 0000"  # response, RD, RA, no error; 1 question, 2 answers
    "03 777777 07 6578616d706c65 03 636f6d 00 0001 0001"  # offset 12: www.example.com A IN
    "c00c 0005 0001 0000012c 0002 c010"  # CNAME -> pointer to "example.com" at offset 16
    "c010 0001 0001 0000012c 0004 5db8d822"  # example.com A 93.184.216.34
)
PTR_RESPONSE = Dns(
    0x0102,
    FLAG_QR | FLAG_AA | FLAG_RD | FLAG_RA,
    (DnsQuestion("15.2.0.10.in-addr.arpa", TYPE_PTR),),
    (DnsRecord("15.2.0.10.in-addr.arpa", TYPE_PTR, "vm1.lan", 0),),
)
PTR_RESPONSE_WIRE = bytes.fromhex(
    "0102 8580 0001 0001 0000 0000"
    "02 3135 01 32 01 30 02 3130 07 696e2d61646472 04 61727061 00 000c 0001"
    "c00c 000c 0001 00000000 0009 03 766d31 03 6c616e 00"
)

DNS_GOLDEN = [
    pytest.param(DNS_QUERY, DNS_QUERY_WIRE, id="query"),
    pytest.param(CNAME_RESPONSE, CNAME_RESPONSE_WIRE, id="cname-a-response"),
    pytest.param(PTR_RESPONSE, PTR_RESPONSE_WIRE, id="ptr-response"),
]


@pytest.mark.parametrize(("msg", "wire"), DNS_GOLDEN)
def test_dns_golden(msg, wire):
    assert msg.emit() == wire
    assert Dns.parse(wire) == msg


@pytest.mark.parametrize(("msg", "wire"), DNS_GOLDEN)
def test_dnspython_reads_our_bytes(msg, wire):
    m = dns.message.from_wire(wire)
    assert m.id == msg.id
    assert [str(q.name) for q in m.question] == [q.name + "." for q in msg.questions]
    ours = [(r.name + ".", str(r.data) + ("." if r.rtype != TYPE_A else "")) for r in msg.answers]
    theirs = [(str(rrset.name), rd.to_text()) for rrset in m.answer for rd in rrset]
    assert theirs == ours


def test_dns_parses_dnspython_bytes():
    q = dns.message.make_query("vm2.lan", "A", id=0x4242)
    assert Dns.parse(q.to_wire()).questions == (DnsQuestion("vm2.lan", TYPE_A),)


# --- VXLAN (RFC 7348) --------------------------------------------------------------------

INNER_ARP = Ethernet(
    "ff:ff:ff:ff:ff:ff",
    "08:00:27:00:56:11",
    ETH_ARP,
    Arp(1, "08:00:27:00:56:11", "10.0.0.11", "00:00:00:00:00:00", "10.0.0.12"),
)
VXLAN_WIRE = bytes.fromhex(
    "08 000000 00002a 00"  # I flag, reserved, VNI 42, reserved
    "ffffffffffff 080027005611 0806 0001 0800 06 04 0001"
    "080027005611 0a00000b 000000000000 0a00000c"  # the inner ARP, unpadded (42 bytes)
)


def test_vxlan_golden():
    v = Vxlan(42, INNER_ARP)
    assert v.emit() == VXLAN_WIRE
    assert Vxlan.parse(VXLAN_WIRE) == v


def test_vxlan_inside_udp_is_decoded_by_port():
    outer = Ethernet(
        "52:54:00:00:00:02",
        "52:54:00:00:00:01",
        ETH_IPV4,
        IPv4("192.0.2.1", "192.0.2.2", PROTO_UDP, Udp(49152, 4789, Vxlan(42, INNER_ARP))),
    )
    wire = outer.emit()
    assert wire[42:50] == VXLAN_WIRE[:8]
    assert Ethernet.parse(wire) == outer


def test_vxlan_ignores_reserved_bits_on_receipt():
    # RFC 7348 §5: reserved fields MUST be ignored by the receiver.
    noisy = bytes.fromhex("08 ffffff 00002a ff") + VXLAN_WIRE[8:]
    assert Vxlan.parse(noisy) == Vxlan(42, INNER_ARP)
