"""The role x endpoint matrix, enumerated from the URLconf.

- every named URL pattern (pages and API) must have expectations in matrix_pages.py or
  matrix_api.py: a new endpoint left out fails `test_every_url_pattern_has_expectations`;
- every API cell is run on a fresh world: the status is the expected one, a refused answer
  carries no design data, and leaves the database as it was;
- all refused cells, pages and API together, run one after the other on ONE world leave its
  database unchanged (nothing slips through in combination).

Page cells are also run one by one in test_pages_matrix.py.
"""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from matrix_api import API_BODIES, API_EXPECTATIONS, API_KWARGS
from matrix_pages import PAGE_EXPECTATIONS, PAGE_KWARGS
from webhelpers import build_world

from designer.models import Design, Membership, Revision, ShareLink

# Namespaces not in the matrix, each with the test that covers it instead.
EXCLUDED_NAMESPACES = {"admin": "Django's admin: staff only, see test_admin_refuses_every_role"}
REFUSED = (401, 403, 404, 405)
CELL_ROLES = ("owner", "editor", "viewer", "link_viewer", "link_editor", "revoked_link", "expired_link",
              "stranger", "anonymous")


def url_patterns(patterns=None, namespace=None):
    """(namespace, name, route) of every pattern in the URLconf."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from url_patterns(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield namespace, p.name, str(p.pattern)


def test_every_url_pattern_has_expectations():
    expected = {**PAGE_EXPECTATIONS, **API_EXPECTATIONS}
    missing = [
        f"{namespace or ''}:{name} ({route})"
        for namespace, name, route in url_patterns()
        if namespace not in EXCLUDED_NAMESPACES and name not in expected
    ]
    assert missing == []


def test_every_expectation_names_all_roles():
    for table in (PAGE_EXPECTATIONS, API_EXPECTATIONS):
        for name, methods in table.items():
            for method, roles in methods.items():
                assert sorted(roles) == sorted(CELL_ROLES), f"{name} {method}"


def test_expectations_name_existing_patterns():
    names = {name for _, name, _ in url_patterns()}
    assert sorted(set(API_EXPECTATIONS) - names) == []
    assert sorted(set(PAGE_EXPECTATIONS) - names) == []


def _kwargs_for(name: str, world, kwargs_table) -> dict:
    namespace = "api" if name in API_EXPECTATIONS else None
    full = f"{namespace}:{name}" if namespace else name
    resolver = get_resolver().namespace_dict["api"][1] if namespace else get_resolver()
    params = resolver.reverse_dict.getlist(name)[0][0][0][1]
    return full, {arg: kwargs_table[arg](world) for arg in params}


def url_for(name: str, world) -> str:
    table = API_KWARGS if name in API_EXPECTATIONS else PAGE_KWARGS
    full, kwargs = _kwargs_for(name, world, table)
    return reverse(full, kwargs=kwargs)


def call(world, role: str, name: str, method: str):
    client = world.client(role)
    body = API_BODIES.get((name, method))
    extra = body(world) if body else {}
    return getattr(client, method.lower())(url_for(name, world), **extra)


def database_state():
    return (
        list(Design.objects.order_by("pk").values_list("pk", "version", "name", "description", "document",
                                                      "deleted_at", "owner_id", "is_example")),
        list(ShareLink.objects.order_by("pk").values_list("pk", "role", "revoked_at", "expires_at")),
        list(Revision.objects.order_by("pk").values_list("pk", "design_id", "number")),
        list(Membership.objects.order_by("pk").values_list("pk", "user_id", "design_id", "role", "via_link_id")),
    )


def assert_no_design_data(world, content: bytes) -> None:
    for secret in (world.design.name, "08:00:27:00:56:11", "Ubuntu 24.04", world.links["link_editor"].token):
        assert secret.encode() not in content, secret


API_CELLS = [
    (name, method, role, status)
    for name, methods in API_EXPECTATIONS.items()
    for method, roles in methods.items()
    for role, status in roles.items()
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, role, status", API_CELLS, ids=[f"{n}-{m}-{r}" for n, m, r, _ in API_CELLS])
def test_api_cell(name, method, role, status):
    world = build_world()
    before = database_state()
    answer = call(world, role, name, method)
    assert answer.status_code == status, answer.content[:300]
    if status in REFUSED:
        assert_no_design_data(world, answer.content)
        assert database_state() == before
        if name.startswith("api_"):
            assert answer["Content-Type"].startswith("application/json")
            assert set(answer.json()) >= {"code", "msg", "problems"}


def is_refusal(answer) -> bool:
    if answer.status_code in REFUSED:
        return True
    return answer.status_code == 302 and answer["Location"].startswith(("/accounts/login/", "/admin/login/"))


@pytest.mark.django_db
def test_all_refused_attempts_together_change_nothing():
    """Every cell on ONE world, in table order; a cell that succeeds is rolled back (its savepoint),
    a refused one is kept. The database must end as it began."""
    world = build_world()
    before = database_state()
    refused = 0
    for table in (PAGE_EXPECTATIONS, API_EXPECTATIONS):
        for name, methods in table.items():
            for method, roles in methods.items():
                for role, status in roles.items():
                    sid = transaction.savepoint()
                    answer = call(world, role, name, method)
                    assert answer.status_code == status, (name, method, role)
                    if is_refusal(answer):
                        transaction.savepoint_commit(sid)
                        refused += 1
                    else:
                        transaction.savepoint_rollback(sid)
    assert refused > 100
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", CELL_ROLES)
def test_admin_refuses_every_role(role):
    world = build_world()
    answer = world.client(role).get("/admin/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/")
