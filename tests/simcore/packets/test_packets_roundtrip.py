"""Property tests: ``parse(emit(p)) == p`` for every packet class, and emit is stable."""

import packet_strategies as ps
from hypothesis import given, settings
from hypothesis import strategies as st

from simcore.packets import Arp, Dhcp, Dns, Ethernet, Icmp, IcmpEcho, IcmpError, IPv4, Tcp, Udp, Vxlan

SRC, DST = "10.0.2.15", "10.0.2.2"


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.arps)
def test_arp_roundtrip(p):
    assert Arp.parse(p.emit()) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.icmp_echoes)
def test_icmp_echo_roundtrip(p):
    assert IcmpEcho.parse(p.emit()) == p
    assert Icmp.parse(p.emit()) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.icmp_errors)
def test_icmp_error_roundtrip(p):
    assert IcmpError.parse(p.emit()) == p
    assert Icmp.parse(p.emit()) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.icmp_others)
def test_icmp_other_roundtrip(p):
    assert Icmp.parse(p.emit()) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.tcps, ps.ips, ps.ips)
def test_tcp_roundtrip_with_checksum(p, src, dst):
    assert Tcp.parse(p.emit(src=src, dst=dst), src=src, dst=dst) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.udps(), ps.ips, ps.ips)
def test_udp_roundtrip_with_checksum(p, src, dst):
    assert Udp.parse(p.emit(src=src, dst=dst), src=src, dst=dst) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.udps())
def test_udp_roundtrip_without_checksum(p):
    assert Udp.parse(p.emit()) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.dhcps)
def test_dhcp_roundtrip(p):
    wire = p.emit()
    assert len(wire) >= 300
    assert Dhcp.parse(wire) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.dnses)
def test_dns_roundtrip(p):
    assert Dns.parse(p.emit()) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(st.integers(0, (1 << 24) - 1), ps.ethernets())
def test_vxlan_roundtrip(vni, inner):
    p = Vxlan(vni, inner)
    assert Vxlan.parse(p.emit()) == p


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(ps.ipv4s())
def test_ipv4_roundtrip(p):
    assert IPv4.parse(p.emit()) == p


@settings(max_examples=300, deadline=None)
@given(ps.frames)
def test_ethernet_roundtrip_and_minimum_size(frame):
    wire = frame.emit()
    assert len(wire) >= 60
    assert Ethernet.parse(wire) == frame
    # Emit is a pure function of the value: same bytes every time.
    assert frame.emit() == wire
