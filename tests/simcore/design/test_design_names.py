"""Names refuse control and text-direction characters, naming the character and its place, in the
schema (node names, port-forwarding rules, the document's name) as at the API's doors."""

import copy
import json
from pathlib import Path

import pytest

from simcore.design import validate
from simcore.design.names import FORBIDDEN, name_problem

EXAMPLE = json.loads((Path(__file__).resolve().parents[3] / "examples" / "internal-switch.json").read_text())
BAD = ["\u202e", "\u202a", "\u202d", "\u2066", "\u2069", "\u200e", "\u200f", "\x00", "\x1b", "\t", "\n", "\x7f",
       "\x85", "\x9b"]


@pytest.mark.parametrize("char", BAD)
def test_every_forbidden_character_is_named_with_its_position(char):
    msg = name_problem(f"web{char}01")
    assert msg is not None
    assert f"U+{ord(char):04X}" in msg and "position 4" in msg


def test_ordinary_names_pass():
    for name in ("vm1", "Salle 2 — réseau", "نقطة", "名前", "a b", "emoji 🙂", "\u200d"):
        assert name_problem(name) is None, name
    assert name_problem("evil\u202etxt.exe") == (
        "has U+202E (RIGHT-TO-LEFT OVERRIDE) at position 5: names cannot hold control or text-direction characters")
    assert "U+001B (ESCAPE)" in name_problem("x\x1b[2J")


def test_the_schema_pattern_and_the_module_agree():
    schema = (Path(__file__).resolve().parents[3] / "simcore" / "design" / "schema.json").read_text()
    assert schema.count(FORBIDDEN.pattern.strip("[]").replace("\\", "\\\\")) >= 4


@pytest.mark.parametrize("where", ["node", "document", "nat_rule"])
def test_validate_names_the_character_in_a_design(where):
    doc = copy.deepcopy(EXAMPLE)
    if where == "node":
        doc["nodes"][1]["name"] = "pc\u202e1"
        path = "nodes[1].name"
    elif where == "document":
        doc["name"] = "lab\x1b[31m"
        path = "name"
    else:
        doc["nodes"].append({"id": "natnet1", "kind": "nat_network", "name": "nat",
                             "port_forwards": [{"name": "web\u2066", "proto": "tcp", "host_port": 8080,
                                                "guest_ip": "10.0.2.15", "guest_port": 80}]})
        path = f"nodes[{len(doc['nodes']) - 1}].port_forwards[0].name"
    problems = [p for p in validate(doc) if p.code == "schema.control_character"]
    assert [p.path for p in problems] == [path], validate(doc)
    assert "position" in problems[0].msg and "U+" in problems[0].msg
