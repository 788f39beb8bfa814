"""The JSON API at /api/ (django-ninja; OpenAPI 3.1 at /api/openapi.json, Swagger UI at /api/docs).

Contract of this layer:
- every operation gets the caller as `request.auth`, an `access.Actor` (signed-in user or
  anonymous, plus the share-link tokens of the session); permission is decided by
  `access.access_design` inside the operation, never here;
- unsafe methods pass Django's CSRF check, signed in or not (a link editor may be anonymous);
- bodies are parsed by the strict parser (`jsondoor.StrictJSONParser`);
- every error answer is `{"code", "msg", "problems": [{code, path, msg}]}` with its status
  (designer.api.handlers); a missing and a forbidden design are the same 404.
"""

from designer.api.auth import ActorAuth
from designer.api.handlers import install_handlers
from designer.api.openapi import DesignerAPI
from designer.jsondoor import StrictJSONParser

api = DesignerAPI(
    title="Network designer API",
    version="1",
    description="Saved designs, revisions, sharing, import/export and validation.",
    urls_namespace="api",
    auth=ActorAuth(),
    parser=StrictJSONParser(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_handlers(api)


def _mount() -> None:
    from designer.api import designs, links, revisions, runs, validation

    api.add_router("", designs.router)
    api.add_router("", revisions.router)
    api.add_router("", links.router)
    api.add_router("", validation.router)
    api.add_router("", runs.router)


_mount()
