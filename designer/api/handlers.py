"""Error answers of the API: `{"code", "msg", "problems": [{code, path, msg}]}` and a status.

ninja wraps a body the parser refused in HttpError(400); the strict parser's BadJSON is its
cause and is rendered as itself. A body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413, not Django's
HTML 400."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja.errors import HttpError, ValidationError

from designer.errors import DesignerError, DesignNotFound


def _loc_path(loc) -> str:
    # ninja's locations start with the source ("body", "query", "path") and the parameter name.
    parts = [p for p in loc if p not in ("body", "query", "path", "payload", "file")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def render(api, request, error: DesignerError):
    response = api.create_response(request, error.to_dict(), status=error.status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def install_handlers(api) -> None:
    @api.exception_handler(DesignerError)
    def designer_error(request, exc: DesignerError):
        return render(api, request, exc)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        problems = [
            {"code": f"request.{e.get('type', 'invalid')}", "path": _loc_path(e.get("loc", ())),
             "msg": str(e.get("msg", "invalid"))}
            for e in exc.errors
        ]
        error = DesignerError("The request does not match the API (see problems).", problems=problems,
                              code="request.invalid", status=422)
        return render(api, request, error)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        cause = exc.__cause__
        if isinstance(cause, DesignerError):
            return render(api, request, cause)
        if exc.status_code == 403 and "CSRF" in str(exc):
            error = DesignerError("CSRF check failed: reload the page and try again.", code="csrf.failed", status=403)
        else:
            error = DesignerError(str(exc), code=f"http.{exc.status_code}", status=exc.status_code)
        return render(api, request, error)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return render(api, request, DesignNotFound("Not found.", code="not_found"))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        error = DesignerError("The request body is too large (at most 10 MiB).", code="request.too_large", status=413)
        return render(api, request, error)
