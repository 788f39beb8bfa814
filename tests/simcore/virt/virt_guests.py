"""A small design with a hypervisor, VMs of each image and an outside machine, built with their
guests attached; ``Talk`` types lines on a console and returns what each printed."""

from __future__ import annotations

import copy

from simcore.network import Network

DESIGN = {
    "version": 1,
    "name": "guests",
    "nodes": [
        {"id": "hv", "kind": "host", "name": "hv", "cpu_cores": 4, "ram_mb": 8192, "os": "linux",
         "nics": [{"name": "eth0", "ip": "192.0.2.10/24"}]},
        {"id": "vm1", "kind": "vm", "host": "hv", "guest_os": "Ubuntu 24.04", "ram_mb": 2048, "vcpus": 2,
         "nics": [{"name": "eth0", "mode": "nat"}]},
        {"id": "deb", "kind": "vm", "host": "hv", "guest_os": "Debian 12", "ram_mb": 1024, "vcpus": 1,
         "nics": [{"name": "eth0", "mode": "internal", "ip": "10.0.0.1/24"}]},
        {"id": "alp", "kind": "vm", "host": "hv", "guest_os": "Alpine 3.20", "ram_mb": 512, "vcpus": 1,
         "nics": [{"name": "eth0", "mode": "internal", "ip": "10.0.0.2/24"}]},
        {"id": "out", "kind": "outside_host", "nics": [{"name": "eth0", "ip": "192.0.2.20/24"}]},
        {"id": "net", "kind": "internet", "nics": []},
    ],
    "links": [{"id": "l1", "a": {"node": "hv", "nic": "eth0"}, "b": {"node": "out", "nic": "eth0"}}],
}


def design(**vm1: object) -> dict:
    """DESIGN with ``vm1``'s spec updated."""
    doc = copy.deepcopy(DESIGN)
    doc["nodes"][1].update(vm1)
    return doc


def build(doc: dict | None = None) -> tuple[Network, dict]:
    """The network and each machine's guest (the assembly attached them) by node id."""
    net = Network.from_design(doc or DESIGN)
    return net, {i: n.guest for i, n in net.nodes.items() if getattr(n, "guest", None) is not None}


class Talk:
    """Type on consoles of ``net`` and read what came back."""

    def __init__(self, net: Network):
        self.net = net

    def __call__(self, node_id: str, line: str) -> list[str]:
        console = self.net.nodes[node_id].console
        before = len(console.lines)
        console.run(line)
        return [text for _t, text in console.lines[before:]]

    def status(self, node_id: str) -> int:
        return self.net.nodes[node_id].console.facts[-1]["exit"]
