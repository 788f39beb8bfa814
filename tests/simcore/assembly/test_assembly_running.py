"""Adding to a running network: the calls that build the document at t = 0 work later too.

Nothing in the product does this yet (a container launched during a run, a cloned VM); these
tests pin down that the build context allows it: the new node's links are traced, its ports
come after the existing ones, and a fork copies it like everything else.
"""

import sys
from pathlib import Path

from assembly_designs import vm

from simcore.assembly import links, nodes
from simcore.assembly.vbox.attach import announce_attached, attach_nic
from simcore.assembly.vbox.common import ModeNic
from simcore.network import Network

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "presets"))
from vbox_designs import LANHOST, design  # noqa: E402


def pings(net, node):
    return [f["received"] for f in net.facts() if f["kind"] == "ping" and f["node"] == node]


def test_a_vm_added_during_a_run_joins_its_internal_network():
    trace = []
    net = Network.from_design(design("internal", {"ip": "10.9.0.11/24"}, {"ip": "10.9.0.12/24"}), trace=trace)
    net.run_until(1.0)
    ctx, i = net.assembly, len(net.doc["nodes"])
    spec = vm("vm3", 3, "internal", ip="10.9.0.13/24")
    nodes.add_node(ctx, i, spec)
    attach_nic(ctx, ModeNic(i, 0, spec, spec["nics"][0]), set())
    announce_attached(ctx, net.now_ns)
    ctx.raise_problems()
    net.command("vm3", "ping -c 2 10.9.0.11", at=1.5)
    twin = net.fork(trace=[])
    for n in (net, twin):
        n.run_until(5.0)
    assert pings(net, "vm3") == [2] and twin.facts() == net.facts()
    switch = net.nodes["internal-hv-intnet"]
    assert [p.peer.node.id for p in switch.ports] == ["vm1", "vm2", "vm3"]
    attached = [e for e in trace if e["kind"] == "vbox.attached" and e["node"] == "vm3"]
    assert [e["t"] for e in attached] == [1_000_000_000]
    assert any(e["kind"] == "frame.sent" and e["link"] == "internal-vm3-eth0" for e in trace)


def test_a_host_cabled_to_a_lan_switch_during_a_run_gets_the_next_port():
    net = Network.from_design(design("internal", {"ip": "10.9.0.11/24"}, {"ip": "10.9.0.12/24"}))
    net.run_until(1.0)
    ctx = net.assembly
    spec = {"id": "pc", "kind": "host", "name": "pc", "ip_forward": False, "routes": [], "services": [],
            "nics": [{"name": "eth0", "mac": "02:00:00:51:00:77", "ip": "198.51.100.77/24"}]}
    nodes.add_node(ctx, len(net.doc["nodes"]), spec)
    links.add_link(ctx, len(net.doc["links"]), {"id": "l_pc", "a": {"node": "pc", "nic": "eth0"},
                                                "b": {"node": "lan"}, "delay_us": 50})
    ctx.raise_problems()
    net.command("pc", f"ping -c 1 {LANHOST}", at=1.5)
    net.run_until(4.0)
    assert pings(net, "pc") == [1]
    assert [p.number for p in net.nodes["lan"].ports if p.peer.node.id == "pc"] == [3]
