"""Designs: list, create, get, update, trash/restore, duplicate, import/export, trash list.

Thin views: `request.auth` is the Actor (designer.api.auth), `access_design` fetches and
authorizes, one `do_*` action changes state. Errors are raised as DesignerError and rendered by
the API's handler as `{code, msg, problems}`.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from designer import actions, limits
from designer.access import Need, access_design, role_of, trashed_designs, visible_designs
from designer.api.present import design_full, design_summary
from designer.api.schemas import DesignCreateIn, DesignOut, DesignSummaryOut, DesignUpdateIn, ErrorOut
from designer.errors import AuthRequired

ERRORS = frozenset(range(400, 430))
router = Router(tags=["designs"])


class ListQuery(Schema):
    scope: Literal["mine", "shared", "examples"] = "mine"
    limit: int = 100
    offset: int = 0


@router.get("/designs", response={200: list[DesignSummaryOut], ERRORS: ErrorOut}, url_name="api_designs")
def list_designs(request, query: Query[ListQuery]):
    actor = request.auth
    limit = min(max(query.limit, 1), 500)
    offset = min(max(query.offset, 0), 10**9)
    designs = visible_designs(actor, query.scope).select_related("owner")[offset:offset + limit]
    role = {"mine": "owner", "examples": None, "shared": None}[query.scope]
    return [design_summary(d, role or role_of(actor, d) or "viewer") for d in designs]


@router.post("/designs", response={201: DesignOut, ERRORS: ErrorOut}, url_name="api_designs")
def create_design(request, payload: DesignCreateIn):
    design = actions.do_create_design(
        request.auth.user, name=payload.name, description=payload.description, document=payload.document
    )
    return Status(201, design_full(design, "owner"))


@router.get("/designs/{int:design_id}", response={200: DesignOut, ERRORS: ErrorOut}, url_name="api_design")
def get_design(request, design_id: int):
    access = access_design(request.auth, design_id, Need.VIEW)
    return design_full(access.design, access.role)


@router.put("/designs/{int:design_id}", response={200: DesignOut, ERRORS: ErrorOut}, url_name="api_design")
def update_design(request, design_id: int, payload: DesignUpdateIn):
    access = access_design(request.auth, design_id, Need.EDIT)
    design = actions.do_update_design(
        request.auth, access.design, base_version=payload.base_version, document=payload.document,
        name=payload.name, description=payload.description,
    )
    return design_full(design, access.role)


@router.delete("/designs/{int:design_id}", response={200: DesignSummaryOut, ERRORS: ErrorOut},
               url_name="api_design")
def trash_design(request, design_id: int):
    access = access_design(request.auth, design_id, Need.OWNER)
    design = actions.do_trash_design(request.auth, access.design)
    return design_summary(design, "owner")


@router.post("/designs/{int:design_id}/restore", response={200: DesignSummaryOut, ERRORS: ErrorOut},
             url_name="api_design_restore")
def restore_design(request, design_id: int):
    access = access_design(request.auth, design_id, Need.OWNER, trashed=True)
    design = actions.do_restore_design(request.auth, access.design)
    return design_summary(design, "owner")


@router.post("/designs/{int:design_id}/duplicate", response={201: DesignOut, ERRORS: ErrorOut},
             url_name="api_design_duplicate")
def duplicate_design(request, design_id: int):
    access = access_design(request.auth, design_id, Need.VIEW)
    if not request.auth.is_authenticated:
        raise AuthRequired("Sign in to make your own copy.")
    copy = actions.do_duplicate_design(request.auth, access.design, request.auth.user)
    return Status(201, design_full(copy, "owner"))


@router.post("/designs/import", response={201: DesignOut, ERRORS: ErrorOut}, url_name="api_design_import")
def import_design(request, file: File[UploadedFile]):
    if not request.auth.is_authenticated:
        raise AuthRequired("Sign in to import a design.")
    # Refuse an oversized file before reading it into memory.
    limits.check_import_size(file.size or 0)
    raw = file.read(limits.MAX_IMPORT_BYTES + 1)
    design = actions.do_import_design(request.auth.user, raw, file.name or "")
    return Status(201, design_full(design, "owner"))


@router.get("/designs/{int:design_id}/export", response={200: None, ERRORS: ErrorOut}, url_name="api_design_export",
            openapi_extra={"responses": {200: {"description": "The design document as a file",
                                               "content": {"application/json": {"schema": {
                                                   "$ref": "#/components/schemas/DesignDocument"}}}}}})
def export_design(request, design_id: int):
    access = access_design(request.auth, design_id, Need.VIEW)
    return HttpResponse(actions.export_design(access.design), content_type="application/json", headers={
        "Content-Disposition": content_disposition_header(True, actions.export_filename(access.design))})


@router.get("/trash", response={200: list[DesignSummaryOut], ERRORS: ErrorOut}, url_name="api_trash")
def list_trash(request):
    return [design_summary(d, "owner") for d in trashed_designs(request.auth).select_related("owner")[:500]]
