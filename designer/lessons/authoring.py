"""Teacher-made activities: the document built from the activity form or read from an imported
file, validated at the door (``simcore.lessons.validate``: the schema, then the starting design
and the solution with the design validator, then the references) and stored as a
``StoredActivity``. A refused document raises ``ActivityInvalid`` with every problem and its path
(``checks[1].points``, ``start.nodes[0].nics[0].ip``), the shape designs use; nothing is saved.

The form is a few fields and one row per check: a title, points, a hint, the test (``design.node``,
``run.fact``, ... the vocabulary of docs/lessons.md) and the test's fields as a JSON object
(``{"kind": "vm"}``). An empty row is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils.text import slugify

from designer import limits
from designer.errors import BadJSON, DesignerError
from designer.jsondoor import parse_json
from designer.lessons.models import StoredActivity, StoredLesson
from simcore.lessons import instantiate, score, validate
from simcore.lessons.checks import DESIGN_CHECKS, RUN_CHECKS

CHECK_ROWS = 6  # check rows on the form
TESTS = [f"design.{name}" for name in DESIGN_CHECKS] + [f"run.{name}" for name in RUN_CHECKS]


class ActivityInvalid(DesignerError):
    code = "activity.invalid"
    status = 422
    default_msg = "The activity document is not valid."


def _refuse(problems: list[dict]) -> None:
    if problems:
        raise ActivityInvalid(f"The activity has {len(problems)} problem(s): nothing was saved.", problems=problems)


def check_document(doc: object) -> dict:
    """``doc`` if it is a valid activity document, else ``ActivityInvalid`` with its problems."""
    if isinstance(doc, dict) and doc.get("kind") == "lesson":
        _refuse([{"code": "activity.kind", "path": "kind",
                  "msg": "this is a lesson; only activities are stored here (\"kind\": \"activity\")"}])
    if isinstance(doc, dict):
        for key in ("start", "solution"):
            limits.check_document_size(doc.get(key))
    _refuse([p.to_dict() for p in validate(doc) if p.severity == "error"])
    assert isinstance(doc, dict)
    return doc


def store(user, doc: object) -> StoredActivity:
    doc = check_document(doc)
    return StoredActivity.objects.create(owner=user, title=doc["title"], document=doc)


class LessonInvalid(DesignerError):
    code = "lesson.invalid"
    status = 422
    default_msg = "The lesson document is not valid."


def check_lesson(doc: object) -> dict:
    """``doc`` if it is a valid lesson document with its design inline, else ``LessonInvalid``."""
    if not isinstance(doc, dict) or doc.get("kind") != "lesson":
        raise LessonInvalid("This is not a lesson document (\"kind\": \"lesson\").",
                            problems=[{"code": "lesson.kind", "path": "kind", "msg": "a lesson has \"kind\": \"lesson\""}])
    if not isinstance(doc.get("design"), dict):
        raise LessonInvalid("The lesson's design must be in the file.", problems=[{
            "code": "lesson.design", "path": "design",
            "msg": "the design is a design document (a pack file's \"example:...\" is only for the pack)"}])
    limits.check_document_size(doc["design"])
    problems = [p.to_dict() for p in validate(doc) if p.severity == "error"]
    if problems:
        raise LessonInvalid(f"The lesson has {len(problems)} problem(s): nothing was saved.", problems=problems)
    return doc


def do_import(user, raw: bytes) -> StoredActivity | StoredLesson:
    """An uploaded activity or lesson file, strict JSON, validated, stored as the user's own."""
    limits.check_import(user)
    limits.check_import_size(len(raw))
    try:
        doc = parse_json(raw)
    except BadJSON as error:
        raise ActivityInvalid(f"The file is not JSON: {error.msg.removeprefix('Not acceptable JSON: ')}",
                              code="json.invalid", status=400) from None
    if isinstance(doc, dict) and doc.get("kind") == "lesson":
        doc = check_lesson(doc)
        return StoredLesson.objects.create(owner=user, title=doc["title"], document=doc)
    return store(user, doc)


def export_bytes(stored: StoredActivity | StoredLesson) -> bytes:
    return (json.dumps(stored.document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass
class Form:
    """The activity form's values as typed (shown again with the problems when refused)."""

    title: str = ""
    id: str = ""
    instructions: str = ""
    solution: str = ""
    until: str = ""
    variables: str = ""
    checks: list[dict] = field(default_factory=list)

    @classmethod
    def from_post(cls, post) -> Form:
        rows = []
        for n in range(CHECK_ROWS):
            rows.append({key: str(post.get(f"check-{n}-{key}", ""))[:8000]
                         for key in ("title", "points", "hint", "test", "spec")})
        return cls(**{key: str(post.get(key, "")).strip()[:8000]
                      for key in ("title", "id", "instructions", "solution", "until", "variables")}, checks=rows)

    @classmethod
    def blank(cls, design_name: str) -> Form:
        rows = [{"title": "", "points": "", "hint": "", "test": "", "spec": ""} for _ in range(CHECK_ROWS)]
        return cls(title=design_name[:200], checks=rows)


def _json_field(text: str, path: str, problems: list[dict], want=dict):
    try:
        value = parse_json(text)
    except BadJSON as error:
        problems.append({"code": "json.invalid", "path": path, "msg": error.msg})
        return None
    if not isinstance(value, want):
        problems.append({"code": "schema.type", "path": path, "msg": "a JSON object is expected here"})
        return None
    return value


def build(form: Form, start: dict, solution: dict | None) -> dict:
    """The activity document the form describes, or ``ActivityInvalid`` with every problem; the
    paths are the document's (``checks[0].points``), each check row being ``checks[i]`` in order."""
    problems: list[dict] = []
    doc: dict = {"version": 1, "kind": "activity", "id": form.id or slugify(form.title)[:64].strip("-") or "activity",
                 "title": form.title, "instructions": form.instructions, "start": start}
    if solution is None:
        problems.append({"code": "activity.solution", "path": "solution",
                         "msg": "choose the reference solution: one of your designs that scores 100%"})
    else:
        doc["solution"] = solution
    if form.until:
        try:
            doc["until"] = float(form.until)
        except ValueError:
            problems.append({"code": "schema.type", "path": "until", "msg": f"{form.until[:20]!r} is not a number"})
    if form.variables:
        variables = _json_field(form.variables, "variables", problems)
        if variables is not None:
            doc["variables"] = variables
    checks = []
    for row in form.checks:
        if not row["title"].strip() and not row["spec"].strip() and not row["test"]:
            continue
        i = len(checks)
        check: dict = {"id": f"check-{i + 1}", "title": row["title"].strip(), "hint": row["hint"].strip()}
        try:
            check["points"] = int(row["points"] or 0)
        except ValueError:
            problems.append({"code": "schema.type", "path": f"checks[{i}].points",
                             "msg": f"{row['points'][:20]!r} is not a whole number"})
        on, _, test = row["test"].partition(".")
        if row["test"] not in TESTS:
            problems.append({"code": "activity.test", "path": f"checks[{i}]",
                             "msg": f"choose what the check tests (one of {', '.join(TESTS)})"})
        else:
            spec = _json_field(row["spec"] or "{}", f"checks[{i}].{on}.{test}", problems)
            if spec is not None:
                check[on] = {test: spec}
        checks.append(check)
    if not checks:
        problems.append({"code": "activity.checks", "path": "checks", "msg": "an activity needs at least one check"})
    doc["checks"] = checks
    if problems:
        # Say everything at once: the schema's problems too, but not again for what the form's
        # already name (a missing solution, a check whose fields were not JSON).
        said = [p["path"] for p in problems]
        problems += [p.to_dict() for p in validate(doc) if p.severity == "error" and p.path
                     and not any(path == p.path or path.startswith(p.path + ".") for path in said)]
        problems.sort(key=lambda p: p["path"])
    _refuse(problems)
    return check_document(doc)


def reference(doc: dict) -> dict:
    """The reference check, as CI does for the pack: the solution must score 100% and the starting
    design 0% (for the values of seed 0)."""
    concrete = instantiate(doc, 0)
    solution, start = score(concrete, concrete["solution"]), score(concrete, concrete["start"])
    return {"solution": solution.to_dict(), "start": start.to_dict(),
            "ok": solution.percent == 100 and start.percent == 0}
