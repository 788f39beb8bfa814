"""Design documents for the bridged-mode and distributed-switch tests (helpers, not tests)."""

import copy
import json
from pathlib import Path

from simcore.network import Network

ROOT = Path(__file__).resolve().parents[3]
S = 1_000_000_000
MS = 1_000_000


def load_example(name: str) -> dict:
    return json.loads((ROOT / "examples" / name).read_text())


def host(node_id: str, nic: str, mac: str, ip: str) -> dict:
    return {"id": node_id, "kind": "host", "os": "linux", "nics": [{"name": nic, "mac": mac, "ip": ip}]}


def vm(node_id: str, on: str, mac: str, ip: str) -> dict:
    return {"id": node_id, "kind": "vm", "host": on, "os": "linux", "nics": [{"name": "eth0", "mac": mac, "ip": ip}]}


def link(link_id: str, a: str, a_nic: str | None, b: str, b_nic: str | None = None) -> dict:
    return {"id": link_id, "a": {"node": a, **({"nic": a_nic} if a_nic else {})},
            "b": {"node": b, **({"nic": b_nic} if b_nic else {})}}


def bridged_static() -> dict:
    """examples/bridged.json with static addresses and no DHCP: vm is 198.51.100.99."""
    return {
        "version": 1,
        "nodes": [
            {"id": "lan", "kind": "lan_switch"},
            {"id": "host2", "kind": "outside_host",
             "nics": [{"name": "eth0", "mac": "02:00:00:51:00:20", "ip": "198.51.100.20/24"}]},
            host("hv", "enp1s0", "02:00:00:51:00:0a", "198.51.100.10/24"),
            {"id": "br", "kind": "vswitch", "host": "hv", "bridged_to": "enp1s0"},
            vm("vm", "hv", "08:00:27:51:00:99", "198.51.100.99/24"),
        ],
        "links": [link("l_host2", "host2", "eth0", "lan"), link("l_hv", "hv", "enp1s0", "lan"),
                  link("l_vm", "vm", "eth0", "br")],
        "captures": [{"node": "vm", "nic": "eth0"}, {"node": "hv", "nic": "enp1s0"}, {"node": "host2", "nic": "eth0"}],
    }


def dvs_static(members: int = 2) -> dict:
    """hvA, hvB (, hvC) with underlay 172.16.0.N/24; a distributed switch dvs (VNI 100); one VM per
    host: vmA 192.168.100.11 (08:00:27:64:0a:11), vmB .12 (08:00:27:64:0b:11), vmC .13.
    Two members: a direct underlay link; three: an underlay LAN switch ``ul``."""
    letters = "ABC"[:members]
    nodes, links = [], []
    for i, x in enumerate(letters, start=1):
        nodes.append(host(f"hv{x}", "underlay", f"02:00:00:16:00:0{i}", f"172.16.0.{i}/24"))
    nodes.append({"id": "dvs", "kind": "distributed_switch", "vni": 100,
                  "members": [{"host": f"hv{x}", "underlay": "underlay"} for x in letters]})
    for i, x in enumerate(letters, start=1):
        nodes.append(vm(f"vm{x}", f"hv{x}", f"08:00:27:64:0{x.lower()}:11", f"192.168.100.1{i}/24"))
    if members == 2:
        links.append(link("l_underlay", "hvA", "underlay", "hvB", "underlay"))
    else:
        nodes.append({"id": "ul", "kind": "lan_switch"})
        links.extend(link(f"l_ul{x}", f"hv{x}", "underlay", "ul") for x in letters)
    links.extend(link(f"l_vm{x}", f"vm{x}", "eth0", "dvs") for x in letters)
    captures = [{"node": "hvA", "nic": "underlay"}] + [{"node": f"vm{x}", "nic": "eth0"} for x in letters]
    return {"version": 1, "nodes": nodes, "links": links, "captures": captures}


def build(doc: dict, seed: int = 0, **kw) -> tuple[Network, list]:
    events: list = []
    net = Network.from_design(copy.deepcopy(doc), seed=seed, trace=events, **kw)
    return net, events


def records(net: Network, capture: str) -> list:
    """The frames a capture point saw, in order (values, not bytes)."""
    return [frame for _t, frame in net.captures[capture].records]
