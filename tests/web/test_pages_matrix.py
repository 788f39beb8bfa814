"""The page rows of the role x endpoint matrix (matrix_pages.py), run cell by cell. The full matrix
over every URL pattern, API included, is test_permission_matrix.py; this file checks the page
expectations on their own and that no forbidden page answer carries design data."""

import pytest
from django.urls import reverse
from matrix_pages import PAGE_EXPECTATIONS, PAGE_KWARGS
from webhelpers import build_world

from designer.models import Design, Membership, Revision, ShareLink

CELLS = [
    (name, method, role, status)
    for name, methods in PAGE_EXPECTATIONS.items()
    for method, roles in methods.items()
    for role, status in roles.items()
]


def url_for(name: str, world) -> str:
    from django.urls import get_resolver

    pattern = get_resolver().reverse_dict.getlist(name)[0][0][0][1]
    return reverse(name, kwargs={arg: PAGE_KWARGS[arg](world) for arg in pattern})


def database_state():
    return (
        list(Design.objects.order_by("pk").values_list("pk", "version", "name", "deleted_at")),
        list(ShareLink.objects.order_by("pk").values_list("pk", "revoked_at")),
        Revision.objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, role, status", CELLS, ids=[f"{n}-{m}-{r}" for n, m, r, _ in CELLS])
def test_page_cell(name, method, role, status):
    world = build_world()
    client = world.client(role)
    before = database_state()
    answer = getattr(client, method.lower())(url_for(name, world))
    assert answer.status_code == status
    if status in (404, 405) or (status == 302 and answer["Location"].startswith("/accounts/login/")):
        assert world.design.name.encode() not in answer.content
        assert database_state() == before
