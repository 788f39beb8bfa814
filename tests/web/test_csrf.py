"""CSRF on every unsafe method, with a client that enforces it (Django's test client does not by
default). Without a token: 403 and nothing changed; with one: the same request
goes through (so the 403 is the CSRF check, not something else)."""

import pytest
from django.middleware.csrf import _get_new_csrf_string
from matrix_api import API_EXPECTATIONS
from matrix_pages import PAGE_EXPECTATIONS
from test_permission_matrix import API_BODIES, database_state, url_for
from webhelpers import build_world

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# (url_name, method, role): the role for whom the request would succeed (or do something).
CASES = [
    (name, method, "owner")
    for table in (PAGE_EXPECTATIONS, API_EXPECTATIONS)
    for name, methods in table.items()
    for method in methods
    if method in UNSAFE and name not in ("logout",)
] + [
    ("api_design", "PUT", "link_editor"),  # an anonymous session holding an editor link
    ("logout", "POST", "owner"),
]


def send(client, world, name, method, headers=None):
    body = API_BODIES.get((name, method))
    extra = body(world) if body else {}
    return getattr(client, method.lower())(url_for(name, world), headers=headers or {}, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, role", CASES, ids=[f"{n}-{m}-{r}" for n, m, r in CASES])
def test_unsafe_method_needs_csrf_token(name, method, role):
    world = build_world()
    client = world.client(role, enforce_csrf=True)
    before = database_state()
    answer = send(client, world, name, method)
    assert answer.status_code == 403
    assert database_state() == before
    if name.startswith("api_"):
        assert answer.json()["code"] == "csrf.failed"

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    answer = send(client, world, name, method, headers={"X-CSRFToken": token})
    assert answer.status_code != 403


def test_every_unsafe_api_operation_is_covered():
    covered = {(n, m) for n, m, _ in CASES}
    unsafe = {(n, m) for n, methods in API_EXPECTATIONS.items() for m in methods if m in UNSAFE}
    assert unsafe <= covered
