"""schema.json: well formed, closed, documented, and in step with the KINDS registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from design_samples import REPO
from jsonschema import Draft202012Validator

from simcore.design import KINDS, SCHEMA_PATH, load_schema, validate
from simcore.design.schema_errors import def_validator

FIXTURES = json.loads((Path(__file__).with_name("format_fixtures.json")).read_text(encoding="utf-8"))
SCHEMA = load_schema()


def walk(schema, where="#"):
    """Every subschema with its JSON pointer."""
    if isinstance(schema, dict):
        yield where, schema
        for key, value in schema.items():
            if key in ("enum", "const", "required", "default"):
                continue
            if isinstance(value, dict):
                yield from walk(value, f"{where}/{key}")
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    yield from walk(item, f"{where}/{key}/{i}")


def test_schema_is_valid_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_schema_path_is_the_shipped_file():
    assert SCHEMA_PATH == REPO / "simcore" / "design" / "schema.json"
    assert load_schema() is not load_schema()  # callers get their own copy to embed or change


def test_kind_enum_matches_registry_in_order():
    assert SCHEMA["$defs"]["node"]["properties"]["kind"]["enum"] == list(KINDS)


def test_one_def_per_kind_with_the_registry_title_and_description():
    kind_defs = {
        name.removeprefix("kind_"): d for name, d in SCHEMA["$defs"].items() if name.startswith("kind_")
    }
    assert list(kind_defs) == list(KINDS)
    assert [(d["title"], d["description"]) for d in kind_defs.values()] == [
        (k.label, k.description) for k in KINDS.values()
    ]


def test_each_kind_is_selected_by_an_if_then():
    rules = SCHEMA["$defs"]["node"]["allOf"]
    assert [(r["if"]["properties"]["kind"]["const"], r["then"]["$ref"]) for r in rules] == [
        (kind, f"#/$defs/kind_{kind}") for kind in KINDS
    ]


@pytest.mark.parametrize("kind", list(KINDS))
def test_kind_defs_follow_the_registry(kind):
    props = SCHEMA["$defs"][f"kind_{kind}"]["properties"]
    spec = KINDS[kind]
    assert ("nics" in props) == spec.has_nics
    assert ("host" in props) == bool(spec.placed_on)
    assert ("host" in SCHEMA["$defs"][f"kind_{kind}"].get("required", [])) == spec.placement_required


def test_every_object_is_closed():
    open_objects = [
        where
        for where, sub in walk(SCHEMA)
        if sub.get("type") == "object" and sub.get("additionalProperties") is not False
    ]
    # A node is closed by its kind's def and a service by its service kind's def (each lists the
    # common fields as `true`).
    assert open_objects == ["#/$defs/service", "#/$defs/node"]


def test_every_property_has_a_title_and_description():
    missing = []
    for where, sub in walk(SCHEMA):
        for name, prop in sub.get("properties", {}).items():
            if prop is True or "/if" in where or "/else" in where or "/dependentSchemas" in where:
                continue  # declared, documented and checked at the node level or in the parent
            target = prop
            if "$ref" in prop and "title" not in prop:
                target = SCHEMA["$defs"][prop["$ref"].removeprefix("#/$defs/")]
            if not target.get("title") or not target.get("description"):
                missing.append(f"{where}/properties/{name}")
    assert missing == []


def test_limits():
    props = SCHEMA["properties"]
    assert (props["nodes"]["maxItems"], props["links"]["maxItems"]) == (10_000, 20_000)


def test_only_standard_formats_ajv_formats_knows():
    formats = sorted({sub["format"] for _where, sub in walk(SCHEMA) if "format" in sub})
    assert formats == ["ipv4"]


def test_patterns_avoid_unicode_wide_classes():
    # \d and \w match other scripts' digits in Python but not in ECMA-262: spell classes out.
    patterns = [sub["pattern"] for _where, sub in walk(SCHEMA) if "pattern" in sub]
    assert patterns and not [p for p in patterns if "\\d" in p or "\\w" in p]


FORMAT_CASES = [
    (name, value, verdict)
    for name, table in FIXTURES.items()
    if name != "description"
    for verdict in ("valid", "invalid")
    for value in table[verdict]
]


@pytest.mark.parametrize(
    ("name", "value", "verdict"), FORMAT_CASES, ids=[f"{c[0]}-{c[2]}-{c[1]!r}" for c in FORMAT_CASES]
)
def test_format_fixtures(name, value, verdict):
    assert def_validator(name).is_valid(value) == (verdict == "valid")


EXAMPLES = sorted((REPO / "examples").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_validates(path):
    assert validate(json.loads(path.read_text(encoding="utf-8"))) == []


def test_there_are_examples():
    assert EXAMPLES
