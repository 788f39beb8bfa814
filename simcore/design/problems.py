"""What validation and the checks return: problems with a stable code, a path and a sentence."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")

# Every answer that lists problems (validate, import, create, update, websocket) stops after
# MAX_PROBLEMS of them and says how many more there were; a shown problem's path and sentence are
# cut at MAX_PATH_CHARS / MAX_MSG_CHARS, its objects at MAX_OBJECTS, and the problems shown take
# at most MAX_PROBLEM_BYTES as JSON (ASCII-escaped, the worst case), so an answer stays under 64 KB
# whatever the input (docs/limits.md, "Answers and bodies").
MAX_PROBLEMS = 50
MAX_PATH_CHARS = 200
MAX_MSG_CHARS = 300
MAX_OBJECTS = 20
MAX_PROBLEM_BYTES = 48 * 1024


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth knowing) about a design.

    ``code`` is stable (``schema.*``, ``ref.*``, ``json.*``, ``check.*``) so the browser and the
    tests can rely on it; ``path`` is written ``nodes[3].nics[0].mac`` (``""`` is the whole
    document); ``msg`` is one sentence for the user; ``objects`` are the ids of the nodes and
    links involved, so the canvas can highlight them.
    """

    code: str
    path: str
    msg: str
    severity: str = "error"
    objects: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"Problem severity must be one of {', '.join(SEVERITIES)}: {self.severity!r}")

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "path": self.path,
            "msg": self.msg,
            "severity": self.severity,
            "objects": list(self.objects),
        }


class DesignError(ValueError):
    """A design that cannot be used: bad JSON or an invalid document. Carries every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        summary = "invalid design"
        if first is not None:
            where = f"{first.path}: " if first.path else ""
            more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            summary = f"invalid design: {where}{first.msg}{more}"
        super().__init__(summary)


def _cut(text: object, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bounded(problem: dict) -> dict:
    """One problem (as a dict) with its path, sentence and objects cut to the answer limits."""
    out = dict(problem)
    for key, limit in (("path", MAX_PATH_CHARS), ("msg", MAX_MSG_CHARS), ("code", 80)):
        if key in out and out[key] is not None:
            out[key] = _cut(out[key], limit)
    objects = out.get("objects")
    if objects:
        out["objects"] = [_cut(o, 80) for o in list(objects)[:MAX_OBJECTS]]
    return out


def cap(problems: Iterable[dict], *, limit: int = MAX_PROBLEMS,
        budget: int = MAX_PROBLEM_BYTES) -> tuple[list[dict], int]:
    """``(shown, more)``: the first problems (at most ``limit``, at most ``budget`` bytes of JSON),
    each ``bounded``, and how many were left out."""
    shown: list[dict] = []
    used = 0
    more = 0
    for problem in problems:
        if more:
            more += 1
            continue
        cut = bounded(problem)
        size = len(json.dumps(cut, default=str)) + 1
        if len(shown) >= limit or used + size > budget:
            more = 1
            continue
        shown.append(cut)
        used += size
    return shown, more


def more_sentence(more: int) -> str:
    """How an answer says that it stopped: "… and 499,950 more problems"."""
    return f"… and {more:,} more problem{'s' if more != 1 else ''}"
