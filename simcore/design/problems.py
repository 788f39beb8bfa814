"""What validation and the checks return: problems with a stable code, a path and a sentence."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


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
