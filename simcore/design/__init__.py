"""simcore.design: the design document — its schema, strict loading, validation and checks.

Contract of this layer:
- ``schema.json`` (``SCHEMA_PATH``, ``load_schema()``) is the one JSON Schema (draft 2020-12) of
  design document version 1, shared with the browser (ajv) and the OpenAPI spec.
- ``strictjson.loads`` is the JSON parser of every door; ``load(source)`` parses strictly and
  validates, raising ``DesignError(problems)``.
- ``validate(doc)`` returns *all* problems (``schema.*``, ``ref.*``) as ``Problem(code, path, msg)``
  with paths like ``nodes[3].nics[0].mac``; it never raises on a JSON value. ``validate_change(old,
  new)`` gives the same for a changed document, looking only at what the change touched.
- ``check(doc)`` explains a valid but bad design (``check.*``, with severity and object ids).
- ``normalized(doc)`` fills every default (``derive_mac`` for missing MACs); the engine builds
  from it. ``KINDS``, the registry of node kinds, is built from the schema (its ``$defs/kind_*``
  entries and their ``x-`` keywords, ``annotations.py``).

It imports nothing else from simcore and never Django: pure functions of the document.
"""

from simcore.design import strictjson
from simcore.design.checks import check
from simcore.design.derive import derive_mac, normalized
from simcore.design.kinds import KINDS, Kind
from simcore.design.problems import DesignError, Problem
from simcore.design.schema_errors import SCHEMA_PATH, load_schema
from simcore.design.validate import load, validate, validate_change

__all__ = [
    "KINDS",
    "SCHEMA_PATH",
    "DesignError",
    "Kind",
    "Problem",
    "check",
    "derive_mac",
    "load",
    "load_schema",
    "normalized",
    "strictjson",
    "validate",
    "validate_change",
]
