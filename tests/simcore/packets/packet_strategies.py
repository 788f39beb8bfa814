"""Hypothesis strategies for every packet class (imported by the packet tests by module name)."""

from hypothesis import strategies as st

from simcore.packets import (
    ETH_ARP,
    ETH_IPV4,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Arp,
    Dhcp,
    Dns,
    DnsQuestion,
    DnsRecord,
    Ethernet,
    Icmp,
    IcmpEcho,
    IcmpError,
    IPv4,
    Tcp,
    Udp,
    Vxlan,
)

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
macs = st.binary(min_size=6, max_size=6).map(lambda b: b.hex(":"))
ips = st.binary(min_size=4, max_size=4).map(lambda b: ".".join(str(x) for x in b))
WELL_KNOWN = {53, 67, 68, 4789}
plain_ports = u16.filter(lambda p: p not in WELL_KNOWN)

arps = st.builds(Arp, u16, macs, ips, macs, ips)

icmp_echoes = st.builds(IcmpEcho, st.sampled_from([0, 8]), u16, u16, st.binary(max_size=64))
icmp_errors = st.builds(IcmpError, st.sampled_from([3, 11, 12, 5, 4]), u8, st.binary(max_size=64), u32)
icmp_others = st.builds(
    Icmp, u8.filter(lambda t: t not in (0, 8, 3, 11, 12, 5, 4)), u8, u32, st.binary(max_size=32)
)
icmps = st.one_of(icmp_echoes, icmp_errors, icmp_others)

tcp_option_bytes = st.integers(0, 10).flatmap(lambda n: st.binary(min_size=4 * n, max_size=4 * n))
tcps = st.builds(Tcp, u16, u16, u32, u32, u8, u16, st.binary(max_size=64), tcp_option_bytes, u16)

dhcp_option_values = {
    53: st.integers(1, 8),
    1: ips,
    28: ips,
    50: ips,
    54: ips,
    51: u32,
    58: u32,
    59: u32,
    3: st.lists(ips, min_size=1, max_size=4).map(tuple),
    6: st.lists(ips, min_size=1, max_size=4).map(tuple),
    12: st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20).filter(
        lambda s: len(s.encode()) <= 255
    ),
    15: st.text("abcdefghijklmnopqrstuvwxyz.-", min_size=1, max_size=30),
    55: st.lists(u8, min_size=1, max_size=10).map(tuple),
    61: st.binary(min_size=1, max_size=16),
    43: st.binary(max_size=20),
}
dhcp_options = st.lists(
    st.sampled_from(sorted(dhcp_option_values)).flatmap(
        lambda code: dhcp_option_values[code].map(lambda v, c=code: (c, v))
    ),
    max_size=12,
).map(tuple)
no_trailing_nul = st.binary(max_size=20).map(lambda b: b.rstrip(b"\x00"))
dhcps = st.builds(
    Dhcp,
    st.sampled_from([1, 2]),
    u32,
    macs,
    dhcp_options,
    ips,
    ips,
    ips,
    ips,
    st.sampled_from([0, 0x8000]),
    u16,
    u8,
    no_trailing_nul,
    no_trailing_nul,
)

labels = st.text("abcdefghijklmnopqrstuvwxyzABC0123456789-_", min_size=1, max_size=20)
names = st.lists(labels, min_size=0, max_size=4).map(".".join)
dns_questions = st.builds(DnsQuestion, names, u16, u16)
dns_records = st.one_of(
    st.builds(DnsRecord, names, st.just(1), ips, u32, u16),
    st.builds(DnsRecord, names, st.sampled_from([2, 5, 12]), names, u32, u16),
    st.builds(DnsRecord, names, st.sampled_from([16, 28, 99]), st.binary(max_size=20), u32, u16),
)
record_lists = st.lists(dns_records, max_size=3).map(tuple)
dnses = st.builds(
    Dns, u16, u16, st.lists(dns_questions, max_size=3).map(tuple), record_lists, record_lists, record_lists
)


def udps(inner_frames=None):
    plain = st.builds(Udp, plain_ports, plain_ports, st.binary(max_size=64))
    dhcp = st.builds(Udp, st.sampled_from([67, 68]), st.sampled_from([67, 68]), dhcps)
    dns = st.one_of(
        st.builds(Udp, plain_ports, st.just(53), dnses), st.builds(Udp, st.just(53), plain_ports, dnses)
    )
    options = [plain, dhcp, dns]
    if inner_frames is not None:
        options.append(
            st.builds(
                Udp, plain_ports, st.just(4789), st.builds(Vxlan, st.integers(0, (1 << 24) - 1), inner_frames)
            )
        )
    return st.one_of(*options)


ip_options = st.integers(0, 10).flatmap(lambda n: st.binary(min_size=4 * n, max_size=4 * n))


def ipv4s(inner_frames=None):
    whole = st.one_of(
        st.builds(
            lambda s, d, p, **kw: IPv4(s, d, PROTO_ICMP, p, **kw),
            ips,
            ips,
            icmps,
            ttl=u8,
            ident=u16,
            flags=st.sampled_from([0, 2]),
            tos=u8,
            options=ip_options,
        ),
        st.builds(
            lambda s, d, p, **kw: IPv4(s, d, PROTO_UDP, p, **kw),
            ips,
            ips,
            udps(inner_frames),
            ttl=u8,
            ident=u16,
            flags=st.sampled_from([0, 2]),
            tos=u8,
            options=ip_options,
        ),
        st.builds(
            lambda s, d, p, **kw: IPv4(s, d, PROTO_TCP, p, **kw),
            ips,
            ips,
            tcps,
            ttl=u8,
            ident=u16,
            flags=st.sampled_from([0, 2]),
            tos=u8,
            options=ip_options,
        ),
        # Unknown protocol: payload stays bytes.
        st.builds(IPv4, ips, ips, st.sampled_from([47, 50, 89, 132]), st.binary(max_size=64)),
    )
    # A fragment: payload stays bytes whatever the protocol says (RFC 791 §2.3).
    fragment = st.builds(
        IPv4,
        ips,
        ips,
        st.sampled_from([1, 6, 17]),
        st.binary(max_size=64),
        flags=st.sampled_from([1, 3]),
        frag_offset=st.integers(0, 0x1FFF),
    )
    late_fragment = st.builds(
        IPv4,
        ips,
        ips,
        st.sampled_from([1, 6, 17]),
        st.binary(max_size=64),
        flags=st.just(0),
        frag_offset=st.integers(1, 0x1FFF),
    )
    return st.one_of(whole, fragment, late_fragment)


def ethernets(inner_frames=None):
    return st.one_of(
        st.builds(Ethernet, macs, macs, st.just(ETH_ARP), arps),
        st.builds(Ethernet, macs, macs, st.just(ETH_IPV4), ipv4s(inner_frames)),
        # Unknown EtherType: the payload keeps any padding, so generate at least 46 bytes.
        st.builds(
            Ethernet,
            macs,
            macs,
            st.sampled_from([0x86DD, 0x88CC, 0x9000]),
            st.binary(min_size=46, max_size=80),
        ),
    )


# Frames one VXLAN level deep: the inner frame is any frame without a tunnel inside.
frames = ethernets(inner_frames=ethernets())
