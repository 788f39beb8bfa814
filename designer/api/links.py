"""Share links: the owner creates, lists and revokes them. Opening one is a page (/s/<token>/)."""

from __future__ import annotations

from ninja import Router, Status

from designer import actions
from designer.access import Need, access_design, access_share_link, share_links_of
from designer.api.present import link_out
from designer.api.schemas import ErrorOut, LinkIn, LinkOut

ERRORS = frozenset(range(400, 430))
router = Router(tags=["sharing"])


@router.get("/designs/{int:design_id}/links", response={200: list[LinkOut], ERRORS: ErrorOut}, url_name="api_links")
def list_links(request, design_id: int):
    access = access_design(request.auth, design_id, Need.OWNER)
    return [link_out(link) for link in share_links_of(access)[:1000]]


@router.post("/designs/{int:design_id}/links", response={201: LinkOut, ERRORS: ErrorOut}, url_name="api_links")
def create_link(request, design_id: int, payload: LinkIn):
    access = access_design(request.auth, design_id, Need.OWNER)
    link = actions.do_create_share_link(request.auth, access.design, role=payload.role, expires_at=payload.expires_at)
    return Status(201, link_out(link))


@router.delete("/designs/{int:design_id}/links/{int:link_id}", response={200: LinkOut, ERRORS: ErrorOut},
               url_name="api_link")
def revoke_link(request, design_id: int, link_id: int):
    link = access_share_link(request.auth, design_id=design_id, link_id=link_id)
    return link_out(actions.do_revoke_share_link(request.auth, link))
