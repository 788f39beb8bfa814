"""`validate_change`: a changed design checked by what the change touched gives exactly what
`validate` gives, and looks at the touched items only (simcore/design/incremental.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from simcore.design import incremental, schema_dispatch
from simcore.design.validate import validate, validate_change

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.json"))
KINDS = ("host", "vm", "container", "vswitch", "lan_switch", "outside_host", "internet", "dhcp_server",
         "nat_network", "distributed_switch")


def _ids(doc: dict, coll: str) -> list[str]:
    return [item["id"] for item in doc.get(coll, []) if isinstance(item, dict) and "id" in item]


def _nic_names(doc: dict) -> list[str]:
    return sorted({nic["name"] for node in doc["nodes"] for nic in node.get("nics", ()) if "name" in nic}) + ["ethX"]


def _pick_id(rng: random.Random, doc: dict, coll: str = "nodes") -> str:
    ids = _ids(doc, coll)
    return rng.choice(ids + ["ghost"]) if ids else "ghost"


def changed(rng: random.Random, doc: dict) -> dict:
    """`doc` after one random change, made as co-editing makes it (merge_apply): new top-level
    dict and lists, the untouched items shared, the touched ones new objects. Often breaks it."""
    new = dict(doc)
    for coll in ("nodes", "links", "captures", "script"):
        if isinstance(doc.get(coll), list):
            new[coll] = list(doc[coll])
    nodes, links = new["nodes"], new.setdefault("links", [])
    what = rng.randrange(12)
    if what == 0 and nodes:  # remove a node (its links, placements and members may now name nothing)
        del nodes[rng.randrange(len(nodes))]
    elif what == 1 and links:
        del links[rng.randrange(len(links))]
    elif what in (2, 3, 4) and nodes:  # update one field of a node
        at = rng.randrange(len(nodes))
        node = dict(nodes[at])
        field = rng.choice(("host", "kind", "nics", "uplink", "bridged_to", "members", "position", "name"))
        if field == "host":
            node["host"] = _pick_id(rng, new)
        elif field == "kind":
            node["kind"] = rng.choice(KINDS)
        elif field == "nics" and node.get("nics"):
            nics = [dict(nic) for nic in node["nics"]]
            choice = rng.randrange(3)
            if choice == 0:
                nics[rng.randrange(len(nics))]["name"] = rng.choice(_nic_names(new))
            elif choice == 1:
                del nics[rng.randrange(len(nics))]
            else:
                nics.append(dict(rng.choice(nics)))
            node["nics"] = nics
        elif field in ("uplink", "bridged_to"):
            node[field] = rng.choice(_nic_names(new))
        elif field == "members" and node.get("members"):
            members = [dict(m) for m in node["members"]]
            member = rng.choice(members)
            if rng.random() < 0.5:
                member["host"] = _pick_id(rng, new)
            else:
                member["underlay"] = rng.choice(_nic_names(new))
            node["members"] = members
        elif field == "position":
            node["position"] = {"x": rng.randrange(1000), "y": rng.randrange(1000)}
        else:
            node["name"] = f"renamed {rng.randrange(99)}"
        nodes[at] = node
    elif what == 5 and nodes:  # a node added: a copy of another, its id taken or fresh
        node = json.loads(json.dumps(rng.choice(nodes)))
        if rng.random() < 0.7:
            node["id"] = f"{node['id']}-new{rng.randrange(9)}"
        nodes.insert(rng.randrange(len(nodes) + 1), node)
    elif what in (6, 7):  # a link added, or one end of a link moved
        def end() -> dict:
            node_id = _pick_id(rng, new)
            return {"node": node_id} if rng.random() < 0.3 else {"node": node_id, "nic": rng.choice(_nic_names(new))}
        if what == 6 or not links:
            link_id = rng.choice(_ids(new, "links") + [f"lnew{rng.randrange(9)}"])
            links.insert(rng.randrange(len(links) + 1), {"id": link_id, "a": end(), "b": end()})
        else:
            at = rng.randrange(len(links))
            links[at] = {**links[at], rng.choice("ab"): end()}
    elif what == 8:  # a capture or a script step that may name nothing
        if rng.random() < 0.5:
            capture = {"link": _pick_id(rng, new, "links")} if rng.random() < 0.5 else \
                {"node": _pick_id(rng, new), "nic": rng.choice(_nic_names(new))}
            new["captures"] = [*new.get("captures", []), capture]
        else:
            new["script"] = [*new.get("script", []), {"at": 1, "node": _pick_id(rng, new), "command": "ip addr"}]
    elif what == 9:
        new["name"] = rng.choice(("Renamed", "", 5))
    elif what == 10 and nodes:  # a whole node replaced by an equal copy (touched, unchanged)
        at = rng.randrange(len(nodes))
        nodes[at] = json.loads(json.dumps(nodes[at]))
    elif what == 11 and nodes:  # a schema error inside one node
        at = rng.randrange(len(nodes))
        nodes[at] = {**nodes[at], rng.choice(("bogus", "position")): "not this"}
    return new


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_change_checked_by_what_it_touched_finds_exactly_what_validate_finds(path):
    rng = random.Random(path.stem)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert validate(doc) == []
    clean_said = broken = 0
    for _ in range(150):
        new = changed(rng, doc)
        whole = validate(new)
        said_clean = incremental.change_is_clean(doc, new)
        assert not (said_clean and whole), (whole, new)  # never a problem let through
        assert validate_change(doc, new) == whole
        clean_said += said_clean
        broken += bool(whole)
        if not whole:
            doc = new  # go on from the changed design, as co-editing does
    assert broken >= 15, "the random changes should break the design often"
    assert clean_said >= 15, "clean changes should be recognised as clean without validating whole"


def test_moving_one_node_of_a_big_design_checks_that_node_only(monkeypatch):
    nodes = [{"id": "sw", "kind": "lan_switch"}] + [
        {"id": f"h{i}", "kind": "outside_host", "nics": [{"name": "eth0", "ip": f"10.0.{i // 250}.{i % 250 + 1}/8"}]}
        for i in range(1000)]
    links = [{"id": f"l{i}", "a": {"node": f"h{i}", "nic": "eth0"}, "b": {"node": "sw"}} for i in range(1000)]
    old = {"version": 1, "name": "big", "nodes": nodes, "links": links}
    assert validate(old) == []
    new = {**old, "nodes": list(nodes)}
    new["nodes"][500] = {**nodes[500], "position": {"x": 10, "y": 20}}
    looked_at = []
    real = schema_dispatch._item
    monkeypatch.setattr(schema_dispatch, "_item", lambda name, item: looked_at.append(item) or real(name, item))
    assert validate_change(old, new) == []
    assert looked_at == [new["nodes"][500]]


def test_a_broken_change_lists_every_problem_as_validate_does():
    doc = json.loads((EXAMPLES[0].parent / "internal-switch.json").read_text(encoding="utf-8"))
    new = {**doc, "nodes": [node for node in doc["nodes"] if node["id"] != "hv"]}
    problems = validate_change(doc, new)
    assert problems and problems == validate(new)
    assert {p.code for p in problems} == {"ref.unknown_node"}
