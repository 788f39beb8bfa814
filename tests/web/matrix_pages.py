"""Expected statuses of the PAGE urls (designer/urls.py) for every role, for the role x endpoint
matrix in test_permission_matrix.py (the API rows are in matrix_api.py).

`PAGE_EXPECTATIONS[url_name][method][role] = status`, for the world of webhelpers.build_world():
one design (not an example, version 1) owned by `owner`; members `editor` and `viewer`; anonymous
sessions holding a link (`link_viewer`, `link_editor`, `revoked_link`, `expired_link`); `stranger`
signed in without access; `anonymous`. Unsafe methods are sent with an empty body.

URL arguments (`PAGE_KWARGS`): the world's design, the link_viewer link (its id for revoke, its
token for /s/<token>/) and revision 1.

Reading the rows: a page that needs an account sends anonymous sessions (link holders included) to
the log-in page (302) before anything else; a signed-in person without the needed role gets 404,
the same answer as for a missing design.
"""

SIGNED_IN = ("owner", "editor", "viewer", "stranger")
ANONYMOUS = ("link_viewer", "link_editor", "revoked_link", "expired_link", "anonymous")
ROLES = SIGNED_IN + ANONYMOUS
# Who may VIEW the design (members and live links) and who may EDIT it.
VIEWERS = ("owner", "editor", "viewer", "link_viewer", "link_editor")
EDITORS = ("owner", "editor", "link_editor")


def everyone(status: int) -> dict[str, int]:
    return {role: status for role in ROLES}


def account_page(signed_in: int, anonymous: int) -> dict[str, int]:
    """Sign-up and log-in pages: signed-in people are sent on (302)."""
    return {**{r: signed_in for r in SIGNED_IN}, **{r: anonymous for r in ANONYMOUS}}


def members_only(allowed: tuple[str, ...], ok: int) -> dict[str, int]:
    """A login_required page on the design: anonymous -> 302 to log in; allowed -> ok; else 404."""
    return {role: (302 if role in ANONYMOUS else ok if role in allowed else 404) for role in ROLES}


def on_design(allowed: tuple[str, ...], ok: int) -> dict[str, int]:
    """A page open to link holders too: allowed -> ok, anyone else -> 404."""
    return {role: (ok if role in allowed else 404) for role in ROLES}


PAGE_KWARGS = {
    "design_id": lambda world: world.design.pk,
    "link_id": lambda world: world.links["link_viewer"].pk,
    "number": lambda world: 1,
    "token": lambda world: world.links["link_viewer"].token,
    "lesson": lambda world: "nat-connection",
    "activity": lambda world: "nat-network",
    "class_id": lambda world: 2**40,  # the world has no class: every role gets the same 404 (test_lessons_classes)
    # nor a stored activity: the same 404 for every signed-in role (the real ones: test_lessons_authoring)
    "activity_id": lambda world: 2**40,
    "lesson_id": lambda world: 2**40,  # nor an imported lesson (the real ones: test_lessons_imported)
}

PAGE_EXPECTATIONS = {
    "home": {"GET": everyone(200), "POST": everyone(405)},
    "examples": {"GET": everyone(200)},
    "signup": {"GET": account_page(302, 200), "POST": account_page(302, 200)},
    "login": {"GET": account_page(302, 200), "POST": account_page(302, 200)},
    "logout": {"GET": everyone(405), "POST": everyone(302)},
    "password_change": {"GET": members_only(SIGNED_IN, 200), "POST": members_only(SIGNED_IN, 200)},
    # An empty form creates nothing: back home with a message.
    "design_new": {"GET": members_only(SIGNED_IN, 405), "POST": members_only(SIGNED_IN, 302)},
    "design_import": {"POST": members_only(SIGNED_IN, 302)},
    "design_detail": {"GET": on_design(VIEWERS, 200), "POST": everyone(405)},
    "design_present": {"GET": on_design(VIEWERS, 200), "POST": everyone(405)},
    "design_export": {"GET": on_design(VIEWERS, 200)},
    "design_copy": {"GET": members_only(SIGNED_IN, 405), "POST": members_only(("owner", "editor", "viewer"), 302)},
    "design_delete": {"GET": members_only(("owner",), 200), "POST": members_only(("owner",), 302)},
    # Restore finds only trashed designs: the world's design is alive, so it is 404 even for its owner.
    "design_restore": {"POST": members_only((), 302)},
    # An empty share form is re-shown with its errors (200), nothing created.
    "design_share": {"GET": members_only(("owner",), 200), "POST": members_only(("owner",), 200)},
    "design_share_revoke": {"POST": members_only(("owner",), 302)},
    "design_revisions": {"GET": on_design(VIEWERS, 200)},
    "design_revision_restore": {"POST": on_design(EDITORS, 302)},
    "trash": {"GET": members_only(SIGNED_IN, 200)},
    # The link_viewer token is live: whoever opens it is taken to the design.
    "share_link_open": {"GET": everyone(302)},
    # Lessons (designer/lessons): the pack's pages are public; making one's own copy needs an account.
    "lesson_list": {"GET": everyone(200), "POST": everyone(405)},
    "lesson_detail": {"GET": everyone(200), "POST": everyone(405)},
    "lesson_open": {"GET": members_only(SIGNED_IN, 405), "POST": members_only(SIGNED_IN, 302)},
    "lesson_export": {"GET": everyone(200)},
    "activity_detail": {"GET": everyone(200), "POST": everyone(405)},
    "activity_start": {"GET": members_only(SIGNED_IN, 405), "POST": members_only(SIGNED_IN, 302)},
    "activity_export": {"GET": everyone(200)},
    # The world's design is nobody's activity copy: the same 404 for all (a copy's rows: test_lessons_pages).
    "activity_work": {"GET": on_design((), 200), "POST": everyone(405)},
    "activity_score": {"GET": on_design((), 200), "POST": everyone(405)},
    # Classes: accounts only. An empty create form is refused (400); an empty join form is shown (200).
    "class_list": {"GET": members_only(SIGNED_IN, 200), "POST": members_only(SIGNED_IN, 400)},
    "class_join": {"GET": members_only(SIGNED_IN, 200), "POST": members_only(SIGNED_IN, 404)},
    "class_detail": {"GET": members_only((), 200), "POST": members_only(SIGNED_IN, 405)},
    "class_overview": {"GET": members_only((), 200)},
    "class_assign": {"POST": members_only((), 302)},
    "class_start": {"POST": members_only((), 302)},
    "class_reset": {"POST": members_only((), 302)},
    # A teacher's own activities (designer/lessons/mine.py): accounts only; a stored activity is its
    # owner's alone. Import without a file is refused (400); the activity form is on one's OWN design,
    # and an empty one is shown again with its problems (422), nothing saved.
    "my_activities": {"GET": members_only(SIGNED_IN, 200), "POST": members_only(SIGNED_IN, 405)},
    "activity_import": {"GET": members_only(SIGNED_IN, 405), "POST": members_only(SIGNED_IN, 400)},
    "activity_make": {"GET": members_only(("owner",), 200), "POST": members_only(("owner",), 422)},
    "my_activity": {"GET": members_only((), 200), "POST": members_only(SIGNED_IN, 405)},
    "my_activity_export": {"GET": members_only((), 200)},
    "my_activity_delete": {"GET": members_only(SIGNED_IN, 405), "POST": members_only((), 302)},
    "my_lesson": {"GET": members_only((), 200), "POST": members_only(SIGNED_IN, 405)},
    "my_lesson_open": {"GET": members_only(SIGNED_IN, 405), "POST": members_only((), 302)},
    "my_lesson_export": {"GET": members_only((), 200)},
    "my_lesson_delete": {"GET": members_only(SIGNED_IN, 405), "POST": members_only((), 302)},
}
