"""Expected statuses of the API urls (designer/api, mounted at /api/) for every role, for the role x
endpoint matrix in test_permission_matrix.py (the page rows are in matrix_pages.py).

`API_EXPECTATIONS[url_name][method][role] = status`, for the world of webhelpers.build_world(): one
design (not an example, version 1, revision 1) owned by `owner`; members `editor` and `viewer`;
anonymous sessions holding a link (`link_viewer`, `link_editor`, `revoked_link`, `expired_link`);
`stranger` signed in without access; `anonymous`.

Unlike the pages, API cells send a VALID body (`API_BODIES`), so that a refusal comes from the
permission check and not from body validation (an empty PUT would be 422 for everyone and prove
nothing). Reading the rows: whoever may not see the design gets 404, the same as for a missing
design; whoever may see it but not do the thing gets 404 too (one answer for "forbidden"); an
anonymous session that may see a design but needs an account to own a copy gets 401.
"""

import json

from webhelpers import example_document

SIGNED_IN = ("owner", "editor", "viewer", "stranger")
ANONYMOUS = ("link_viewer", "link_editor", "revoked_link", "expired_link", "anonymous")
ROLES = SIGNED_IN + ANONYMOUS
VIEWERS = ("owner", "editor", "viewer", "link_viewer", "link_editor")
EDITORS = ("owner", "editor", "link_editor")


def everyone(status: int) -> dict[str, int]:
    return {role: status for role in ROLES}


def on_design(allowed: tuple[str, ...], ok: int) -> dict[str, int]:
    return {role: (ok if role in allowed else 404) for role in ROLES}


def account_needed(ok: int) -> dict[str, int]:
    return {role: (ok if role in SIGNED_IN else 401) for role in ROLES}


API_KWARGS = {
    "design_id": lambda world: world.design.pk,
    "link_id": lambda world: world.links["link_viewer"].pk,
    "number": lambda world: 1,
}


def _json(body):
    return lambda world: {"data": json.dumps(body), "content_type": "application/json"}


def _import_file(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = json.dumps(example_document()).encode()
    return {"data": {"file": SimpleUploadedFile("lab.json", raw, content_type="application/json")}}


# (url_name, method) -> world -> keyword arguments for the test client call.
API_BODIES = {
    ("api_designs", "POST"): _json({"name": "New design"}),
    ("api_design", "PUT"): _json({"base_version": 1, "name": "Renamed"}),
    ("api_links", "POST"): _json({"role": "viewer"}),
    ("api_validate", "POST"): _json(example_document()),
    ("api_design_import", "POST"): _import_file,
}

API_EXPECTATIONS = {
    "openapi-json": {"GET": everyone(200)},
    "openapi-view": {"GET": everyone(200)},
    "api-root": {"GET": everyone(404)},
    "api_designs": {"GET": everyone(200), "POST": account_needed(201)},
    "api_design": {"GET": on_design(VIEWERS, 200), "PUT": on_design(EDITORS, 200), "DELETE": on_design(("owner",), 200)},
    # Restore finds only trashed designs; the world's design is alive: 404 even for its owner.
    "api_design_restore": {"POST": everyone(404)},
    # Anyone who can see it may copy it, but a copy needs an owner: link holders without an account get 401.
    "api_design_duplicate": {"POST": {**on_design(VIEWERS, 201), "link_viewer": 401, "link_editor": 401}},
    "api_design_import": {"POST": account_needed(201)},
    "api_design_export": {"GET": on_design(VIEWERS, 200)},
    # Everyone's own trash (empty for all here; anonymous has none).
    "api_trash": {"GET": everyone(200)},
    "api_revisions": {"GET": on_design(VIEWERS, 200)},
    "api_revision": {"GET": on_design(VIEWERS, 200)},
    "api_revision_restore": {"POST": on_design(EDITORS, 200)},
    "api_links": {"GET": on_design(("owner",), 200), "POST": on_design(("owner",), 201)},
    "api_link": {"DELETE": on_design(("owner",), 200)},
    # Validation of a posted document touches no design: open to all.
    "api_validate": {"POST": everyone(200)},
    "api_design_validate": {"GET": on_design(VIEWERS, 200)},
    # The world has no run going: 404 for all (`run.none` for viewers, not found for the others);
    # the downloads of a live run, and who may make them, are in test_sim_pcap.py.
    "api_run_pcap": {"GET": everyone(404)},
}
