"""capture_all: the live run captures every drawn NIC and link, not only the document's `captures`,
and a checkpoint (fork) keeps its own copy of what was captured so far."""

import json
from pathlib import Path

from simcore.network import Network

ROOT = Path(__file__).resolve().parents[3]
NAT = json.loads((ROOT / "examples" / "nat-dhcp.json").read_text())


def test_every_nic_gets_a_capture_point_and_links_only_between_switches():
    net = Network.from_design(NAT, capture_all=True)
    declared = {f"{c['node']}_{c['nic']}" if "node" in c else c["link"] for c in NAT["captures"]}
    nics = {f"{n['id']}_{nic['name']}" for n in NAT["nodes"] for nic in n.get("nics", [])}
    assert set(net.captures) == declared | nics
    plain = Network.from_design(NAT)
    assert set(plain.captures) == declared

    lan = {"version": 1, "name": "two switches", "nodes": [
        {"id": "a", "kind": "host", "nics": [{"name": "eth0", "ip": "10.9.0.1/24"}]},
        {"id": "b", "kind": "host", "nics": [{"name": "eth0", "ip": "10.9.0.2/24"}]},
        {"id": "s1", "kind": "lan_switch"}, {"id": "s2", "kind": "lan_switch"}],
        "links": [{"id": "la", "a": {"node": "a", "nic": "eth0"}, "b": {"node": "s1"}},
                  {"id": "trunk", "a": {"node": "s1"}, "b": {"node": "s2"}},
                  {"id": "lb", "a": {"node": "b", "nic": "eth0"}, "b": {"node": "s2"}}]}
    net = Network.from_design(lan, capture_all=True)
    assert list(net.captures) == ["a_eth0", "b_eth0", "trunk"]
    net.command("a", "ping -c 1 10.9.0.2")
    net.run_until(2)
    assert len(net.captures["trunk"].records) == len(net.captures["a_eth0"].records) == 4


def test_an_extra_capture_holds_the_same_frames_as_a_declared_one():
    doc = json.loads(json.dumps(NAT))
    vm_point = next(c for c in doc["captures"] if c.get("node") == "vm")
    everything = Network.from_design(doc, capture_all=True)
    doc["captures"] = [c for c in doc["captures"] if c is not vm_point]
    undeclared = Network.from_design(doc, capture_all=True)
    for net in (everything, undeclared):
        net.run_until(20)
    name = f"vm_{vm_point['nic']}"
    assert undeclared.captures[name].pcap_bytes() == everything.captures[name].pcap_bytes()
    assert len(undeclared.captures[name].records) > 5


def test_a_fork_keeps_what_was_captured_and_goes_on_alone():
    net = Network.from_design(NAT, capture_all=True)
    net.run_until(5)
    before = {name: len(cap.records) for name, cap in net.captures.items()}
    twin = net.fork()
    net.run_until(20)
    assert {name: len(cap.records) for name, cap in twin.captures.items()} == before
    twin.run_until(20)
    assert {n: c.pcap_bytes() for n, c in twin.captures.items()} == {n: c.pcap_bytes() for n, c in net.captures.items()}
