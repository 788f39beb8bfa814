"""Small design documents shared by the design tests (imported by name: tests have no packages)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "internal-switch.json"


def example() -> dict:
    """The internal-switch example: hv (host), intnet (vswitch), vm1..vm3, links l1..l3."""
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def mutated(change) -> dict:
    """A copy of the example after ``change(doc)`` (which mutates in place)."""
    doc = copy.deepcopy(example())
    change(doc)
    return doc


def host(node_id: str = "hv", **fields) -> dict:
    return {"id": node_id, "kind": "host", "os": "linux", **fields}


def vm(node_id: str, ip: str | None = None, host_id: str = "hv", **fields) -> dict:
    nic = {"name": "eth0"} if ip is None else {"name": "eth0", "ip": ip}
    return {"id": node_id, "kind": "vm", "host": host_id, "nics": [nic], **fields}


def switch(node_id: str, kind: str = "vswitch") -> dict:
    return {"id": node_id, "kind": kind}


def link(link_id: str, a: str, b: str, a_nic: str | None = "eth0", b_nic: str | None = None) -> dict:
    end_a = {"node": a} if a_nic is None else {"node": a, "nic": a_nic}
    end_b = {"node": b} if b_nic is None else {"node": b, "nic": b_nic}
    return {"id": link_id, "a": end_a, "b": end_b}


def design(nodes: list[dict], links: list[dict] = ()) -> dict:
    return {"version": 1, "nodes": list(nodes), "links": list(links)}
