"""Errors that cross a door. Each carries a machine `code`, an HTTP `status` and a sentence; design
problems travel as `{code, path, msg}` dicts, the same shape at every door. Every door (API, pages,
websocket) renders `to_dict()`: `{"code", "msg", "problems": [...]}`, with `"more_problems": n` when the
list stopped at its limit.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from simcore.design.problems import cap


def problem(code: str, msg: str, path: str = "") -> dict[str, Any]:
    return {"code": code, "path": path, "msg": msg}


def _problem_dict(p: Any) -> dict[str, Any]:
    if isinstance(p, Mapping):
        return dict(p)
    to_dict = getattr(p, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    return problem("error", str(p))


class DesignerError(Exception):
    code = "error"
    status = 400
    default_msg = "The request could not be completed."

    def __init__(self, msg: str | None = None, *, problems: Iterable[Any] = (), code: str | None = None,
                 status: int | None = None, more_problems: int = 0):
        self.msg = msg or self.default_msg
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        # Every door's answer is bounded: at most MAX_PROBLEMS problems, each cut to size, and a
        # count of the rest (`more_problems`, docs/limits.md "Answers and bodies").
        self.problems, more = cap(_problem_dict(p) for p in problems)
        self.more_problems = more + max(0, int(more_problems))
        super().__init__(self.msg)

    def to_dict(self) -> dict[str, Any]:
        out = {"code": self.code, "msg": self.msg, "problems": self.problems}
        if self.more_problems:
            out["more_problems"] = self.more_problems
        return out


class DesignNotFound(DesignerError):
    """Missing and forbidden look the same: nothing tells a stranger that a design exists."""

    code = "design.not_found"
    status = 404
    default_msg = "No such design."


class AuthRequired(DesignerError):
    code = "auth.required"
    status = 401
    default_msg = "Sign in first."


class VersionConflict(DesignerError):
    code = "design.version_conflict"
    status = 409

    def __init__(self, current_version: int, base_version: int | None = None):
        self.current_version = current_version
        super().__init__(
            f"The design was saved by someone else meanwhile (now version {current_version}, "
            f"you started from {base_version}). Reload it and apply your change again."
        )

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "current_version": self.current_version}


class DesignInvalid(DesignerError):
    code = "design.invalid"
    status = 422
    default_msg = "The design document is not valid."


class BadJSON(DesignerError):
    """Refused by the strict parser: NaN, duplicate keys, too deep, huge ints, `\\u0000`, ..."""

    code = "json.invalid"
    status = 400
    default_msg = "The body is not acceptable JSON."


class TooLarge(DesignerError):
    code = "design.too_large"
    status = 413
    default_msg = "Too large."


class RateLimited(DesignerError):
    code = "rate_limited"
    status = 429

    def __init__(self, msg: str, *, retry_after: int, code: str = "rate_limited"):
        self.retry_after = retry_after
        super().__init__(msg, code=code)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "retry_after": self.retry_after}


class Invalid(DesignerError):
    """A request parameter outside the design document is wrong (a role name, an expiry)."""

    code = "request.invalid"
    status = 422
