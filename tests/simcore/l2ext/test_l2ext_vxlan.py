"""The distributed switch: VXLAN frames on the underlay, learning on the VXLAN port, replication."""

import pytest
from l2ext_designs import build, dvs_static, records

from simcore.design import DesignError
from simcore.devices.vxlan import SPORT_MAX, SPORT_MIN, DistributedSwitch, outer_source_port
from simcore.packets import ETH_ARP, PROTO_UDP, Ethernet, IcmpEcho, IPv4, summary
from simcore.packets.udp import Udp
from simcore.packets.vxlan import Vxlan

VM_A, VM_B, VM_C = "08:00:27:64:0a:11", "08:00:27:64:0b:11", "08:00:27:64:0c:11"
HV_A, HV_B = "02:00:00:16:00:01", "02:00:00:16:00:02"


def underlay_rows(net, capture="hvA_underlay"):
    """(outer src MAC, outer dst MAC, outer IPs or '-', inner summary or the frame's own)."""
    rows = []
    for frame in records(net, capture):
        packet = frame.payload
        if isinstance(packet, IPv4) and isinstance(packet.payload, Udp) and isinstance(packet.payload.payload, Vxlan):
            rows.append((frame.src, frame.dst, f"{packet.src}>{packet.dst}", summary(packet.payload.payload.payload)))
        else:
            rows.append((frame.src, frame.dst, "-", summary(frame)))
    return rows


def test_ping_across_hosts_conversation_on_the_underlay():
    net, _ = build(dvs_static())
    net.command("vmA", "ping -c 1 192.168.100.12", at=1.0)
    net.run_until(3)
    assert underlay_rows(net) == [
        # hvA's stack resolves the remote tunnel endpoint once, like any next hop.
        (HV_A, "ff:ff:ff:ff:ff:ff", "-", "Who has 172.16.0.2? Tell 172.16.0.1"),
        (HV_B, HV_A, "-", "172.16.0.2 is at 02:00:00:16:00:02"),
        # vmA's broadcast ARP request, head-end replicated to hvB inside VXLAN.
        (HV_A, HV_B, "172.16.0.1>172.16.0.2", "Who has 192.168.100.12? Tell 192.168.100.11"),
        (HV_B, HV_A, "172.16.0.2>172.16.0.1", "192.168.100.12 is at 08:00:27:64:0b:11"),
        (HV_A, HV_B, "172.16.0.1>172.16.0.2", "Echo (ping) request id=0xf8cb, seq=1/256, ttl=64"),
        (HV_B, HV_A, "172.16.0.2>172.16.0.1", "Echo (ping) reply id=0xf8cb, seq=1/256, ttl=64"),
    ]
    assert [f for f in net.facts() if f["kind"] == "ping"][0]["received"] == 1


def test_outer_headers_follow_rfc7348():
    net, _ = build(dvs_static())
    net.command("vmA", "ping -c 1 192.168.100.12", at=1.0)
    net.run_until(3)
    frame = records(net, "hvA_underlay")[2]
    outer = frame.payload
    assert (outer.proto, outer.ttl, outer.flags) == (PROTO_UDP, 64, 0)
    udp = outer.payload
    assert udp.dport == 4789 and SPORT_MIN <= udp.sport <= SPORT_MAX
    wire = frame.emit()
    # Ethernet 14 + IPv4 20: the UDP checksum (bytes 40..41) is zero, RFC 7348 §5.
    assert wire[40:42] == b"\x00\x00"
    # The VXLAN header: I flag, 24 reserved bits, VNI 100, 8 reserved bits.
    assert wire[42:50] == bytes([0x08, 0, 0, 0, 0, 0, 100, 0])
    # The inner frame follows unchanged and unpadded: a 42-byte ARP request.
    inner = udp.payload.payload
    assert wire[50:] == inner.emit(pad=False) and len(wire[50:]) == 42
    assert inner.src == VM_A and inner.ethertype == ETH_ARP


@pytest.mark.parametrize("src, dst, expected", [
    (VM_A, VM_B, outer_source_port(Ethernet(VM_B, VM_A, 0x0800, b""))),
    (VM_B, VM_A, outer_source_port(Ethernet(VM_A, VM_B, 0x0800, b""))),
])
def test_source_port_is_a_stable_hash_of_the_inner_flow(src, dst, expected):
    port = outer_source_port(Ethernet(dst, src, 0x0800, b""))
    assert port == expected and SPORT_MIN <= port <= SPORT_MAX


def test_each_half_learns_remote_macs_on_its_vxlan_port():
    net, _ = build(dvs_static())
    net.command("vmA", "ping -c 1 192.168.100.12", at=1.0)
    net.run_until(3)
    rows = [(r["host"], r["mac"], r["port"], r.get("dev"), r.get("dst")) for r in net.nodes["dvs"].fdb_rows()]
    assert rows == [
        ("hvA", VM_A, 1, None, None),
        ("hvA", VM_B, 3, "vxlan100", "172.16.0.2"),
        ("hvB", VM_B, 2, None, None),
        ("hvB", VM_A, 4, "vxlan100", "172.16.0.1"),
    ]


def test_bridge_fdb_show_on_each_host():
    net, _ = build(dvs_static())
    net.command("vmA", "ping -c 1 192.168.100.12", at=1.0)
    net.command("hvA", "bridge fdb show", at=3.0)
    net.command("hvB", "bridge fdb", at=3.0)
    net.run_until(3)
    assert net.nodes["hvA"].console.output() == [
        f"{VM_A} dev p1 master dvs",
        f"{VM_B} dev vxlan100 master dvs",
        f"{VM_B} dev vxlan100 dst 172.16.0.2 self",
        "00:00:00:00:00:00 dev vxlan100 dst 172.16.0.2 self permanent",
    ]
    assert net.nodes["hvB"].console.output() == [
        f"{VM_B} dev p2 master dvs",
        f"{VM_A} dev vxlan100 master dvs",
        f"{VM_A} dev vxlan100 dst 172.16.0.1 self",
        "00:00:00:00:00:00 dev vxlan100 dst 172.16.0.1 self permanent",
    ]


def test_broadcast_is_replicated_to_every_other_member_and_unicast_goes_to_one():
    net, _ = build(dvs_static(members=3))
    net.command("vmA", "ping -c 1 192.168.100.12", at=1.0)
    net.run_until(3)
    vxlan = [(f.payload.dst, summary(f.payload.payload.payload.payload).split(" id=")[0])
             for f in records(net, "hvA_underlay")
             if isinstance(f.payload, IPv4) and f.payload.src == "172.16.0.1"]
    assert vxlan == [
        ("172.16.0.2", "Who has 192.168.100.12? Tell 192.168.100.11"),
        ("172.16.0.3", "Who has 192.168.100.12? Tell 192.168.100.11"),
        ("172.16.0.2", "Echo (ping) request"),
    ]
    # vmC saw the broadcast, never the unicast ping.
    assert [summary(f) for f in records(net, "vmC_eth0")] == ["Who has 192.168.100.12? Tell 192.168.100.11"]


def test_frames_inside_one_host_never_touch_the_underlay():
    doc = dvs_static()
    doc["nodes"].append({"id": "vmA2", "kind": "vm", "host": "hvA", "os": "linux",
                         "nics": [{"name": "eth0", "mac": "08:00:27:64:0a:12", "ip": "192.168.100.21/24"}]})
    doc["links"].append({"id": "l_vmA2", "a": {"node": "vmA2", "nic": "eth0"}, "b": {"node": "dvs"}})
    net, _ = build(doc)
    net.command("vmA", "ping -c 1 192.168.100.21", at=1.0)
    net.run_until(3)
    # Only the broadcast ARP request crosses (plus the underlay ARP it needs); the ping stays on hvA.
    assert [row[3] for row in underlay_rows(net)] == [
        "Who has 172.16.0.2? Tell 172.16.0.1", "172.16.0.2 is at 02:00:00:16:00:02",
        "Who has 192.168.100.21? Tell 192.168.100.11"]


def test_unknown_vni_is_dropped_with_a_reason():
    net, events = build(dvs_static())
    hv_b = net.nodes["hvB"]
    inner = Ethernet("ff:ff:ff:ff:ff:ff", VM_A, 0x0800, b"")
    packet = IPv4("172.16.0.1", "172.16.0.2", PROTO_UDP, Udp(40000, 4789, Vxlan(999, inner)))
    hv_b.stack.udp_sockets[4789](hv_b.stack, packet, packet.payload, hv_b.nics["underlay"])
    dropped = [e for e in events if e["kind"] == "packet.dropped"]
    assert [(e["node"], e["reason"], e["text"]) for e in dropped] == [
        ("hvB", "vxlan.unknown_vni", "hvB has no VXLAN network 999: it drops the tunnelled frame")]


def test_trace_sentences_of_the_tunnel():
    net, events = build(dvs_static())
    net.command("vmA", "ping -c 1 192.168.100.12", at=1.0)
    net.run_until(3)
    tunnel = [e for e in events if e["kind"].startswith("vxlan.")][:2]
    assert [(e["kind"], e["node"], e["host"], e["vni"], e["remote"], e["text"]) for e in tunnel] == [
        ("vxlan.encapsulated", "dvs", "hvA", 100, "172.16.0.2",
         "dvs on hvA wraps the frame in VXLAN (VNI 100) and sends it to hvB (172.16.0.2) over UDP 4789: "
         "a copy for every other host (head-end replication)"),
        ("vxlan.decapsulated", "dvs", "hvB", 100, "172.16.0.1",
         "dvs on hvB unwraps a VXLAN frame (VNI 100) from hvA (172.16.0.1) and hands it to its half of the switch"),
    ]
    learned = [e["text"] for e in events if e["kind"] == "switch.learned"]
    assert learned[:2] == [
        "dvs on hvA learns that 08:00:27:64:0a:11 (vmA) is behind port 1 (link to vmA)",
        "dvs on hvB learns that 08:00:27:64:0a:11 (vmA) is behind port 4 (link to the VXLAN tunnel (VNI 100))",
    ]


def test_a_vm_on_a_host_that_is_not_a_member_is_a_build_problem():
    doc = dvs_static()
    doc["nodes"].append({"id": "hvZ", "kind": "host", "os": "linux"})
    doc["nodes"].append({"id": "vmZ", "kind": "vm", "host": "hvZ", "os": "linux",
                         "nics": [{"name": "eth0", "mac": "08:00:27:64:0f:11", "ip": "192.168.100.31/24"}]})
    doc["links"].append({"id": "l_vmZ", "a": {"node": "vmZ", "nic": "eth0"}, "b": {"node": "dvs"}})
    with pytest.raises(DesignError) as err:
        build(doc)
    assert [(p.code, p.path, p.msg) for p in err.value.problems] == [
        ("build.switch", "nodes[2]", "distributed switch 'dvs': 'vmZ' is on 'hvZ', which is not one of its member hosts")]


def test_the_node_is_a_distributed_switch_in_tables():
    net, _ = build(dvs_static())
    net.run_until(0.5)
    node = net.nodes["dvs"]
    assert isinstance(node, DistributedSwitch)
    table = net.tables()["switches"]["dvs"]
    assert (table["kind"], table["vni"], table["halves"]["hvB"]["endpoint"]) == ("distributed_switch", 100, "172.16.0.2")
    assert [(p["port"], p["host"], p["link"]) for p in table["ports"]] == [
        (1, "hvA", "l_vmA"), (3, "hvA", "l_underlay"), (2, "hvB", "l_vmB"), (4, "hvB", "l_underlay")]


def test_replies_keep_their_timing():
    """A ping across the tunnel takes the VM links and the underlay link, both ways: 3 x 50 us each way."""
    net, _ = build(dvs_static())
    net.command("vmA", "ping -c 2 192.168.100.12", at=1.0)
    net.run_until(4)
    ping = [f for f in net.facts() if f["kind"] == "ping"][0]
    # The first also waits for vmA's ARP across the tunnel (300 us) and hvA's underlay ARP (100 us).
    assert ping["rtt"]["max_us"] == 300 + 300 + 100
    assert ping["rtt"]["min_us"] == 300


def test_inner_frame_is_the_vm_frame_byte_for_byte():
    net, _ = build(dvs_static())
    net.command("vmA", "ping -c 1 192.168.100.12", at=1.0)
    net.run_until(3)
    sent_by_vm = [f for f in records(net, "vmA_eth0") if f.src == VM_A and isinstance(f.payload, IPv4)][0]
    tunnelled = [f.payload.payload.payload.payload for f in records(net, "hvA_underlay")
                 if isinstance(f.payload, IPv4) and isinstance(f.payload.payload.payload, Vxlan)
                 and isinstance(f.payload.payload.payload.payload.payload, IPv4)
                 and isinstance(f.payload.payload.payload.payload.payload.payload, IcmpEcho)][0]
    assert tunnelled.emit(pad=False) == sent_by_vm.emit(pad=False)


def test_a_node_placed_on_no_host_is_a_build_problem():
    doc = dvs_static()
    doc["nodes"].append({"id": "pc", "kind": "outside_host",
                         "nics": [{"name": "eth0", "mac": "02:00:00:64:0f:01", "ip": "192.168.100.41/24"}]})
    doc["links"].append({"id": "l_pc", "a": {"node": "pc", "nic": "eth0"}, "b": {"node": "dvs"}})
    with pytest.raises(DesignError) as err:
        build(doc)
    assert [(p.code, p.path, p.msg) for p in err.value.problems] == [
        ("build.switch", "nodes[2]", "distributed switch 'dvs': 'pc' is placed on no host; give it the host "
         "(a member) whose half it plugs into")]
