"""Small design documents for the engine tests (helpers, not tests)."""

import copy
import json
from pathlib import Path

from simcore.network import Network

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "internal-switch.json"
MS = 1_000_000
S = 1_000_000_000


def example() -> dict:
    return json.loads(EXAMPLE.read_text())


def pc(node_id: str, *nics: tuple, routes=(), ip_forward=False, kind="outside_host") -> dict:
    """A node with NICs given as (name, mac, ip)."""
    node = {"id": node_id, "kind": kind,
            "nics": [{"name": n, "mac": m, **({"ip": ip} if ip else {})} for n, m, ip in nics]}
    if routes:
        node["routes"] = [dict(r) for r in routes]
    if ip_forward:
        node["ip_forward"] = True
    return node


def link(link_id: str, a: str, b: str, a_nic: str | None = "eth0", b_nic: str | None = None, **extra) -> dict:
    end_a = {"node": a, **({"nic": a_nic} if a_nic else {})}
    end_b = {"node": b, **({"nic": b_nic} if b_nic else {})}
    return {"id": link_id, "a": end_a, "b": end_b, **extra}


def lan(n_hosts: int = 3, aging_s=None) -> dict:
    """pc1..pcN on one LAN switch sw, 10.0.0.N/24, MACs 02:00:00:00:00:0N."""
    nodes = [{"id": "sw", "kind": "lan_switch", **({"aging_s": aging_s} if aging_s else {})}]
    links = []
    for i in range(1, n_hosts + 1):
        nodes.append(pc(f"pc{i}", ("eth0", f"02:00:00:00:00:0{i}", f"10.0.0.{i}/24")))
        links.append(link(f"l{i}", f"pc{i}", "sw"))
    return {"version": 1, "nodes": nodes, "links": links}


def routed() -> dict:
    """pcA (10.0.1.10) -- r1 (10.0.1.1 | 10.0.2.1, ip_forward) -- pcB (10.0.2.20), direct links."""
    return {
        "version": 1,
        "nodes": [
            pc("pcA", ("eth0", "02:00:00:00:01:10", "10.0.1.10/24"), routes=[{"to": "default", "via": "10.0.1.1"}]),
            pc("r1", ("eth0", "02:00:00:00:01:01", "10.0.1.1/24"), ("eth1", "02:00:00:00:02:01", "10.0.2.1/24"),
               ip_forward=True),
            pc("pcB", ("eth0", "02:00:00:00:02:20", "10.0.2.20/24"), routes=[{"to": "default", "via": "10.0.2.1"}]),
        ],
        "links": [link("la", "pcA", "r1", "eth0", "eth0"), link("lb", "r1", "pcB", "eth1", "eth0")],
    }


def build(doc: dict, seed: int = 0, **kw) -> tuple[Network, list]:
    events: list = []
    net = Network.from_design(copy.deepcopy(doc), seed=seed, trace=events, **kw)
    return net, events


def out(net: Network, node: str) -> list[str]:
    return net.nodes[node].console.output()


def kinds(events, *wanted) -> list[dict]:
    return [e for e in events if e["kind"] in wanted]
