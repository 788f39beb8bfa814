"""validate_capped: the first problems of validate(doc), the same ones in the same order, and an
exact count of the others, without writing a sentence for each of a flood of problems."""

import copy
import json
from pathlib import Path

import pytest

from simcore.design import validate
from simcore.design.problems import MAX_PROBLEMS, cap, more_sentence
from simcore.design.validate import validate_capped

EXAMPLE = json.loads((Path(__file__).resolve().parents[3] / "examples" / "internal-switch.json").read_text())


def flood_top(n):
    doc = copy.deepcopy(EXAMPLE)
    for i in range(n):
        doc[f"zz{i:05d}"] = i
    return doc


def flood_nodes(n_nodes, per_node):
    doc = copy.deepcopy(EXAMPLE)
    base = doc["nodes"][0]
    for i in range(n_nodes):
        node = {**base, "id": f"x{i}", **{f"bad{j}": j for j in range(per_node)}}
        doc["nodes"].append(node)
    return doc


def mixed():
    doc = flood_nodes(30, 3)
    doc["version"] = "one"
    doc["links"].append({"id": "l-bad", "a": {"node": "nowhere"}, "extra": 1})
    doc["nodes"][0]["nics"] = [{"name": "9bad", "mac": "zz"}] * 3
    for i in range(40):
        doc[f"top{i}"] = i
    return doc


@pytest.mark.parametrize("make", [lambda: flood_top(700), lambda: flood_nodes(80, 9), mixed,
                                  lambda: copy.deepcopy(EXAMPLE)])
@pytest.mark.parametrize("limit", [1, 3, 10, MAX_PROBLEMS])
def test_capped_is_the_head_of_the_full_list_and_counts_the_rest(make, limit):
    doc = make()
    full = validate(doc)
    first, more = validate_capped(doc, limit)
    assert first == full[:limit]
    assert more == max(0, len(full) - limit)


def test_a_flood_of_unknown_fields_keeps_its_hints_on_the_shown_ones():
    doc = flood_top(1000)
    doc["nodez"] = []
    first, more = validate_capped(doc, 5)
    assert [p.path for p in first] == ["nodez", "zz00000", "zz00001", "zz00002", "zz00003"]
    assert "did you mean 'nodes'?" in first[0].msg
    assert more == 996


def test_cap_bounds_count_fields_and_bytes():
    problems = [{"code": "x", "path": "p" * 100_000, "msg": "m" * 100_000, "objects": ["o" * 500] * 500}] * 80
    shown, more = cap(problems)
    assert len(shown) + more == 80 and len(shown) <= MAX_PROBLEMS
    assert len(json.dumps(shown)) < 48 * 1024 + 1024
    assert shown[0]["path"].endswith("…") and len(shown[0]["objects"]) == 20
    # Non-ASCII doubles or triples as JSON escapes: the byte budget still holds.
    shown, more = cap([{"code": "x", "path": "\U0001f600" * 300, "msg": "é" * 300}] * 80)
    assert len(json.dumps(shown)) <= 48 * 1024 and len(shown) + more == 80


def test_more_sentence():
    assert more_sentence(499_950) == "… and 499,950 more problems"
    assert more_sentence(1) == "… and 1 more problem"
