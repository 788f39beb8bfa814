"""Validation without saving: schema problems and design checks (simcore.design)."""

from __future__ import annotations

import logging
from typing import Any

from ninja import Router

from designer import limits, offload
from designer.access import Need, access_design
from designer.api.schemas import ErrorOut, ValidateOut
from designer.jsondoor import parse_json_measured

log = logging.getLogger(__name__)
ERRORS = frozenset(range(400, 430))
router = Router(tags=["validation"])


def _as_dict(p: Any) -> dict:
    d = dict(p.to_dict()) if hasattr(p, "to_dict") else dict(p)
    if "objects" in d and d["objects"] is not None:
        d["objects"] = [str(o) for o in d["objects"]]
    return d


def report(document: Any, size_bound: int | None = None) -> dict:
    """`{ok, problems, more_problems, checks, more_checks}`: schema/reference problems; design
    checks only for a document that passed the schema (the checks assume its shape). Each list
    stops at MAX_PROBLEMS (problems.cap) and `more_*` counts the rest."""
    from simcore.design import check
    from simcore.design.problems import cap
    from simcore.design.validate import validate_capped

    if not isinstance(document, dict):
        return {"ok": False, "problems": [{"code": "schema.type", "path": "", "msg": "a design document is a JSON object"}],
                "checks": [], "more_problems": 0, "more_checks": 0}
    limits.check_document_size(document, size_bound)
    first, unwritten = validate_capped(document)
    problems, more = cap(_as_dict(p) for p in first)
    more += unwritten
    all_checks: list[dict] = []
    if not problems and not more:
        try:
            all_checks = [_as_dict(p) for p in check(document)]
        except Exception:  # a bug in one check must not hide the others' answer as a 500
            log.exception("design checks failed")
            all_checks = [{"code": "check.internal", "path": "", "msg": "The design checks failed on this document.",
                           "severity": "warning"}]
    # Schema and reference problems are all errors; a check may be a warning or a note.
    ok = not problems and not more and not any(p.get("severity", "error") == "error" for p in all_checks)
    checks, more_checks = cap(all_checks)
    return {"ok": ok, "problems": problems, "more_problems": more, "checks": checks, "more_checks": more_checks}


@router.post("/validate", response={200: ValidateOut, ERRORS: ErrorOut}, url_name="api_validate",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "$ref": "#/components/schemas/DesignDocument"}}}}})
def validate_document(request):
    if not request.auth.is_authenticated:
        # Validation costs CPU and needs no account: anonymous callers share a budget per address.
        limits.hit("validate_anon", limits.client_address(request), what="validations")
    limits.check_body_size(request)
    body = request.body
    if len(body) > offload.OFFLOAD_BYTES:
        return offload.validate_bytes(body, report)  # in another process: designer/offload.py says why
    return report(*parse_json_measured(body))


@router.get("/designs/{int:design_id}/validate", response={200: ValidateOut, ERRORS: ErrorOut},
            url_name="api_design_validate")
def validate_design(request, design_id: int):
    access = access_design(request.auth, design_id, Need.VIEW)
    return report(access.design.document)
