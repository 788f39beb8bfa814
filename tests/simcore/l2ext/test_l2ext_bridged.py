"""Bridged mode: a vswitch bridged to the host's physical NIC (static addresses, no DHCP)."""

import pytest
from l2ext_designs import S, bridged_static, build, records

from simcore.devices.bridge import LinkedNic, Uplink, bridge_to
from simcore.packets import ETH_IPV4, PROTO_UDP, Ethernet, IPv4, summary
from simcore.packets.udp import Udp

VM, HV, HOST2 = "08:00:27:51:00:99", "02:00:00:51:00:0a", "02:00:00:51:00:20"
BCAST = "ff:ff:ff:ff:ff:ff"


def rows(net, capture):
    return [(frame.src, frame.dst, summary(frame).split(" id=")[0]) for frame in records(net, capture)]


def test_vm_frames_leave_the_physical_nic_with_the_vms_own_mac():
    net, _ = build(bridged_static())
    net.command("vm", "ping -c 1 198.51.100.20", at=1.0)
    net.run_until(2)
    assert rows(net, "hv_enp1s0") == [
        (VM, BCAST, "Who has 198.51.100.20? Tell 198.51.100.99"),
        (HOST2, VM, "198.51.100.20 is at 02:00:00:51:00:20"),
        (VM, HOST2, "Echo (ping) request"),
        (HOST2, VM, "Echo (ping) reply"),
    ]
    # host2 learns the VM's own MAC, never the host's: no NAT, no proxy ARP.
    assert [r for r in net.nodes["host2"].stack.neigh.rows(net.now_ns) if r["ip"] == "198.51.100.99"][0]["mac"] == VM


@pytest.mark.parametrize("who, line, rtt_us", [
    ("host2", "ping -c 1 198.51.100.10", 400),   # the LAN reaches the host's own address
    ("vm", "ping -c 1 198.51.100.10", 200),      # the VM reaches its host through the bridge
    ("hv", "ping -c 1 198.51.100.99", 200),      # the host reaches its VM (no wire on its side)
])
def test_the_hosts_own_address_keeps_working(who, line, rtt_us):
    net, _ = build(bridged_static())
    net.command(who, line, at=1.0)
    net.run_until(2)
    ping = [f for f in net.facts() if f["kind"] == "ping"][0]
    assert (ping["received"], ping["rtt"]["max_us"]) == (1, rtt_us)


def test_host_to_vm_traffic_never_reaches_the_wire():
    net, _ = build(bridged_static())
    net.command("hv", "ping -c 1 198.51.100.99", at=1.0)
    net.run_until(2)
    # Only the ARP broadcast goes out of enp1s0 too (a bridge floods it); the ping stays inside.
    assert rows(net, "hv_enp1s0") == [(HV, BCAST, "Who has 198.51.100.99? Tell 198.51.100.10")]
    assert [r[2] for r in rows(net, "vm_eth0")] == [
        "Who has 198.51.100.99? Tell 198.51.100.10", "198.51.100.99 is at 08:00:27:51:00:99",
        "Echo (ping) request", "Echo (ping) reply"]


def test_unknown_unicast_flooded_by_the_bridge_is_not_passed_up_to_the_host():
    net, events = build(bridged_static())
    br = net.nodes["br"]
    stranger = "02:00:00:51:00:77"
    frame = Ethernet(stranger, VM, ETH_IPV4, IPv4("198.51.100.99", "198.51.100.77", PROTO_UDP, Udp(1000, 9, b"x")))
    net.engine.at(1 * S, br.receive, br.ports[0], frame)
    net.run_until(2)
    flooded = [(e["why"], e["out_ports"]) for e in events if e["kind"] == "switch.flooded"]
    # Out of the uplink (port 2) only: the local port (3) declines a unicast that is not the host's.
    assert flooded[0] == ("unknown", [2, 3])
    assert [f.dst for f in records(net, "hv_enp1s0")] == [stranger]
    assert [e for e in events if e["kind"] in ("frame.received", "packet.dropped") and e["node"] == "hv"] == []


def test_bridge_fdb_show_marks_the_hosts_own_mac_permanent():
    net, _ = build(bridged_static())
    net.command("vm", "ping -c 1 198.51.100.20", at=1.0)
    net.command("hv", "bridge fdb show", at=2.0)
    net.command("hv", "bridge fdb show br br", at=2.0)
    net.command("hv", "bridge fdb show br nope", at=2.0)
    net.command("hv", "bridge link", at=2.0)
    net.run_until(2)
    table = [f"{VM} dev p1 master br", f"{HOST2} dev enp1s0 master br", f"{HV} dev enp1s0 master br permanent"]
    assert net.nodes["hv"].console.output() == table + table + [
        'Cannot find device "nope"', 'Object "link" is unknown, try "bridge help".']
    exits = [f["exit"] for f in net.facts() if f["kind"] == "command" and f["node"] == "hv"]
    assert exits == [0, 0, 1, 255]


def test_the_uplink_is_a_port_numbered_after_the_link_ports():
    net, _ = build(bridged_static())
    br = net.nodes["br"]
    assert [(p.number, p.name, type(p).__name__) for p in br.ports] == [
        (1, "p1", "Port"), (2, "enp1s0", "Uplink"), (3, "enp1s0-local", "LocalPort")]
    assert isinstance(br.ports[1], Uplink) and br.ports[1].link.id == "l_hv"
    assert isinstance(net.nodes["hv"].stack.ifaces["enp1s0"].nic, LinkedNic)


def test_bridging_to_a_nic_the_host_does_not_have_is_refused():
    net, _ = build(bridged_static())
    with pytest.raises(ValueError, match="^'br': host 'hv' has no NIC 'eth9' to bridge to$"):
        bridge_to(net.nodes["br"], net.nodes["hv"], "eth9")
    with pytest.raises(ValueError, match="^'br': hv's enp1s0 is already bridged$"):
        bridge_to(net.nodes["br"], net.nodes["hv"], "enp1s0")


def test_trace_names_the_uplink_by_what_it_leads_to():
    net, events = build(bridged_static())
    net.command("vm", "ping -c 1 198.51.100.20", at=1.0)
    net.run_until(2)
    learned = [e["text"] for e in events if e["kind"] == "switch.learned" and e["node"] == "br"]
    assert learned == [
        "br learns that 08:00:27:51:00:99 (vm) is behind port 1 (link to vm)",
        "br learns that 02:00:00:51:00:20 (host2) is behind port 2 (link to lan)",
    ]
