"""Properties over random consistent designs: valid, checks never raise, every path and id is real."""

from __future__ import annotations

import copy
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from simcore.design import KINDS, check, normalized, validate

IPS = [
    None,
    "dhcp",
    "10.0.0.1/24",
    "10.0.0.2/24",
    "10.0.0.1/24",
    "10.0.1.1/24",
    "10.0.0.0/24",
    "10.0.0.255/24",
]
MACS = [None, None, "08:00:27:00:00:01", "08:00:27:00:00:01", "02:00:00:00:00:02"]
VIAS = ["10.0.0.254", "10.0.1.254", "192.168.1.1"]
_STEP = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def resolve(doc: object, path: str) -> object:
    """Follow ``nodes[3].nics[0].mac`` into ``doc``; KeyError/IndexError if it is not there."""
    at, pos = doc, 0
    while pos < len(path):
        step = _STEP.match(path, pos)
        assert step, f"unparsable path {path!r} at {pos}"
        name, index, quoted = step.groups()
        at = at[int(index)] if index is not None else at[name if name is not None else json.loads(quoted)]
        pos = step.end()
    return at


@st.composite
def designs(draw):
    nodes, free_nics, switches = [], [], []
    hosts = [f"h{i}" for i in range(draw(st.integers(1, 2)))]
    for host_id in hosts:
        host = {"id": host_id, "kind": "host", "os": draw(st.sampled_from(["linux", "windows"]))}
        for field, values in (
            ("ram_mb", st.integers(512, 4096)),
            ("cpu_cores", st.integers(1, 4)),
            ("virtualization_extensions", st.booleans()),
        ):
            if draw(st.booleans()):
                host[field] = draw(values)
        nodes.append(host)
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["vswitch", "lan_switch"]))
        nodes.append({"id": f"s{i}", "kind": kind, **({"host": hosts[0]} if kind == "vswitch" else {})})
        switches.append(f"s{i}")
    for i in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["vm", "container", "outside_host", "internet"]))
        node = {"id": f"n{i}", "kind": kind, "name": draw(st.sampled_from([f"n{i}", f"Node {i}"]))}
        if KINDS[kind].placement_required:
            node["host"] = draw(st.sampled_from(hosts))
        if kind in ("vm", "container"):
            node["os"] = draw(st.sampled_from(["linux", "windows"]))
        if kind == "vm":
            node.update(ram_mb=draw(st.integers(256, 4096)), vcpus=draw(st.integers(1, 4)))
        nics = []
        for j in range(draw(st.integers(0, 2))):
            nic = {"name": f"eth{j}"}
            for field, pool in (("ip", IPS), ("mac", MACS)):
                value = draw(st.sampled_from(pool))
                if value is not None:
                    nic[field] = value
            nics.append(nic)
            free_nics.append((node["id"], nic["name"]))
        node["nics"] = nics
        node["routes"] = [
            {"to": "default", "via": v} for v in draw(st.lists(st.sampled_from(VIAS), max_size=1))
        ]
        nodes.append(node)
    ends = [{"node": n, "nic": nic} for n, nic in draw(st.permutations(free_nics))]
    ends += [{"node": s} for s in draw(st.lists(st.sampled_from(switches), max_size=6))] if switches else []
    ends = draw(st.permutations(ends))
    links = []
    for a, b in zip(ends[::2], ends[1::2], strict=False):
        if a.get("nic") is None and a == b:
            continue  # a switch to itself is a ref error, not a design to check
        links.append({"id": f"l{len(links)}", "a": a, "b": b})
    return {"version": 1, "nodes": nodes, "links": links}


@settings(max_examples=150, deadline=None)
@given(designs())
def test_checks_on_random_valid_designs(doc):
    assert validate(doc) == []
    before = copy.deepcopy(doc)
    problems = check(doc)
    assert doc == before  # check never changes its input
    ids = {n["id"] for n in doc["nodes"]} | {link["id"] for link in doc["links"]}
    for problem in problems:
        resolve(doc, problem.path)
        assert set(problem.objects) <= ids and problem.objects
        assert problem.code.startswith("check.") and problem.msg.endswith(".") and "{" not in problem.msg
    assert check(doc) == problems
    assert validate(normalized(doc)) == []


@settings(max_examples=150, deadline=None)
@given(designs(), st.data())
def test_validation_paths_point_into_the_document(doc, data):
    # Break one reference or field at random; every problem's path must still resolve.
    node = data.draw(st.sampled_from(doc["nodes"]))
    node[data.draw(st.sampled_from(["host", "kind", "nicz", "name"]))] = data.draw(
        st.sampled_from(["x", "", 5, "hv"])
    )
    for problem in validate(doc):
        resolve(doc, problem.path)
