"""capture_all: the live run captures every drawn NIC and link, not only the document's `captures`,
and a checkpoint (fork) keeps its own copy of what was captured so far."""

import json
from pathlib import Path

from simcore.network import Network

ROOT = Path(__file__).resolve().parents[3]
NAT = json.loads((ROOT / "examples" / "nat-dhcp.json").read_text())


def test_every_nic_and_link_gets_a_capture_point_in_design_order():
    net = Network.from_design(NAT, capture_all=True)
    declared = {f"{c['node']}_{c['nic']}" if "node" in c else c["link"] for c in NAT["captures"]}
    nics = [f"{n['id']}_{nic['name']}" for n in NAT["nodes"] for nic in n.get("nics", [])]
    links = [link["id"] for link in NAT["links"]]
    assert declared <= set(net.captures)
    assert set(nics) | set(links) <= set(net.captures)
    plain = Network.from_design(NAT)
    assert set(plain.captures) == declared


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
