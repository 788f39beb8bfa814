"""Each VirtualBox mode module on its own: a context built by hand, one ``attach`` per NIC."""

import pytest
from assembly_designs import HV_IP, build, context, hv, vm

from simcore.assembly.vbox import bridged, hostonly, internal, nat, natnetwork
from simcore.assembly.vbox.attach import announce_attached, attach_nic
from simcore.assembly.vbox.common import ModeNic, host_uplink
from simcore.devices import HostNode, Switch
from simcore.devices.bridge import LocalPort, Uplink


def at(i: int, spec: dict) -> ModeNic:
    return ModeNic(i, 0, spec, spec["nics"][0])


def test_internal_mode_plugs_the_nics_of_one_network_into_one_hidden_switch():
    ctx = context()
    vm1, vm2, vm3 = vm("vm1", 1, "internal"), vm("vm2", 2, "internal"), vm("vm3", 3, "internal", network="lab")
    build(ctx, hv(), vm1, vm2, vm3)
    for i, spec in enumerate((vm1, vm2, vm3), start=1):
        internal.attach(ctx, at(i, spec))
    intnet, lab = ctx.vbox.switches[("internal", "hv", "intnet")], ctx.vbox.switches[("internal", "hv", "lab")]
    assert (intnet.id, intnet.name, lab.id) == ("internal-hv-intnet", "internal network intnet", "internal-hv-lab")
    assert [ctx.links[f"internal-{v}-eth0"].b.node for v in ("vm1", "vm2", "vm3")] == [intnet, intnet, lab]
    assert [p.number for p in intnet.ports] == [1, 2]
    assert "hv" not in {p.peer.node.id for p in intnet.ports}  # the host takes no part
    assert [a.text for a in ctx.vbox.attached][0] == (
        "vm1's NIC eth0 is attached to VirtualBox internal network 'intnet': only VMs of hv on 'intnet' see it; "
        "hv itself has no address there")


def test_nat_mode_wires_the_nic_straight_to_its_own_engine():
    ctx = context()
    vm1 = vm("vm1", 1, "nat", ip="dhcp")
    build(ctx, hv(), vm1)
    nat.attach(ctx, at(1, vm1))
    engine = ctx.vbox.engines["vboxnat-vm1-eth0"]
    router = ctx.nodes["vboxnat-vm1-eth0"]
    assert isinstance(router, HostNode) and (router.name, router.kind) == ("vm1's NAT engine", "nat_network")
    link = ctx.links[engine.link.id]
    assert {link.a, link.b} == {ctx.nodes["vm1"].nics["eth0"], router.nics["eth0"]}  # no switch between
    assert router.nics["eth0"].mac == nat.NAT_GATEWAY_MAC and engine.gateway_ip == "10.0.2.2"
    assert engine.nat.public_ip == HV_IP and router.stack.dhcp_servers == {"eth0": engine.dhcp}
    assert not any(isinstance(n, Switch) for n in ctx.nodes.values())


def test_bridged_mode_bridges_the_hosts_nic_once_and_the_vms_come_after():
    ctx = context()
    vm1, vm2 = vm("vm1", 1, "bridged", ip="198.51.100.101/24"), vm("vm2", 2, "bridged", ip="198.51.100.102/24")
    build(ctx, hv(), vm1, vm2)
    bridged.attach(ctx, at(1, vm1))
    bridged.attach(ctx, at(2, vm2))
    switch = ctx.vbox.switches[("bridged", "hv")]
    assert list(ctx.bridges) == ["bridged-hv"] and ctx.bridges["bridged-hv"].switch is switch
    assert [type(p) for p in switch.ports[:2]] == [Uplink, LocalPort]
    assert [p.peer.node.id for p in switch.ports[2:]] == ["vm1", "vm2"]


def test_hostonly_mode_gives_the_host_its_adapter_and_virtualboxs_dhcp_server():
    ctx = context()
    vm1, vm2 = vm("vm1", 1, "hostonly", ip="dhcp"), vm("vm2", 2, "hostonly", ip="dhcp", network="vboxnet2")
    build(ctx, hv(), vm1, vm2)
    hostonly.attach(ctx, at(1, vm1))
    hostonly.attach(ctx, at(2, vm2))
    host = ctx.nodes["hv"]
    assert (host.stack.primary_ip("vboxnet0"), host.stack.primary_ip("vboxnet2")) == ("192.168.56.1", "192.168.58.1")
    assert ctx.vbox.host_nics[("hv", "vboxnet0")] is host.nics["vboxnet0"]
    server = ctx.nodes["vboxdhcp-hv-vboxnet2"]
    assert (server.kind, server.stack.primary_ip("eth0")) == ("dhcp_server", "192.168.58.100")


def test_natnetwork_mode_shares_one_nat_service_and_adds_port_forwards_once_all_are_attached():
    ctx = context()
    web = {"name": "web", "proto": "tcp", "host_port": 8080, "guest_port": 80}
    vm1 = vm("vm1", 1, "natnetwork", ip="10.0.2.50/24", port_forwards=[web])
    vm2 = vm("vm2", 2, "natnetwork", ip="dhcp")
    build(ctx, hv(), vm1, vm2)
    natnetwork.attach(ctx, at(1, vm1))
    natnetwork.attach(ctx, at(2, vm2))
    service = ctx.vbox.natnets[("hv", "NatNetwork")]
    assert list(ctx.vbox.engines) == ["vboxnatnet-hv-NatNetwork"]
    assert service.nat.forwards.rows() == []  # pending until every NIC is attached
    natnetwork.add_pending_forwards(ctx)
    assert [(r["name"], r["guest_ip"]) for r in service.nat.forwards.rows()] == [("web", "10.0.2.50")]
    assert ctx.problems == []


@pytest.mark.parametrize("mode, why", [
    ("bridged", ""),
    ("nat", " (the NAT engine's traffic leaves from it)"),
    ("natnetwork", " (the NAT service's traffic leaves from it)"),
])
def test_the_host_needs_a_nic_with_a_static_address_one_rule_for_three_modes(mode, why):
    ctx = context()
    vm1 = vm("vm1", 1, mode, ip="dhcp")
    build(ctx, hv("dhcp"), vm1)
    attach_nic(ctx, at(1, vm1), set())
    assert [(p.code, p.path, p.msg) for p in ctx.problems] == [
        ("build.switch", "nodes[1].nics[0]",
         f"vm1 eth0 is in {mode} mode: its host needs a NIC with a static address{why}")]
    assert list(ctx.nodes) == ["hv", "vm1"]  # nothing half-built


def test_the_hosts_uplink_is_its_first_nic_with_a_static_address():
    ctx = context()
    vm1 = vm("vm1", 1, "nat")
    build(ctx, hv("dhcp", {"name": "eth1", "mac": "02:00:00:51:00:0b", "ip": "203.0.113.5/24"}), vm1)
    uplink = host_uplink(ctx, at(1, vm1))
    assert (uplink.host, uplink.nic, uplink.ip) == (ctx.nodes["hv"], "eth1", "203.0.113.5")


def test_a_mode_nic_with_a_drawn_link_is_refused_before_its_mode_is_asked():
    ctx = context()
    vm1 = vm("vm1", 1, "internal")
    build(ctx, hv(), vm1)
    attach_nic(ctx, at(1, vm1), {("vm1", "eth0")})
    assert [p.msg for p in ctx.problems] == ["vm1 eth0 is in internal mode, which attaches it: remove the drawn link"]
    assert ctx.vbox.switches == {}


def test_the_attachments_are_announced_in_one_engine_event_traced_or_not():
    trace = []
    ctx = context(trace)
    vm1 = vm("vm1", 1, "internal")
    build(ctx, hv(), vm1)
    internal.attach(ctx, at(1, vm1))
    announce_attached(ctx, 0)
    assert ctx.vbox.attached == []
    ctx.engine.run_until(0)
    assert [(e["kind"], e["node"], e["mode"]) for e in trace] == [("vbox.attached", "vm1", "internal")]
