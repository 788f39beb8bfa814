"""The JSON Schema side of validation: jsonschema's errors turned into sentences a user reads.

jsonschema's own messages are written for schema authors ("'zz' does not match '^[0-9A-Fa-f]...'");
here each keyword that fails becomes a stable code (``schema.format``, ``schema.required`` ...)
and one short sentence. Per-kind rules are ``if kind == X then $ref`` in the schema, so a wrong
field yields one error at its own path instead of a ``oneOf`` failure listing every kind.
"""

from __future__ import annotations

import difflib
import functools
import heapq
import itertools
import json
import re
from collections.abc import Collection, Iterator
from pathlib import Path

from jsonschema import Draft202012Validator, ValidationError, validators

from simcore.design.names import FORBIDDEN_CLASS, name_problem
from simcore.design.paths import format_path
from simcore.design.problems import Problem

SCHEMA_PATH = Path(__file__).with_name("schema.json")

# What a failed pattern means, by the `$defs` entry that carries it (read from the schema, so a
# changed pattern keeps its words).
_PATTERN_WORDS = {
    "id": ("not a valid id", " (a letter, then up to 63 letters, digits, '-' or '_')"),
    "nic_name": ("not a valid NIC name", " (a letter, then up to 14 letters, digits, '.', '-' or '_')"),
    "mac": ("not a MAC address", ""),
    "cidr": ("not an IPv4 address with a prefix length", " (like 192.168.56.0/24)"),
    "nic_ip": ("not an IPv4 address with a prefix length, nor 'dhcp'", " (like 192.168.56.11/24)"),
    "route_to": ("not a network with a prefix length, nor 'default'", " (like 10.0.0.0/8)"),
}
_FORMAT_WORDS = {"ipv4": "not an IPv4 address"}
_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "object": "an object",
    "array": "an array",
    "boolean": "true or false",
    "null": "null",
}


@functools.cache
def _schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def load_schema() -> dict:
    """The design document schema (a fresh copy: callers may embed or change it)."""
    return json.loads(_schema_text())


@functools.cache
def _js_regex(pattern: str) -> re.Pattern[str]:
    # ECMA-262 `$` (no multiline flag) matches only at the very end; Python's `$` also matches
    # before a final "\n", so "vm1\n" would pass here and fail in the browser. `\Z` is ECMA's `$`.
    # Our patterns use only ASCII classes, never \d or \w (Unicode-wide in Python).
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern_like_ecma(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _js_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_additional_properties = Draft202012Validator.VALIDATORS["additionalProperties"]


def _count_unknown(instance: dict, known: Collection[str]) -> int:
    """How many names of ``instance`` are not in ``known``: the intersection walks the smaller
    side (the schema's few names), where a difference would hash every one of 500,000 names."""
    return len(instance) - len(instance.keys() & known)


def _additional_properties_counted(validator, aP, instance, schema):
    """jsonschema's `additionalProperties: false` writes every unexpected name, sorted, into its
    message (1.7 s for 500,000 names, holding the GIL); `explain` reads the instance instead, so
    here the message only counts them. Same verdict and path."""
    if aP is False and "patternProperties" not in schema and validator.is_type(instance, "object"):
        extras = _count_unknown(instance, schema.get("properties", {}).keys())
        if extras:
            yield ValidationError(f"{extras} additional properties are not allowed")
        return
    yield from _additional_properties(validator, aP, instance, schema)


# Draft 2020-12 with ECMA-262 `pattern` semantics, as ajv runs it in the browser.
DesignValidator = validators.extend(
    Draft202012Validator, {"pattern": _pattern_like_ecma, "additionalProperties": _additional_properties_counted}
)


@functools.cache
def _validator() -> Draft202012Validator:
    return DesignValidator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def def_validator(name: str) -> Draft202012Validator:
    """A validator for one ``$defs`` entry of the schema (used by the format fixture tests)."""
    schema = load_schema()
    wrapper = {
        "$schema": schema["$schema"],
        "$id": schema["$id"],
        "$defs": schema["$defs"],
        "$ref": f"#/$defs/{name}",
    }
    return DesignValidator(wrapper, format_checker=Draft202012Validator.FORMAT_CHECKER)


@functools.cache
def _pattern_names() -> dict[str, tuple[str, str]]:
    defs = load_schema()["$defs"]
    return {defs[name]["pattern"]: words for name, words in _PATTERN_WORDS.items()}


def reference_schema_problems(doc: object) -> list[tuple[tuple[str | int, ...], Problem]]:
    """Every schema error of ``doc`` from the whole schema at once, as the browser runs it.

    The reference for ``schema_dispatch.schema_problems`` (item by item, fast): tests check that
    both give the same problems.
    """
    return [
        (elements, Problem(code, format_path(elements), msg))
        for error in _validator().iter_errors(doc)
        for elements, code, msg in explain(error)
    ]


def count_explained(error: ValidationError) -> int:
    """How many distinct problems ``explain(error)`` gives, without writing them (cheap)."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        return _count_unknown(error.instance, error.schema.get("properties", {}).keys())
    # `required`: jsonschema gives one error per missing name; explain's repeats are dropped.
    return 1


def explain(
    error: ValidationError, limit: int | None = None
) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """``(path elements, code, sentence)`` for one jsonschema error (some errors give several).

    With ``limit``, an object's unknown fields give only the first ``limit`` problems (in the
    order answers are sorted); ``count_explained`` says how many there are in all.
    """
    at = tuple(error.absolute_path)
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "required":
        # jsonschema yields one error per missing name, all alike but for the message; give
        # one problem per missing name and let the caller drop repeats.
        for name in value:
            if isinstance(instance, dict) and name not in instance:
                yield at, "schema.required", f"missing required field {_quote(name)}"
    elif keyword == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        known_set = set(known)
        unknown = itertools.filterfalse(known_set.__contains__, instance)  # in order, at C speed
        if limit is not None and _count_unknown(instance, known_set) > limit:
            # An answer shows the first problems only (problems.MAX_PROBLEMS): 500,000 unknown
            # fields took 37 s to explain, mostly the "did you mean" look-up (~50 µs a name).
            # Siblings not named in the schema sort by name alone (paths.path_sort_key), so the
            # comparison stays in C.
            unknown = heapq.nsmallest(limit, unknown)
        for name in unknown:
            hint = difflib.get_close_matches(name, known, n=1)
            tail = f" (did you mean {_quote(hint[0])}?)" if hint else ""
            yield (*at, name), "schema.unknown_field", f"unknown field {_quote(name)}{tail}"
    elif keyword == "enum":
        yield at, "schema.enum", "must be one of: " + ", ".join(_plain(v) for v in value)
    elif keyword == "const":
        yield at, "schema.const", f"must be {_plain(value)}"
    elif keyword == "type":
        yield at, "schema.type", f"must be {_TYPE_WORDS.get(value, value)}, not {_kind_of(instance)}"
    elif keyword == "pattern" and FORBIDDEN_CLASS in value and isinstance(instance, str) and name_problem(instance):
        # A name's control or text-direction character: say which one and where (names.py).
        yield at, "schema.control_character", name_problem(instance)
    elif keyword == "pattern":
        noun, hint = _pattern_names().get(value, ("not in the expected form", ""))
        code = "schema.format" if value in _pattern_names() else "schema.pattern"
        yield at, code, f"{noun}: {_quote(instance)}{hint}"
    elif keyword == "format":
        yield at, "schema.format", f"{_FORMAT_WORDS.get(value, 'not a valid ' + value)}: {_quote(instance)}"
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "greater than",
            "exclusiveMaximum": "less than",
        }
        yield at, f"schema.{keyword.lower()}", f"must be {words[keyword]} {_plain(value)}"
    elif keyword == "minLength":
        msg = "must not be empty" if value == 1 else f"must be at least {value} characters long"
        yield at, "schema.min_length", msg
    elif keyword == "maxLength":
        yield at, "schema.max_length", f"must be at most {value} characters long"
    elif keyword == "minItems":
        yield at, "schema.min_items", f"must have at least {value} items"
    elif keyword == "maxItems":
        yield at, "schema.max_items", f"must have at most {value} items"
    elif keyword == "not" and value == {}:
        # `{"not": {}}` is how the schema says "this field may not appear here" (a `false`
        # schema would do, but jsonschema then drops the field from the error's path).
        yield at, "schema.not_allowed", _not_allowed(error)
    else:
        # A keyword this module has no words for yet: say so plainly rather than hide it.
        yield at, f"schema.{keyword}", _short(error.message, 200)


def _not_allowed(error: ValidationError) -> str:
    schema_path = list(error.relative_schema_path)
    name = error.absolute_path[-1] if error.absolute_path else ""
    if "dependentSchemas" in schema_path:
        other = schema_path[schema_path.index("dependentSchemas") + 1]
        return f"field {_quote(str(name))} cannot be used together with {_quote(str(other))}"
    return f"field {_quote(str(name))} is not allowed here"


def _kind_of(instance: object) -> str:
    if instance is None:
        return "null"
    if isinstance(instance, bool):
        return "true or false"
    if isinstance(instance, int):
        return "an integer"
    if isinstance(instance, float):
        return "a number"
    if isinstance(instance, str):
        return "a string"
    if isinstance(instance, list):
        return "an array"
    if isinstance(instance, dict):
        return "an object"
    return type(instance).__name__


def _plain(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _quote(value: object) -> str:
    if not isinstance(value, str):
        return _short(json.dumps(value, ensure_ascii=False, default=repr), 60)
    return "'" + _short(value, 60).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
