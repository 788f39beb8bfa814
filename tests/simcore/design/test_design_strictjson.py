"""strictjson.loads: what it refuses, with the exact words and place; what it accepts."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcore.design import strictjson
from simcore.design.strictjson import StrictJSONError

DEEP_33 = "[" * 33 + "]" * 33
DEEP_32 = "[" * 32 + "]" * 32

REFUSED = [
    ("nan", '{"x": NaN}', "line 1 column 7: NaN is not allowed in JSON", "x"),
    ("infinity", "[1, Infinity]", "line 1 column 5: Infinity is not allowed in JSON", "[1]"),
    (
        "minus-infinity",
        '{"a": {"b": -Infinity}}',
        "line 1 column 13: -Infinity is not allowed in JSON",
        "a.b",
    ),
    (
        "duplicate-key",
        '{\n  "nodes": [\n    {"id": "a",\n     "id": "b"}]}',
        "line 4 column 6: duplicate key 'id'",
        "nodes[0].id",
    ),
    ("depth-33", DEEP_33, "line 1 column 33: nested deeper than 32 levels", "[0]" * 32),
    ("depth-100000", "[" * 100_000, "line 1 column 33: nested deeper than 32 levels", "[0]" * 32),
    (
        "int-2-53-plus-1",
        json.dumps({"n": 2**53 + 1}),
        "line 1 column 7: integer out of range (beyond ±2^53): 9007199254740993",
        "n",
    ),
    (
        "negative-int-beyond",
        "[-9007199254740993]",
        "line 1 column 2: integer out of range (beyond ±2^53): -9007199254740993",
        "[0]",
    ),
    (
        "int-5000-digits",
        "[" + "9" * 5000 + "]",
        "line 1 column 2: integer out of range (beyond ±2^53): 999999999999999999999999999999…",
        "[0]",
    ),
    ("float-overflow", "[1e400]", "line 1 column 2: number out of range: 1e400", "[0]"),
    ("lone-surrogate", '{"name": "\\ud800"}', "line 1 column 10: lone surrogate \\ud800 in a string", "name"),
    ("lone-low-surrogate-key", '{"\\udc00": 1}', "line 1 column 2: lone surrogate \\udc00 in a string", ""),
    ("nul-escape", '["ok", "a\\u0000b"]', "line 1 column 8: NUL character (\\u0000) in a string", "[1]"),
    ("trailing-garbage", '{"version": 1} x', "line 1 column 16: unexpected data after the JSON value", ""),
    ("two-documents", "{} {}", "line 1 column 4: unexpected data after the JSON value", ""),
    ("empty", "", "line 1 column 1: unexpected end of input, expected a value", ""),
    ("only-blanks", " \n ", "line 2 column 2: unexpected end of input, expected a value", ""),
    ("trailing-comma", "[1, 2,]", "line 1 column 7: expected a value", "[2]"),
    ("single-quotes", "{'a': 1}", "line 1 column 2: expected a property name in double quotes", ""),
    ("missing-colon", '{"a" 1}', "line 1 column 6: expected ':' after a property name", "a"),
    ("missing-comma", '{"a": 1 "b": 2}', "line 1 column 9: expected ',' or '}'", "a"),
    ("unclosed-array", "[1, 2", "line 1 column 6: expected ',' or ']'", "[1]"),
    ("unterminated-string", '["abc', "line 1 column 2: unterminated string", "[0]"),
    (
        "raw-tab-in-string",
        '["a\tb"]',
        "line 1 column 4: control character in a string (write it as an escape such as \\n)",
        "[0]",
    ),
    ("bad-escape", '["\\q"]', "line 1 column 3: invalid escape in a string", "[0]"),
    ("comment", "{} // note", "line 1 column 4: unexpected data after the JSON value", ""),
    ("hex-number", "[0x10]", "line 1 column 3: expected ',' or ']'", "[0]"),
    ("leading-zero", "[01]", "line 1 column 3: expected ',' or ']'", "[0]"),
    ("python-true", "[True]", "line 1 column 2: expected a value", "[0]"),
]


@pytest.mark.parametrize(("text", "msg", "path"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_loads_refuses_with_place_and_words(text, msg, path):
    with pytest.raises(StrictJSONError) as caught:
        strictjson.loads(text)
    assert (caught.value.msg, caught.value.path) == (msg, path)
    assert str(caught.value) == msg


def test_error_knows_line_and_column():
    with pytest.raises(StrictJSONError) as caught:
        strictjson.loads('{\n  "a": 1,\n    "a": 2}')
    assert (caught.value.line, caught.value.column) == (3, 5)


@pytest.mark.parametrize(
    ("data", "msg"),
    [
        (b'{"a": "\xff"}', "not UTF-8: byte 0xff at offset 7"),
        (b'"\xed\xa0\x80"', "not UTF-8: byte 0xed at offset 1"),  # a surrogate encoded as UTF-8 (CESU)
        ('{"a": 1}'.encode("utf-16"), "not UTF-8: byte 0xff at offset 0"),
    ],
    ids=["invalid-byte", "encoded-surrogate", "utf-16"],
)
def test_bytes_must_be_utf8(data, msg):
    with pytest.raises(StrictJSONError) as caught:
        strictjson.loads(data)
    assert caught.value.msg == msg


ACCEPTED = [
    ("depth-32", DEEP_32, json.loads(DEEP_32)),
    ("int-2-53", str(2**53), 2**53),
    ("negative-int-2-53", str(-(2**53)), -(2**53)),
    ("big-float", "[1.5e300]", [1.5e300]),
    ("surrogate-pair", '"\\ud83d\\ude00"', "\U0001f600"),
    ("bom-is-ignored", '\ufeff{"a": 1}', {"a": 1}),  # RFC 8259 §8.1 allows ignoring it
    ("same-key-in-two-objects", '[{"a": 1}, {"a": 2}]', [{"a": 1}, {"a": 2}]),
    ("escaped-slash-and-unicode", '["\\/", "\\u00e9"]', ["/", "é"]),
    ("literals", "[true, false, null]", [True, False, None]),
    ("scalar-top-level", "42", 42),
]


@pytest.mark.parametrize(("text", "value"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_loads_accepts(text, value):
    assert strictjson.loads(text) == value


def test_bytes_with_bom_are_accepted():
    assert strictjson.loads('\ufeff{"a": "é"}'.encode()) == {"a": "é"}


def test_loads_refuses_other_types():
    with pytest.raises(TypeError, match="takes str or bytes, not dict"):
        strictjson.loads({})


# -- the size bound: what a door may skip serialising ---------------------------------------------


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))  # what loads takes
_SCALARS = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
            | st.floats(allow_nan=False, allow_infinity=False) | _TEXT)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner,
                                                                                            max_size=4),
                       max_leaves=20)
_FLOAT_TOKENS = st.sampled_from(["1e5", "1e15", "0.0", "-0.0", "5e-324", "1E+300", "0e0", "123.456e-7", "1e22"])


@settings(max_examples=300, deadline=None)
@given(value=_VALUES, indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans())
def test_a_text_plus_24_bytes_per_float_bounds_its_compact_serialisation(value, indent, ascii_only):
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    parsed, floats = strictjson.loads_counting_floats(text)
    again = json.dumps(parsed, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(again) <= len(text.encode()) + 24 * floats


@settings(max_examples=200, deadline=None)
@given(tokens=st.lists(_FLOAT_TOKENS, min_size=1, max_size=30))
def test_short_float_tokens_that_grow_when_written_again_stay_under_the_bound(tokens):
    text = "[" + ",".join(tokens) + "]"
    parsed, floats = strictjson.loads_counting_floats(text)
    assert floats == len(tokens)
    assert len(json.dumps(parsed, separators=(",", ":")).encode()) <= len(text) + 24 * floats


def test_numbers_the_decoder_takes_are_still_refused_after_the_walk():
    for text, words in (('{"a": [1, 9007199254740993]}', "integer out of range"),
                        ('{"a": 1e999}', "number out of range"),
                        ("[" + "9" * 5000 + "]", "integer out of range")):
        with pytest.raises(StrictJSONError, match=words):
            strictjson.loads(text)


@pytest.mark.parametrize("text", [
    '{"a": 1, "b": 9007199254740993, "c": 3}',  # integers only: the min/max path
    '[-9007199254740993, 1, 2]',
    '{"a": "x", "b": true, "c": null, "d": [2, -9007199254740993]}',  # strings and a nested list of ints
    '{"a": "x", "b": 1, "c": 9007199254740993}',  # mixed kinds: the loop
])
def test_out_of_range_integers_are_refused_in_containers_of_every_mix_of_kinds(text):
    with pytest.raises(StrictJSONError, match="integer out of range"):
        strictjson.loads(text)


@pytest.mark.parametrize("text", ['["a", "\\u0000"]', '{"k\\ud800": 1}', '["é", "\\udc00"]'])
def test_nul_and_lone_surrogates_are_refused_in_ascii_and_other_texts(text):
    with pytest.raises(StrictJSONError):
        strictjson.loads(text)
    with pytest.raises(StrictJSONError):
        strictjson.loads(text.encode())


def test_raw_lone_surrogates_in_a_given_str_are_refused():
    with pytest.raises(StrictJSONError):
        strictjson.loads('["a\ud800"]')


# orjson's fast path: it must accept and refuse exactly what the standard decoder does.

def _outcome(parse, text):
    try:
        value, floats = parse(text)
    except StrictJSONError as exc:
        return ("refused", exc.msg, exc.path)
    return ("accepted", repr(value), floats)  # repr tells 1 from 1.0 and keeps key order


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2}',
    '{"a" : 1 , "a" : 2}',
    '{"a:b": "c", "a:b": "d"}',
    '{"k": {"x:y": "1:2"}, "k": 2}',
    '{"mac": "52:54:00:12:34:56", "mac": "52:54:00:12:34:57"}',
    '{"\\u003a": 1, "\\u003a": 2}',
    '{"k": "\\u003A", "k": 1}',
    '[{"n": "a:b:c"}, {"n": 1, "n": 1}]',
])
def test_duplicates_that_orjson_would_keep_quietly_are_refused(text):
    with pytest.raises(StrictJSONError, match="duplicate key"):
        strictjson.loads(text)


@pytest.mark.parametrize("text", ["18446744073709551616", "[-9223372036854775809]", '{"n": 123456789012345678901234}',
                                  "9007199254740993", "[9223372036854775807]"])
def test_integers_beyond_53_bits_are_refused_even_where_orjson_reads_them_as_floats(text):
    with pytest.raises(StrictJSONError, match="2\\^53"):
        strictjson.loads(text)


def test_large_float_literals_are_still_floats():
    assert strictjson.loads_counting_floats("[1e19, -1.5e300, 1e-400]") == ([1e19, -1.5e300, 0.0], 3)


def test_a_valid_design_with_colons_everywhere_takes_the_fast_path(monkeypatch):
    """Colons in MACs, times and keys do not send a design the slow way: the proof counts them."""
    def slow(_text):
        raise AssertionError("took the standard decoder")

    monkeypatch.setattr(strictjson, "_loads_standard", slow)
    doc = {"nodes": [{"id": f"vm{i}", "mac": f"52:54:00:00:00:{i:02x}", "note": "a: b", "k:y": [1, 2.5, None]}
                     for i in range(50)], "ipv6": "fe80::1", "big": 1e19 / 1e10}
    assert strictjson.loads(json.dumps(doc, indent=2)) == doc


_PIECES = st.sampled_from([
    '"a"', '"a"', '"b"', '"a:b"', '":"', '"\\u003a"', '"\\"a:"', '"\\\\"', '"\\u0000"', '"\\ud800"',
    '"é:"', "0", "-0", "1", "1.5", "-0.0", "1e19", "1e999", "9007199254740993", "18446744073709551616",
    "true", "null", "NaN",
])


@st.composite
def _json_texts(draw, depth=0):
    """Texts near JSON's edges: repeated and colon-bearing keys, spaced separators, escapes,
    numbers at the decoders' limits, now and then a broken token."""
    kind = draw(st.integers(0, 3)) if depth < 4 else 0
    if kind == 0:
        return draw(_PIECES)
    if kind == 1:
        items = draw(st.lists(_json_texts(depth + 1), max_size=4))
        return "[" + draw(st.sampled_from([",", ", ", " ,\n"])).join(items) + "]"
    keys = draw(st.lists(st.sampled_from(['"a"', '"b"', '"a:b"', '":"', '"\\u003a"', '"c\\"d:"']), max_size=4))
    sep = draw(st.sampled_from([":", " : ", ":\n", ": "]))
    body = ", ".join(k + sep + draw(_json_texts(depth + 1)) for k in keys)
    return "{" + body + draw(st.sampled_from(["", "", ",", "}"])) + "}"


@settings(max_examples=600, deadline=None)
@given(_json_texts())
def test_the_fast_path_decides_exactly_as_the_standard_decoder(text):
    assert _outcome(strictjson.loads_counting_floats, text) == _outcome(strictjson._loads_standard, text)
