"""A design document's keys in the schema's order, whatever order they arrived or were stored in.

An exported file must be the same bytes for the same design on every database: SQLite keeps a
JSON object's keys as written, PostgreSQL's ``jsonb`` keeps them sorted by length. So the export
writes every object's keys in the order schema.json lists them (a node's own kind first: ``id``,
``kind``, ``name``, ``position``…), then any key the schema does not list, alphabetically.
"""

from __future__ import annotations

from typing import Any

from simcore.design.schema_errors import load_schema

_SCHEMA = load_schema()


def _resolve(schema: Any) -> dict:
    if not isinstance(schema, dict):  # `true`: anything goes, nothing to order by
        return {}
    while "$ref" in schema:
        schema = _SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _branches(schema: dict) -> list[dict]:
    """The schema and every alternative it is made of, resolved."""
    schema = _resolve(schema)
    found = [schema]
    for word in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(word, ()):
            found.extend(_branches(branch))
    return found


def _property_schemas(schema: dict) -> dict[str, list[dict]]:
    """Each property name the schema allows, in its first-listed order, with its schemas."""
    props: dict[str, list[dict]] = {}
    for branch in _branches(schema):
        for name, sub in branch.get("properties", {}).items():
            props.setdefault(name, []).append(sub)
    return props


def _node_schema(kind: str) -> dict:
    return _SCHEMA["$defs"].get(f"kind_{kind}", _SCHEMA["$defs"]["node"])


def _order(value: Any, schemas: list[dict]) -> Any:
    if isinstance(value, list):
        items = [_resolve(s).get("items") for s in schemas]
        return [_order(item, [s for s in items if s]) for item in value]
    if not isinstance(value, dict):
        return value
    if any(_resolve(s) is _SCHEMA["$defs"]["node"] for s in schemas) and isinstance(value.get("kind"), str):
        schemas = [_node_schema(value["kind"]), *schemas]
    props: dict[str, list[dict]] = {}
    for schema in schemas:
        for name, subs in _property_schemas(schema).items():
            props.setdefault(name, []).extend(subs)
    known = [k for k in props if k in value]
    rest = sorted(k for k in value if k not in props)
    return {k: _order(value[k], props.get(k, [])) for k in known + rest}


def in_schema_order(document: Any) -> Any:
    """A copy of `document` whose objects list their keys in the schema's order (see above)."""
    return _order(document, [_SCHEMA])
