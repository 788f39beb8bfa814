"""One frame of every kind the simulator produces, with the Info line Wireshark would show."""

from simcore.packets import (
    ACK,
    BOOTREPLY,
    BOOTREQUEST,
    BROADCAST_MAC,
    DHCPACK,
    DHCPDISCOVER,
    DHCPOFFER,
    DHCPREQUEST,
    ETH_ARP,
    ETH_IPV4,
    FLAG_QR,
    FLAG_RA,
    FLAG_RD,
    ICMP_DEST_UNREACH,
    ICMP_ECHO_REQUEST,
    ICMP_TIME_EXCEEDED,
    OPT_DNS,
    OPT_HOSTNAME,
    OPT_LEASE_TIME,
    OPT_MESSAGE_TYPE,
    OPT_PARAM_REQUEST,
    OPT_REQUESTED_IP,
    OPT_ROUTER,
    OPT_SERVER_ID,
    OPT_SUBNET_MASK,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    RST,
    SYN,
    TYPE_A,
    UNREACH_PORT,
    Arp,
    Dhcp,
    Dns,
    DnsQuestion,
    DnsRecord,
    Ethernet,
    IcmpEcho,
    IcmpError,
    IPv4,
    Tcp,
    Udp,
    Vxlan,
    tcp_options,
)

VM1, VM2, GW = "08:00:27:00:56:11", "08:00:27:00:56:12", "52:54:00:12:35:02"
IP1, IP2, GW_IP = "10.0.2.15", "10.0.2.16", "10.0.2.2"
XID = 0x3903F326
PING_DATA = bytes(range(0x10, 0x38))

_ping = IcmpEcho(ICMP_ECHO_REQUEST, 0x0042, 1, PING_DATA)
_ping_ip = IPv4(IP1, IP2, PROTO_ICMP, _ping, ident=0x1111)
_udp_probe = IPv4(IP1, IP2, PROTO_UDP, Udp(33434, 33435, bytes(12)), ident=0x2222, ttl=1)
_dhcp_opts = (
    (OPT_SUBNET_MASK, "255.255.255.0"),
    (OPT_ROUTER, (GW_IP,)),
    (OPT_DNS, ("10.0.2.3",)),
    (OPT_LEASE_TIME, 86400),
    (OPT_SERVER_ID, GW_IP),
)


# RFC 8200 header: version 6, payload length 6, next header 59 (none), hop limit 1, :: -> ff02::1.
IPV6_NO_NEXT_HEADER = bytes.fromhex("60000000 0006 3b 01" + "00" * 16 + "ff02" + "00" * 13 + "01") + bytes(6)


def _eth(dst, src, ip):
    return Ethernet(dst, src, ETH_IPV4, ip)


# (name, frame, wireshark-like summary)
SAMPLES = [
    (
        "arp-request",
        Ethernet(BROADCAST_MAC, VM1, ETH_ARP, Arp(1, VM1, IP1, "00:00:00:00:00:00", IP2)),
        "Who has 10.0.2.16? Tell 10.0.2.15",
    ),
    (
        "arp-reply",
        Ethernet(VM1, VM2, ETH_ARP, Arp(2, VM2, IP2, VM1, IP1)),
        "10.0.2.16 is at 08:00:27:00:56:12",
    ),
    (
        "arp-probe",
        Ethernet(BROADCAST_MAC, VM1, ETH_ARP, Arp(1, VM1, "0.0.0.0", "00:00:00:00:00:00", IP1)),
        "Who has 10.0.2.15? (ARP Probe)",
    ),
    (
        "arp-announcement",
        Ethernet(BROADCAST_MAC, VM1, ETH_ARP, Arp(1, VM1, IP1, "00:00:00:00:00:00", IP1)),
        "ARP Announcement for 10.0.2.15",
    ),
    (
        "arp-gratuitous-reply",
        Ethernet(BROADCAST_MAC, VM1, ETH_ARP, Arp(2, VM1, IP1, BROADCAST_MAC, IP1)),
        "Gratuitous ARP for 10.0.2.15 (Reply)",
    ),
    ("echo-request", _eth(VM2, VM1, _ping_ip), "Echo (ping) request id=0x0042, seq=1/256, ttl=64"),
    (
        "echo-reply",
        _eth(VM1, VM2, IPv4(IP2, IP1, PROTO_ICMP, _ping.reply(), ident=0x3333, ttl=63)),
        "Echo (ping) reply id=0x0042, seq=1/256, ttl=63",
    ),
    (
        "port-unreachable",
        _eth(
            VM1,
            VM2,
            IPv4(
                IP2,
                IP1,
                PROTO_ICMP,
                IcmpError.for_datagram(ICMP_DEST_UNREACH, UNREACH_PORT, _udp_probe.emit()),
                flags=0,
            ),
        ),
        "Destination unreachable (Port unreachable)",
    ),
    (
        "time-exceeded",
        _eth(
            VM1,
            GW,
            IPv4(
                GW_IP,
                IP1,
                PROTO_ICMP,
                IcmpError.for_datagram(ICMP_TIME_EXCEEDED, 0, _udp_probe.emit()),
                flags=0,
            ),
        ),
        "Time-to-live exceeded (Time to live exceeded in transit)",
    ),
    (
        "dhcp-discover",
        _eth(
            BROADCAST_MAC,
            VM1,
            IPv4(
                "0.0.0.0",
                "255.255.255.255",
                PROTO_UDP,
                Udp(
                    68,
                    67,
                    Dhcp(
                        BOOTREQUEST,
                        XID,
                        VM1,
                        (
                            (OPT_MESSAGE_TYPE, DHCPDISCOVER),
                            (OPT_PARAM_REQUEST, (1, 3, 6, 15)),
                            (OPT_HOSTNAME, "vm1"),
                        ),
                    ),
                ),
                flags=0,
                tos=0x10,
            ),
        ),
        "DHCP Discover - Transaction ID 0x3903f326",
    ),
    (
        "dhcp-offer",
        _eth(
            VM1,
            GW,
            IPv4(
                GW_IP,
                IP1,
                PROTO_UDP,
                Udp(
                    67,
                    68,
                    Dhcp(
                        BOOTREPLY,
                        XID,
                        VM1,
                        ((OPT_MESSAGE_TYPE, DHCPOFFER), *_dhcp_opts),
                        yiaddr=IP1,
                        siaddr=GW_IP,
                    ),
                ),
            ),
        ),
        "DHCP Offer - Transaction ID 0x3903f326",
    ),
    (
        "dhcp-request",
        _eth(
            BROADCAST_MAC,
            VM1,
            IPv4(
                "0.0.0.0",
                "255.255.255.255",
                PROTO_UDP,
                Udp(
                    68,
                    67,
                    Dhcp(
                        BOOTREQUEST,
                        XID,
                        VM1,
                        ((OPT_MESSAGE_TYPE, DHCPREQUEST), (OPT_REQUESTED_IP, IP1), (OPT_SERVER_ID, GW_IP)),
                    ),
                ),
                flags=0,
            ),
        ),
        "DHCP Request - Transaction ID 0x3903f326",
    ),
    (
        "dhcp-ack",
        _eth(
            VM1,
            GW,
            IPv4(
                GW_IP,
                IP1,
                PROTO_UDP,
                Udp(
                    67,
                    68,
                    Dhcp(
                        BOOTREPLY,
                        XID,
                        VM1,
                        ((OPT_MESSAGE_TYPE, DHCPACK), *_dhcp_opts, (OPT_HOSTNAME, "vm1")),
                        yiaddr=IP1,
                        siaddr=GW_IP,
                    ),
                ),
            ),
        ),
        "DHCP ACK - Transaction ID 0x3903f326",
    ),
    (
        "dns-query",
        _eth(
            GW,
            VM1,
            IPv4(
                IP1,
                "10.0.2.3",
                PROTO_UDP,
                Udp(51000, 53, Dns(0x1A2B, FLAG_RD, (DnsQuestion("example.com"),))),
            ),
        ),
        "Standard query 0x1a2b A example.com",
    ),
    (
        "dns-response",
        _eth(
            VM1,
            GW,
            IPv4(
                "10.0.2.3",
                IP1,
                PROTO_UDP,
                Udp(
                    53,
                    51000,
                    Dns(
                        0x1A2B,
                        FLAG_QR | FLAG_RD | FLAG_RA,
                        (DnsQuestion("example.com"),),
                        (DnsRecord("example.com", TYPE_A, "93.184.216.34", 3600),),
                    ),
                ),
            ),
        ),
        "Standard query response 0x1a2b A example.com A 93.184.216.34",
    ),
    (
        "tcp-syn",
        _eth(
            GW,
            VM1,
            IPv4(
                IP1,
                "93.184.216.34",
                PROTO_TCP,
                Tcp(
                    43210,
                    80,
                    1000,
                    0,
                    SYN,
                    64240,
                    options=tcp_options(mss=1460, sack_perm=True, timestamp=(12345, 0), wscale=7),
                ),
            ),
        ),
        "43210 \u2192 80 [SYN] Seq=1000 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=12345 TSecr=0 WS=128",
    ),
    (
        "tcp-rst-ack",
        _eth(VM1, GW, IPv4("93.184.216.34", IP1, PROTO_TCP, Tcp(80, 43210, 0, 1001, RST | ACK, 0))),
        "80 \u2192 43210 [RST, ACK] Seq=0 Ack=1001 Win=0 Len=0",
    ),
    ("udp-plain", _eth(VM2, VM1, _udp_probe), "33434 \u2192 33435 Len=12"),
    (
        "vxlan-ping",
        _eth(
            "52:54:00:00:00:02",
            "52:54:00:00:00:01",
            IPv4("192.0.2.1", "192.0.2.2", PROTO_UDP, Udp(49152, 4789, Vxlan(100, _eth(VM2, VM1, _ping_ip)))),
        ),
        "Echo (ping) request id=0x0042, seq=1/256, ttl=64",
    ),
    (
        "ipv6-unknown",
        Ethernet("33:33:00:00:00:01", VM1, 0x86DD, IPV6_NO_NEXT_HEADER),
        "Ethernet II, type IPv6",
    ),
    (
        "ip-fragment",
        _eth(VM2, VM1, IPv4(IP1, IP2, PROTO_UDP, bytes(24), flags=1, ident=0xABCD)),
        "Fragmented IP protocol (proto=UDP 17, off=0, ID=abcd)",
    ),
]
