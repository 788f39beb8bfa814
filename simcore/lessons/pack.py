"""The lesson pack shipped with the app (``lessons/`` at the top of the repository).

``lessons/pack.json`` lists the lecture's sections in order, each with the id of its lesson
(``lessons/<id>.json``) or ``missing`` saying why there is none yet, and the activities
(``lessons/activities/<id>.json``). A pack lesson may name its design ``"example:<name>"``: the
loader puts ``examples/<name>.json`` in its place, so a lesson and its example never drift; every
document this module returns is complete and valid (``documents.validate``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from simcore.design import Problem
from simcore.lessons.documents import validate

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "lessons"
EXAMPLES_DIR = ROOT / "examples"


@dataclass
class Pack:
    title: str
    sections: list[dict]
    lessons: dict[str, dict] = field(default_factory=dict)
    activities: dict[str, dict] = field(default_factory=dict)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (file, problem)

    def ordered_lessons(self) -> list[dict]:
        return [self.lessons[s["lesson"]] for s in self.sections if s.get("lesson") in self.lessons]


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _inline_design(doc: dict) -> dict:
    design = doc.get("design")
    if isinstance(design, str) and design.startswith("example:"):
        doc = dict(doc, design=_read(EXAMPLES_DIR / f"{design.removeprefix('example:')}.json"))
    return doc


def load(pack_dir: Path = PACK_DIR) -> Pack:
    """Read and validate the whole pack; problems are collected, never raised."""
    index = _read(pack_dir / "pack.json")
    pack = Pack(index["title"], index["sections"])
    for section in pack.sections:
        if "lesson" not in section:
            continue
        name = f"{section['lesson']}.json"
        doc = _inline_design(_read(pack_dir / name))
        pack.problems += [(name, p) for p in validate(doc)]
        if doc.get("id") != section["lesson"]:
            pack.problems.append((name, Problem("lesson.id", "id", f"the file is {name} but its id is {doc.get('id')!r}")))
        pack.lessons[section["lesson"]] = doc
    for activity_id in index.get("activities", []):
        name = f"activities/{activity_id}.json"
        doc = _read(pack_dir / name)
        pack.problems += [(name, p) for p in validate(doc)]
        pack.activities[activity_id] = doc
    for doc in pack.lessons.values():
        if "activity" in doc and doc["activity"] not in pack.activities:
            pack.problems.append((f"{doc['id']}.json", Problem("lesson.unknown_activity", "activity",
                                                                f"no activity {doc['activity']!r} in the pack")))
    return pack


@lru_cache(maxsize=1)
def shipped() -> Pack:
    """The pack as shipped (read once per process)."""
    return load()
