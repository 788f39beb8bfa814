"""Validating a large design fast: the same errors as the whole schema, item by item.

jsonschema spends most of a large document's time on ``$ref`` look-ups and on trying all seven
``if kind == X`` branches for every node: 10,000 nodes and 10,000 links took 13.6 s. Here each
list item is validated alone against a schema with every ``$ref`` inlined, and a node against
its own kind's rules only (node fields + ``kind_<X>``, exactly what the ``if``/``then`` picks);
error paths are then prefixed with the item's place. A test checks that both ways give the
same problems; ``schema_errors.reference_schema_problems`` stays the reference.
"""

from __future__ import annotations

import functools
import json

from jsonschema import Draft202012Validator

from simcore.design.paths import format_path, path_sort_key
from simcore.design.problems import Problem
from simcore.design.schema_errors import DesignValidator, count_explained, explain, load_schema

# Top-level lists whose items are checked one by one, and the `$defs` entry of their items.
_ITEM_DEFS = {"nodes": "node", "links": "link", "captures": "capture", "script": "step"}
ITEM_LISTS = tuple(_ITEM_DEFS)


def _inline(schema: object, defs: dict) -> object:
    """``schema`` with every ``#/$defs/x`` reference replaced by (a copy of) its target.

    Siblings of ``$ref`` in this schema are annotations only (title, description), so merging
    them over the target changes no verdict. The schema has no recursive references.
    """
    if isinstance(schema, list):
        return [_inline(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _inline(value, defs) for key, value in schema.items() if key not in ("$ref", "$defs")}
    if "$ref" in schema:
        target = _inline(defs[schema["$ref"].removeprefix("#/$defs/")], defs)
        out = {**target, **out}
    return out


@functools.cache
def _validators() -> tuple[Draft202012Validator, Draft202012Validator, dict, dict]:
    """(top level without items, any node, node of each kind, item of each other list)."""
    schema = load_schema()
    defs = schema["$defs"]
    checker = Draft202012Validator.FORMAT_CHECKER
    top = {key: value for key, value in schema.items() if key != "$defs"}
    top["properties"] = {
        name: {key: value for key, value in prop.items() if key != "items"}
        for name, prop in schema["properties"].items()
    }
    node = _inline(defs["node"], defs)
    common = {key: value for key, value in node.items() if key != "allOf"}
    per_kind = {
        rule["if"]["properties"]["kind"]["const"]: DesignValidator(
            {"allOf": [common, rule["then"]]}, format_checker=checker
        )
        for rule in node["allOf"]
    }
    items = {
        name: DesignValidator(_inline(defs[d], defs), format_checker=checker)
        for name, d in _ITEM_DEFS.items()
    }
    return DesignValidator(top, format_checker=checker), items["nodes"], per_kind, items


Explained = tuple[tuple[tuple[str | int, ...], str, str], ...]

# Item -> its explained errors, keyed by the item's canonical JSON (documents come from a JSON
# parser, so keys are strings: json.dumps would write a Python int key 1 as "1"). An edit changes one node or
# link, so validating the document again after it re-checks that item only. Bounded crudely
# (cleared when full) so that it stays safe to share between threads.
_CACHE: dict[tuple[str, str], Explained] = {}
_CACHE_LIMIT = 100_000


def schema_problems(doc: object) -> list[tuple[tuple[str | int, ...], Problem]]:
    """Every schema error of ``doc`` as ``(path elements, Problem)``, unsorted."""
    top = _validators()[0]
    found = [
        (elements, code, msg) for error in top.iter_errors(doc) for elements, code, msg in explain(error)
    ]
    if isinstance(doc, dict):
        for name in _ITEM_DEFS:
            values = doc.get(name)
            if not isinstance(values, list):
                continue
            for i, item in enumerate(values):
                found.extend(((name, i, *elements), code, msg) for elements, code, msg in _item(name, item))
    return [(elements, Problem(code, format_path(elements), msg)) for elements, code, msg in found]


def top_is_clean(doc: object) -> bool:
    """No schema error outside the items of the item lists (``ITEM_LISTS``)."""
    return next(_validators()[0].iter_errors(doc), None) is None


def item_is_clean(name: str, item: object) -> bool:
    """No schema error in ``item``, one item of the list ``name``."""
    return not _item(name, item)


def _item(name: str, item: object) -> Explained:
    try:
        key = (name, json.dumps(item, sort_keys=True))
    except (TypeError, ValueError):  # not JSON (a set, a circular list): validate it, do not keep it
        return _explain_item(name, item)
    explained = _CACHE.get(key)
    if explained is None:
        explained = _explain_item(name, item)
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = explained
    return explained


def _explain_item(name: str, item: object) -> Explained:
    _top, any_node, per_kind, items = _validators()
    validator = items[name]
    if name == "nodes" and isinstance(item, dict) and isinstance(item.get("kind"), str):
        validator = per_kind.get(item["kind"], any_node)
    return tuple(explained for error in validator.iter_errors(item) for explained in explain(error))


# ---------------------------------------------------------------- capped: what doors answer

Elements = tuple[str | int, ...]


def explain_first(errors, limit: int) -> tuple[list[tuple[Elements, str, str]], int]:
    """``(explained, not explained)``: enough of ``errors`` explained that the first ``limit``
    problems (in answer order) are among them, and a count of the problems left unwritten.

    An error's problems sit at its path or below it, so walking the errors in path order we can
    stop writing sentences once ``limit`` distinct problems sort strictly before the next error.
    """
    keyed = sorted(((path_sort_key(error.absolute_path), i, error) for i, error in enumerate(errors)),
                   key=lambda entry: (entry[0], entry[1]))
    seen: dict[tuple[Elements, str, str], tuple] = {}
    unwritten = 0
    stopped = False
    for key, _i, error in keyed:
        if not stopped and len(seen) >= limit:
            stopped = sorted(seen.values())[limit - 1] < key
        if stopped:
            unwritten += count_explained(error)
            continue
        shown = 0
        for explained in explain(error, limit):
            shown += 1
            seen.setdefault(explained, path_sort_key(explained[0]))
        if error.validator == "additionalProperties":
            unwritten += max(0, count_explained(error) - shown)
    return list(seen), unwritten


def schema_problems_capped(doc: object, limit: int) -> tuple[list[tuple[Elements, Problem]], int]:
    """Like ``schema_problems`` but for an answer that shows ``limit`` problems: ``(problems
    that may be shown, count of the others)``. A hostile document (500,000 unknown fields, or
    10,000 nodes of 50 bad fields each) costs about one jsonschema pass, not a sentence each."""
    top = _validators()[0]
    found, unwritten = explain_first(list(top.iter_errors(doc)), limit)
    items: set[tuple[Elements, str, str]] = set()
    if isinstance(doc, dict):
        for name in _ITEM_DEFS:
            values = doc.get(name)
            if not isinstance(values, list):
                continue
            for i, item in enumerate(values):
                if len(items) >= limit:
                    # `limit` problems of earlier items sort before anything of this one.
                    unwritten += _item_count(name, item)
                    continue
                explained, more = _item_capped(name, item, limit)
                unwritten += more
                for elements, code, msg in explained:
                    entry = ((name, i, *elements), code, msg)
                    if entry not in items:
                        items.add(entry)
                        found.append(entry)
    return [(elements, Problem(code, format_path(elements), msg)) for elements, code, msg in found], unwritten


def _cached(key: tuple, compute):
    value = _CACHE.get(key)
    if value is None:
        value = compute()
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = value
    return value


def _item_validator(name: str, item: object):
    _top, any_node, per_kind, items = _validators()
    if name == "nodes" and isinstance(item, dict) and isinstance(item.get("kind"), str):
        return per_kind.get(item["kind"], any_node)
    return items[name]


def _item_capped(name: str, item: object, limit: int) -> tuple[tuple, int]:
    def compute():
        explained, more = explain_first(list(_item_validator(name, item).iter_errors(item)), limit)
        return tuple(explained), more
    try:
        key = (name, f"capped:{limit}", json.dumps(item, sort_keys=True))
    except (TypeError, ValueError):
        return compute()
    return _cached(key, compute)


def _item_count(name: str, item: object) -> int:
    def compute():
        return sum(count_explained(error) for error in _item_validator(name, item).iter_errors(item))
    try:
        key = (name, "count", json.dumps(item, sort_keys=True))
    except (TypeError, ValueError):
        return compute()
    return _cached(key, compute)
