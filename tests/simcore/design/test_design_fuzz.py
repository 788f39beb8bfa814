"""Property tests: validate() and check() never raise, on valid documents and on any JSON value."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import hypothesis_jsonschema._from_schema as hjs_from_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import from_schema

from simcore.design import KINDS, check, load_schema, strictjson, validate
from simcore.design.schema_dispatch import schema_problems
from simcore.design.schema_errors import reference_schema_problems


class _LegacyMany:
    """The ``many(...).more()`` protocol hypothesis-jsonschema 0.23.1 calls.

    hypothesis 6.170 (locked) replaced it with a context manager, so object generation in
    hypothesis-jsonschema fails with "'many' object has no attribute 'more'". This restores
    the old protocol for it alone (hypothesis's own strategies keep the new one).
    """

    def __init__(self, data, min_size, max_size, average_size):
        self.data, self.min_size, self.max_size = data, min_size, max_size
        self.p_continue = conjecture_utils._calc_p_continue(average_size - min_size, max_size - min_size)
        self.count = self.rejections = 0
        self.force_stop = False

    def more(self) -> bool:
        if self.min_size == self.max_size:
            going = self.count < self.min_size
        else:
            forced = None
            if self.force_stop or self.count >= self.max_size:
                forced = False
            elif self.count < self.min_size:
                forced = True
            going = self.data.draw_boolean(self.p_continue, forced=forced)
        self.count += going
        return going

    def reject(self) -> None:
        self.count -= 1
        self.rejections += 1
        if self.rejections > max(3, 2 * self.count):
            if self.count < self.min_size:
                self.data.mark_invalid()
            self.force_stop = True


if not hasattr(conjecture_utils.many, "more"):
    hjs_from_schema.cu = SimpleNamespace(many=_LegacyMany)


def ecma_anchors(node):
    """Patterns with ECMA's `$` (end of text only): hypothesis, like Python, would add a final "\\n"."""
    if isinstance(node, dict):
        return {
            key: value[:-1] + r"\Z" if key == "pattern" and value.endswith("$") else ecma_anchors(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [ecma_anchors(value) for value in node]
    return node


def bounded_defs() -> dict:
    """The schema's `$defs` with small per-node lists, so examples stay small and generation fast."""
    defs = ecma_anchors(load_schema())["$defs"]
    for kind in KINDS:
        for name in ("nics", "routes", "services"):
            defs[f"kind_{kind}"]["properties"].get(name, {}).update(maxItems=2)
    defs["service_http"]["properties"]["body"]["maxLength"] = 20
    return defs


DEFS = bounded_defs()


def kind_schema(kind: str) -> dict:
    """One kind's node schema on its own: the `if kind == X then` of the full schema, resolved.

    hypothesis-jsonschema on the whole document (seven if/then branches per node) needed minutes
    for a few examples; per kind, then assembled, 100 examples take seconds.
    """
    node = copy.deepcopy(DEFS[f"kind_{kind}"])
    for name in ("id", "name", "position", "notes"):
        node["properties"][name] = DEFS["node"]["properties"][name]
    node["properties"]["kind"] = {"const": kind}
    node["required"] = ["id", "kind", *node.get("required", [])]
    return {"$defs": DEFS, **node}


def items(name: str, most: int):
    return st.lists(from_schema({"$defs": DEFS, "$ref": f"#/$defs/{name}"}), max_size=most)


VALID_DOCS = st.fixed_dictionaries(
    {
        "version": st.just(1),
        "nodes": st.lists(st.one_of([from_schema(kind_schema(k)) for k in KINDS]), max_size=4),
    },
    optional={
        "links": items("link", 3),
        "captures": items("capture", 2),
        "script": items("step", 2),
        "name": from_schema({**load_schema()["properties"]["name"], "maxLength": 5}),  # its pattern too
    },
)

# Strict JSON refuses NUL and lone surrogates, so the round trip draws text without them.
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=10)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(
    [
        "version",
        "nodes",
        "links",
        "captures",
        "script",
        "id",
        "kind",
        "nics",
        "name",
        "host",
        "a",
        "b",
        "node",
        "nic",
        "mac",
        "ip",
        "routes",
        "via",
        "link",
        "at",
    ]
)
DESIGNISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 70000)
    | st.sampled_from(["vm", "host", "vswitch", "eth0", "vm1", "zz", "dhcp"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=30,
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(VALID_DOCS)
def test_schema_valid_documents_never_raise(doc):
    problems = validate(doc)
    assert reference_schema_problems(doc) == []
    assert not [p for p in problems if p.code.startswith("schema.")]
    if not problems:
        check(doc)  # a fully valid document: the checks must not raise either


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES | DESIGNISH)
def test_any_json_value_gives_problems_never_raises(value):
    problems = validate(value)
    fast, whole = (
        sorted((p.code, p.path, p.msg) for _e, p in way(value))
        for way in (schema_problems, reference_schema_problems)
    )
    assert fast == whole
    if not isinstance(value, dict):
        assert [p.code for p in problems] == ["schema.type"]
    for problem in problems:
        json.dumps(problem.to_dict())


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_strict_loads_round_trips_what_json_dumps_writes(value):
    assert strictjson.loads(json.dumps(value)) == value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]",:0123456789.eE-+ tnrufalsNIiy\\\n', max_size=30))
def test_strict_loads_raises_only_strict_json_error(text):
    try:
        strictjson.loads(text)
    except strictjson.StrictJSONError as exc:
        assert exc.msg.startswith("line ")
