"""Revisions: every saved version of a design; restoring one writes a new revision."""

from __future__ import annotations

from ninja import Router

from designer import actions
from designer.access import Need, access_design, access_revision
from designer.api.present import design_full, revision_full, revision_summary
from designer.api.schemas import DesignOut, ErrorOut, RevisionOut, RevisionSummaryOut

ERRORS = frozenset(range(400, 430))
router = Router(tags=["revisions"])


@router.get("/designs/{int:design_id}/revisions", response={200: list[RevisionSummaryOut], ERRORS: ErrorOut},
            url_name="api_revisions")
def list_revisions(request, design_id: int):
    access = access_design(request.auth, design_id, Need.VIEW)
    revisions = access.design.revisions.select_related("author").order_by("-number")[:1000]
    return [revision_summary(r) for r in revisions]


@router.get("/designs/{int:design_id}/revisions/{int:number}", response={200: RevisionOut, ERRORS: ErrorOut},
            url_name="api_revision")
def get_revision(request, design_id: int, number: int):
    access = access_design(request.auth, design_id, Need.VIEW)
    return revision_full(access_revision(access, number))


@router.post("/designs/{int:design_id}/revisions/{int:number}/restore", response={200: DesignOut, ERRORS: ErrorOut},
             url_name="api_revision_restore")
def restore_revision(request, design_id: int, number: int):
    access = access_design(request.auth, design_id, Need.EDIT)
    design = actions.do_restore_revision(request.auth, access.design, number)
    return design_full(design, access.role)
