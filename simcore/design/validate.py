"""``validate(doc)``: every problem of a design document; ``load(source)``: parse strictly and validate.

Schema problems (``schema.*``) and reference problems (``ref.*``) come back together, sorted by
path as a reader scans the document (``nodes[2]`` before ``nodes[10]``), then by code and message,
with exact repeats dropped; so the same document always gives the same list.
"""

from __future__ import annotations

import heapq
from pathlib import Path

from simcore.design import strictjson
from simcore.design.incremental import change_is_clean
from simcore.design.paths import path_sort_key
from simcore.design.problems import MAX_PROBLEMS, DesignError, Problem
from simcore.design.references import reference_problems
from simcore.design.schema_dispatch import schema_problems, schema_problems_capped


def validate(doc: object) -> list[Problem]:
    """All problems of ``doc`` (any JSON value); an empty list means a valid design.

    Never raises on JSON values: whatever is wrong is a problem in the list. Doors answer with
    ``validate_capped`` instead: a hostile document can have hundreds of thousands of problems.
    """
    found = schema_problems(doc) + reference_problems(doc)
    found.sort(key=lambda item: (path_sort_key(item[0]), item[1].code, item[1].msg))
    unique: dict[tuple[str, str, str], Problem] = {}
    for _elements, problem in found:
        unique.setdefault((problem.code, problem.path, problem.msg), problem)
    return list(unique.values())


def validate_change(old: dict, new: dict) -> list[Problem]:
    """``validate(new)``, for a ``new`` made from ``old`` by a change that kept the objects it did
    not touch (co-editing's ``merge_apply`` does), and an ``old`` known to have no problem: only
    what the change touched, or can have broken, is looked at (``incremental``); whole again
    when that finds anything, so the problems listed are exactly ``validate``'s."""
    return [] if change_is_clean(old, new) else validate(new)


def validate_capped(doc: object, limit: int = MAX_PROBLEMS) -> tuple[list[Problem], int]:
    """``(first problems, how many more)``: the first ``limit`` problems of ``validate(doc)``, in
    the same order, and the number of the others (all counted, none sorted or kept)."""
    schema, unwritten = schema_problems_capped(doc, limit)
    found = schema + reference_problems(doc)
    unique: dict[tuple[str, str, str], tuple] = {}
    for elements, problem in found:
        unique.setdefault((problem.code, problem.path, problem.msg), (elements, problem))
    first = heapq.nsmallest(
        limit, unique.values(), key=lambda item: (path_sort_key(item[0]), item[1].code, item[1].msg)
    )
    return [problem for _elements, problem in first], len(unique) - len(first) + unwritten


def load(source: str | bytes | Path) -> dict:
    """Parse a design strictly and validate it; raise ``DesignError`` with every problem.

    ``source`` is the JSON text (``bytes``, or a ``str`` whose first non-blank character is ``{`` or
    ``[``) or a file path (``Path``, or any other ``str``). Returns the document as parsed (see ``normalized``).
    """
    text = _read(source)
    try:
        doc = strictjson.loads(text)
    except strictjson.StrictJSONError as exc:
        raise DesignError([Problem("json.invalid", exc.path, exc.msg)]) from None
    problems = validate(doc)
    if problems:
        raise DesignError(problems)
    assert isinstance(doc, dict)  # the schema's top-level "type": "object" passed
    return doc


def _read(source: str | bytes | Path) -> str | bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str) and source.lstrip(" \t\r\n\ufeff")[:1] in ("{", "["):
        return source
    path = Path(source)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DesignError(
            [Problem("io.unreadable", "", f"cannot read {path}: {exc.strerror or exc}")]
        ) from None
