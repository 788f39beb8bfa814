"""Malformed documents through the update door (PUT /api/designs/{id}) and the import door
(POST /api/designs/import): a fixed nasty corpus plus more than 1,000 hypothesis-generated
documents. Every answer is a 4xx with `{code, msg, problems}` (0 server errors) and the saved
design is byte-identical afterwards (export bytes, version, revisions).

The same test runs on SQLite and, when DATABASE_URL points to it, on PostgreSQL, which rejects
`\\u0000`, NaN and lone surrogates that SQLite would store.
"""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from webhelpers import example_document

from designer.actions import export_design
from designer.models import Design, Revision

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(600)]

MiB = 1024 * 1024


@pytest.fixture
def generous_limits(settings):
    settings.DESIGNER_RATE_LIMITS = {**settings.DESIGNER_RATE_LIMITS, "write": (10**6, 60), "import": (10**6, 90),
                                   "validate_anon": (10**6, 60)}


def snapshot(design_id):
    design = Design.objects.get(pk=design_id)
    return export_design(design), design.version, design.name, Revision.objects.filter(design_id=design_id).count(), \
        Design.objects.count()


def put_raw(client, design_id, body: bytes):
    return client.put(f"/api/designs/{design_id}", data=body, content_type="application/json")


def import_raw(client, raw: bytes):
    return client.post("/api/designs/import", data={"file": SimpleUploadedFile("fuzz.json", raw)})


def assert_refused(answer):
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.content[:300])
    body = answer.json()
    assert isinstance(body["code"], str) and isinstance(body["msg"], str) and isinstance(body["problems"], list)


def update_body(document_text: str) -> bytes:
    return ('{"base_version": 1, "document": ' + document_text + "}").encode("utf-8", "surrogatepass")


def owner_client(world):
    # One signed-in client per world: hypothesis runs hundreds of examples on the same world.
    if not hasattr(world, "_owner_client"):
        world._owner_client = world.client("owner")
    return world._owner_client


def through_both_doors(world, document_text: str) -> None:
    client = owner_client(world)
    assert_refused(put_raw(client, world.design.pk, update_body(document_text)))
    assert_refused(import_raw(client, document_text.encode("utf-8", "surrogatepass")))


# ---------------------------------------------------------------- the fixed nasty corpus

VALID = json.dumps(example_document())


def with_field(key: str, raw_value: str) -> str:
    """The example document with one extra top-level member written as raw JSON text."""
    return VALID[:-1] + f', "{key}": {raw_value}' + "}"


NASTY = {
    "depth 33": with_field("deep", "[" * 33 + "]" * 33),
    "depth 100000": "[" * 100_000 + "]" * 100_000,
    "unclosed depth": "{" + '"a":{' * 5000,
    "2^53 + 1": with_field("n", str(2**53 + 1)),
    "-2^53 - 1": VALID.replace('"ram_mb": 16384', '"ram_mb": -9007199254740993'),
    "5000 digits": with_field("n", "9" * 5000),
    "1e400": VALID.replace('"ram_mb": 16384', '"ram_mb": 1e400'),
    "NaN": with_field("n", "NaN"),
    "Infinity": with_field("n", "Infinity"),
    "-Infinity": VALID.replace('"ram_mb": 16384', '"ram_mb": -Infinity'),
    "NUL in value": VALID.replace('"Internal switch"', '"Internal\\u0000switch"'),
    "NUL in key": with_field("a\\u0000b", "1"),
    "raw NUL byte": VALID.replace('"Internal switch"', '"Internal\x00switch"'),
    "lone high surrogate": VALID.replace('"Internal switch"', '"\\ud800"'),
    "lone low surrogate in key": with_field("\\udfff", "1"),
    "raw lone surrogate": VALID.replace('"Internal switch"', '"\ud800"'),
    "duplicate key": with_field("name", '"again"'),
    "duplicate nested key": VALID.replace('"id": "hv"', '"id": "hv", "id": "hv2"'),
    "10 MiB string": with_field("big", '"' + "x" * (10 * MiB) + '"'),
    "9 MiB description": VALID.replace('"description": "', '"description": "' + "y" * (9 * MiB)),
    "empty": "",
    "a number": "1",
    "trailing garbage": VALID + " x",
    "single quotes": "{'version': 1, 'nodes': []}",
    "comment": "// c\n" + VALID,
    "10,001 nodes": json.dumps({"version": 1, "nodes": [{"id": f"n{i}", "kind": "lan_switch"} for i in range(10_001)]}),
    "wrong types": VALID.replace('"ram_mb": 16384', '"ram_mb": "lots"'),
    "no nodes": '{"version": 1}',
    "version 2": VALID.replace('"version": 1', '"version": 2'),
}


@pytest.mark.parametrize("case", sorted(NASTY))
def test_nasty_corpus(world, generous_limits, case):
    before = snapshot(world.design.pk)
    through_both_doors(world, NASTY[case])
    assert snapshot(world.design.pk) == before


def test_over_the_body_limit_is_413(world):
    before = snapshot(world.design.pk)
    answer = put_raw(world.client("owner"), world.design.pk, update_body('"' + "x" * (11 * MiB) + '"'))
    assert answer.status_code == 413
    assert answer.json()["code"] == "request.too_large"
    assert snapshot(world.design.pk) == before


@pytest.mark.parametrize("raw", [b"\xff\xfe{}", b'{"base_version": 1, "name": "\xc3"}', b"\x00"])
def test_bytes_that_are_not_utf8(world, raw):
    before = snapshot(world.design.pk)
    assert_refused(put_raw(world.client("owner"), world.design.pk, raw))
    assert_refused(import_raw(world.client("owner"), raw))
    assert snapshot(world.design.pk) == before


# ---------------------------------------------------------------- generated documents

json_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def is_valid(document) -> bool:
    from simcore.design import validate

    try:
        text = json.dumps(document, allow_nan=False)
        json.loads(text)
    except ValueError:
        return False
    return not any(p.severity == "error" for p in validate(document))


def dump(value) -> str:
    return json.dumps(value, allow_nan=True, ensure_ascii=False)


@st.composite
def mutated_examples(draw):
    """The example with one place replaced by an arbitrary JSON value."""
    doc = copy.deepcopy(example_document())
    section = draw(st.sampled_from(["nodes", "links", "captures", "script", "top"]))
    value = draw(json_values)
    if section == "top":
        doc[draw(st.sampled_from(["version", "name", "description", "nodes", "links", "extra"]))] = value
    else:
        items = doc[section]
        item = items[draw(st.integers(0, len(items) - 1))]
        keys = sorted(item) + ["extra"]
        item[draw(st.sampled_from(keys))] = value
    return doc


@st.composite
def corrupted_texts(draw):
    """The example's JSON text with a span replaced by arbitrary characters."""
    text = VALID
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start, min(len(text), start + 20)))
    junk = draw(st.text(max_size=10))
    return text[:start] + junk + text[end:]


SETTINGS = dict(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much])


@settings(max_examples=400, **SETTINGS)
@given(document=json_values)
def test_generated_json_values(world, generous_limits, document):
    assume(document is not None)  # `"document": null` means "no change" at the update door
    assume(not is_valid(document))
    before = snapshot(world.design.pk)
    through_both_doors(world, dump(document))
    assert snapshot(world.design.pk) == before


@settings(max_examples=400, **SETTINGS)
@given(document=mutated_examples())
def test_generated_mutations_of_the_example(world, generous_limits, document):
    assume(not is_valid(document))
    before = snapshot(world.design.pk)
    through_both_doors(world, dump(document))
    assert snapshot(world.design.pk) == before


@settings(max_examples=250, **SETTINGS)
@given(text=corrupted_texts())
def test_generated_corrupted_texts(world, generous_limits, text):
    try:
        assume(not is_valid(json.loads(text)))
    except ValueError:
        pass  # not even JSON: malformed by construction
    before = snapshot(world.design.pk)
    through_both_doors(world, text)
    assert snapshot(world.design.pk) == before
