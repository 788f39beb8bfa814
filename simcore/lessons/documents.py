"""Lesson and activity documents: validation (schema, then the embedded designs) and variants.

``validate(doc)`` returns every problem as the design validator does (``simcore.design.Problem``,
paths such as ``steps[2].look.node`` or ``start.nodes[0].ip``), never raises on a JSON value.
An activity's strings may hold ``{{name}}`` placeholders for its ``variables``; ``instantiate``
draws them from a seed (the same seed always gives the same values, whatever PYTHONHASHSEED) and
substitutes them, so each student of a class gets their own addresses, ports and names.
"""

from __future__ import annotations

import copy
import json
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from simcore.design import Problem
from simcore.design import validate as validate_design
from simcore.design.paths import format_path

SCHEMA_PATH = Path(__file__).with_name("schema.json")
PLACEHOLDER = re.compile(r"\{\{([a-z][a-z0-9_]{0,31})\}\}")


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def _schema_problems(doc: object) -> list[Problem]:
    kind = doc.get("kind") if isinstance(doc, dict) else None
    if kind not in ("lesson", "activity"):
        return [Problem("lesson.kind", "kind", "a lesson document has \"kind\": \"lesson\" or \"activity\"")]
    branch = {"$ref": f"#/$defs/{kind}", "$defs": schema()["$defs"]}
    validator = jsonschema.Draft202012Validator(branch)
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        out.append(Problem("lesson.schema", format_path(err.absolute_path), _message(err)))
    return out


def _message(err: jsonschema.ValidationError) -> str:
    if err.validator == "additionalProperties":
        return f"unknown field: {err.message.split('(')[-1].rstrip(')')}"
    if err.validator == "oneOf" and err.schema.get("oneOf") == [{"required": ["design"]}, {"required": ["run"]}]:
        return "a check has exactly one of \"design\" or \"run\""
    return err.message


def _prefixed(problems: list[Problem], prefix: str) -> list[Problem]:
    return [Problem(p.code, f"{prefix}.{p.path}" if p.path else prefix, p.msg, p.severity, p.objects)
            for p in problems]


def validate(doc: object) -> list[Problem]:
    """Every problem of a lesson or activity document; an empty list means it is valid."""
    problems = _schema_problems(doc)
    if problems:
        return problems
    assert isinstance(doc, dict)
    if doc["kind"] == "lesson":
        problems += _prefixed(validate_design(doc["design"]), "design")
        if not problems:
            problems += _lesson_references(doc)
        return problems
    problems += _activity_problems(doc)
    return problems


def _lesson_references(doc: dict) -> list[Problem]:
    design = doc["design"]
    nodes = {n["id"] for n in design.get("nodes", [])}
    links = {link["id"] for link in design.get("links", [])}
    out = []
    previous = -1.0
    for i, step in enumerate(doc["steps"]):
        if step["at"] < previous:
            out.append(Problem("lesson.step_order", f"steps[{i}].at",
                               f"steps go forward in time: {step['at']:g} s comes after {previous:g} s"))
        previous = step["at"]
        look = step.get("look", {})
        if "node" in look and look["node"] not in nodes:
            out.append(Problem("lesson.unknown_node", f"steps[{i}].look.node",
                               f"the design has no node {look['node']!r}"))
        if "link" in look and look["link"] not in links:
            out.append(Problem("lesson.unknown_link", f"steps[{i}].look.link",
                               f"the design has no link {look['link']!r}"))
    return out


def _activity_problems(doc: dict) -> list[Problem]:
    out = []
    variables = doc.get("variables", {})
    for name, spec in variables.items():
        if "int" in spec and spec["int"][0] > spec["int"][1]:
            out.append(Problem("lesson.variable_range", f"variables.{name}.int",
                               f"the range {spec['int'][0]}..{spec['int'][1]} is empty"))
    used = set(PLACEHOLDER.findall(json.dumps(doc)))
    for name in sorted(used - set(variables)):
        out.append(Problem("lesson.unknown_variable", "variables",
                           f"{{{{{name}}}}} is used but no variable {name!r} is declared"))
    seen: dict[str, int] = {}
    for i, check in enumerate(doc["checks"]):
        if check["id"] in seen:
            out.append(Problem("lesson.duplicate_check", f"checks[{i}].id",
                               f"check id {check['id']!r} is already used by checks[{seen[check['id']]}]"))
        seen.setdefault(check["id"], i)
    if out:
        return out
    concrete = instantiate(doc, 0)
    for key in ("start", "solution"):
        out += _prefixed(validate_design(concrete[key]), key)
    return out


def draw(doc: dict, seed: int | str) -> dict[str, Any]:
    """The variables' values for one seed (a student's): same seed, same values."""
    rng = random.Random(f"lesson-variant:{seed}")
    values: dict[str, Any] = {}
    for name in sorted(doc.get("variables", {})):
        spec = doc["variables"][name]
        if "int" in spec:
            values[name] = rng.randint(spec["int"][0], spec["int"][1])
        else:
            values[name] = spec["choice"][rng.randrange(len(spec["choice"]))]
    return values


def substitute(value: Any, values: dict[str, Any]) -> Any:
    """``value`` with every ``{{name}}`` replaced; a string that is only a placeholder takes the
    value's own type (a port stays an integer)."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [substitute(item, values) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, values) for key, item in value.items()}
    return value


def instantiate(doc: dict, seed: int | str) -> dict:
    """The activity as one student sees it: variables drawn from ``seed`` and substituted.

    The result keeps no ``variables`` and records the values in ``values``."""
    values = draw(doc, seed)
    out = substitute(copy.deepcopy({k: v for k, v in doc.items() if k != "variables"}), values)
    out["values"] = values
    return out
