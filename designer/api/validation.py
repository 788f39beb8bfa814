"""Validation without saving: schema problems and design checks (simcore.design)."""

from __future__ import annotations

import logging
from typing import Any

from ninja import Router

from designer import limits
from designer.access import Need, access_design
from designer.api.schemas import ErrorOut, ValidateOut
from designer.jsondoor import parse_json

log = logging.getLogger(__name__)
ERRORS = frozenset(range(400, 430))
router = Router(tags=["validation"])


def _as_dict(p: Any) -> dict:
    d = dict(p.to_dict()) if hasattr(p, "to_dict") else dict(p)
    if "objects" in d and d["objects"] is not None:
        d["objects"] = [str(o) for o in d["objects"]]
    return d


def report(document: Any) -> dict:
    """`{ok, problems, checks}`: schema/reference problems; design checks only for a document
    that passed the schema (the checks assume its shape)."""
    from simcore.design import check, validate

    if not isinstance(document, dict):
        return {"ok": False, "problems": [{"code": "schema.type", "path": "", "msg": "a design document is a JSON object"}],
                "checks": []}
    limits.check_document_size(document)
    problems = [_as_dict(p) for p in validate(document)]
    checks: list[dict] = []
    if not any(p.get("severity", "error") == "error" for p in problems):
        try:
            checks = [_as_dict(p) for p in check(document)]
        except Exception:  # a bug in one check must not hide the others' answer as a 500
            log.exception("design checks failed")
            checks = [{"code": "check.internal", "path": "", "msg": "The design checks failed on this document.",
                       "severity": "warning"}]
    ok = not any(p.get("severity", "error") == "error" for p in problems + checks)
    return {"ok": ok, "problems": problems, "checks": checks}


@router.post("/validate", response={200: ValidateOut, ERRORS: ErrorOut}, url_name="api_validate",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "$ref": "#/components/schemas/DesignDocument"}}}}})
def validate_document(request):
    return report(parse_json(request.body))


@router.get("/designs/{int:design_id}/validate", response={200: ValidateOut, ERRORS: ErrorOut},
            url_name="api_design_validate")
def validate_design(request, design_id: int):
    access = access_design(request.auth, design_id, Need.VIEW)
    return report(access.design.document)
