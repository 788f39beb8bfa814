"""The build context: ids taken twice, NICs and their names, capture points (by hand and through
``Network.from_design``, where a clash used to be a silent overwrite or a traceback)."""

import sys
from pathlib import Path

import pytest
from assembly_designs import build, context, hv

from simcore.design import DesignError
from simcore.devices import HostNode
from simcore.network import Network

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "presets"))
from vbox_designs import design  # noqa: E402


def problems(doc):
    with pytest.raises(DesignError) as info:
        Network.from_design(doc, seed=0, trace=[])
    return [(p.code, p.path, p.msg) for p in info.value.problems]


def test_context_refuses_a_node_id_taken_twice_naming_both():
    ctx = context()
    first = ctx.new_host("pc", "pc", kind="host")
    with pytest.raises(ValueError, match=r"node id 'pc' is taken twice: by pc \(a host\) and by "
                                         r"office switch \(a lan_switch\); rename one of them"):
        ctx.new_switch("pc", "office switch", kind="lan_switch")
    assert ctx.nodes == {"pc": first}


def test_context_refuses_a_link_id_taken_twice_naming_both_links():
    ctx = context()
    a, b = ctx.new_host("a", "a", kind="host"), ctx.new_host("b", "b", kind="host")
    sw = ctx.new_switch("sw", "sw")
    ctx.connect("l1", ctx.add_nic(a, "eth0", "02:00:00:00:00:01", None), sw.add_port())
    with pytest.raises(ValueError, match="link id 'l1' is taken twice: by the link from a's NIC eth0 to sw "
                                         "and by the one from b's NIC eth0 to sw"):
        ctx.connect("l1", ctx.add_nic(b, "eth0", "02:00:00:00:00:02", None), sw.add_port())
    assert list(ctx.links) == ["l1"]


def test_a_nic_is_named_for_sentences_and_one_with_a_refused_address_is_still_there():
    ctx = context()
    build(ctx, hv())
    host = ctx.nodes["hv"]
    assert isinstance(host, HostNode)
    with pytest.raises(ValueError, match="address 198.51.100.10 is already on enp1s0"):
        ctx.add_nic(host, "eth1", "02:00:00:00:00:99", "198.51.100.10/24")
    assert "eth1" in host.nics and host.stack.local_ips["198.51.100.10"] == "enp1s0"
    assert ctx.names.of_mac("02:00:00:00:00:99") == "hv"
    assert ctx.names.of_ip("198.51.100.10") == "hv"


def test_a_capture_point_asked_twice_is_one_capture():
    ctx = context()
    build(ctx, hv())
    assert ctx.capture_nic("hv", "enp1s0") is ctx.capture_nic("hv", "enp1s0")
    assert len(ctx.nodes["hv"].nics["enp1s0"].taps) == 1


def test_a_drawn_node_with_the_id_of_a_hidden_device_is_a_build_problem():
    doc = design("nat", {"ip": "dhcp"}, {"ip": "dhcp"})
    doc["nodes"].append({"id": "vboxnat-vm2-eth0", "kind": "host", "os": "linux",
                         "nics": [{"name": "eth0", "ip": "10.1.1.1/24"}]})
    assert problems(doc) == [(
        "build.switch", "nodes[4].nics[0]",
        "node id 'vboxnat-vm2-eth0' is taken twice: by vboxnat-vm2-eth0 (a host) and by vm2's NAT engine "
        "(a nat_network); rename one of them")]


def test_a_drawn_link_with_the_id_of_a_hidden_link_is_a_build_problem():
    doc = design("internal", {"ip": "10.9.0.11/24"}, {"ip": "10.9.0.12/24"})
    doc["nodes"].append({"id": "pc", "kind": "host", "os": "linux",
                         "nics": [{"name": "eth0", "ip": "198.51.100.77/24"}]})
    doc["links"].append({"id": "internal-vm2-eth0", "a": {"node": "pc", "nic": "eth0"}, "b": {"node": "lan"}})
    assert problems(doc) == [(
        "build.switch", "nodes[4].nics[0]",
        "link id 'internal-vm2-eth0' is taken twice: by the link from pc's NIC eth0 to lan and by the one "
        "from vm2's NIC eth0 to internal-hv-intnet")]


def test_two_capture_points_writing_one_file_are_a_build_problem():
    doc = design("internal", {"ip": "10.9.0.11/24"}, {"ip": "10.9.0.12/24"})
    doc["links"][0]["id"] = "hv_enp1s0"
    doc["captures"] = [{"link": "hv_enp1s0"}, {"node": "hv", "nic": "enp1s0"}]
    assert problems(doc) == [(
        "build.capture", "captures[1]",
        "two capture points would write hv_enp1s0.pcap: the link hv_enp1s0 and hv's NIC enp1s0")]


def test_a_host_only_adapter_whose_address_the_host_has_is_a_build_problem():
    doc = design("hostonly", {"ip": "dhcp"}, {"ip": "dhcp"})
    doc["nodes"][2]["nics"].append({"name": "eth1", "ip": "192.168.56.1/24"})
    assert problems(doc) == [(
        "build.switch", "nodes[3].nics[0]",
        "hv cannot have VirtualBox's host-only adapter vboxnet0 (192.168.56.1/24): "
        "hv: address 192.168.56.1 is already on eth1")]
