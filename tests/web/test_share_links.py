"""Share links are fetched through one function, `designer.access.access_share_link`: a link
that is missing, expired, revoked, on a trashed design, or asked for by someone who is not the
owner gives the same answer, on the API and on the pages."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from webhelpers import make_design

from designer.access import Actor, access_share_link
from designer.actions import do_trash_design
from designer.errors import DesignNotFound
from designer.models import Design, ShareLink

pytestmark = pytest.mark.django_db
GONE = {"code": "link.not_found", "msg": "This share link does not exist or is no longer valid.", "problems": []}


def refusal(**kwargs) -> dict:
    actor = kwargs.pop("actor")
    with pytest.raises(DesignNotFound) as caught:
        access_share_link(actor, **kwargs)
    return caught.value.to_dict()


def trash(world) -> None:
    Design.objects.filter(pk=world.design.pk).update(deleted_at=timezone.now())


def test_an_active_link_is_found_by_its_token_by_anyone_and_by_its_id_by_the_owner(world):
    link = world.links["link_editor"]
    assert access_share_link(Actor.anonymous(), token=link.token) == link
    assert access_share_link(Actor(world.users["owner"]), design_id=world.design.pk, link_id=link.pk) == link


@pytest.mark.parametrize("token", ["revoked_link", "expired_link", "nope", "", "x" * 65, None, 42])
def test_every_dead_token_looks_the_same(world, token):
    token = world.links[token].token if token in world.links else token
    if token is None:  # no token and no id at all
        assert refusal(actor=Actor.anonymous()) == GONE
    else:
        assert refusal(actor=Actor(world.users["stranger"]), token=token) == GONE


def test_a_token_of_a_trashed_design_looks_dead(world):
    trash(world)
    assert refusal(actor=Actor.anonymous(), token=world.links["link_viewer"].token) == GONE


@pytest.mark.parametrize("who, which", [
    ("owner", "revoked_link"), ("owner", "expired_link"), ("owner", "missing"), ("owner", "malformed"),
    ("owner", "other design's"), ("editor", "link_viewer"), ("viewer", "link_viewer"),
    ("stranger", "link_viewer"), ("anonymous", "link_viewer"),
])
def test_by_id_missing_dead_and_forbidden_look_the_same(world, who, which):
    other = ShareLink.objects.create(design=make_design(world.users["owner"], name="Other"), role="viewer")
    link_id = {"missing": 10**9, "malformed": "1; DROP", "other design's": other.pk}.get(which)
    if link_id is None:
        link_id = world.links[which].pk
    actor = Actor.anonymous() if who == "anonymous" else Actor(world.users[who])
    assert refusal(actor=actor, design_id=world.design.pk, link_id=link_id) == GONE


def test_by_id_on_a_trashed_or_missing_design_looks_the_same(world):
    owner = Actor(world.users["owner"])
    assert refusal(actor=owner, design_id=10**9, link_id=world.links["link_viewer"].pk) == GONE
    do_trash_design(owner, world.design)
    assert refusal(actor=owner, design_id=world.design.pk, link_id=world.links["link_viewer"].pk) == GONE


def test_a_token_with_an_id_is_a_programming_error(world):
    with pytest.raises(TypeError):
        access_share_link(Actor.anonymous(), token="x", design_id=world.design.pk, link_id=1)


@pytest.mark.parametrize("role, which", [
    ("owner", "revoked_link"), ("owner", "expired_link"), ("owner", "missing"), ("stranger", "link_viewer"),
    ("editor", "link_viewer"), ("link_editor", "link_viewer"),
])
def test_api_revoke_answers_one_404_for_missing_dead_and_forbidden(world, role, which):
    link_id = 10**9 if which == "missing" else world.links[which].pk
    before = list(ShareLink.objects.order_by("pk").values_list("pk", "revoked_at"))
    answer = world.client(role).delete(f"/api/designs/{world.design.pk}/links/{link_id}")
    assert (answer.status_code, answer.json()) == (404, GONE)
    assert list(ShareLink.objects.order_by("pk").values_list("pk", "revoked_at")) == before


def test_api_revoke_twice_is_200_then_the_same_404(world):
    client = world.client("owner")
    url = f"/api/designs/{world.design.pk}/links/{world.links['link_viewer'].pk}"
    first = client.delete(url)
    assert (first.status_code, first.json()["active"]) == (200, False)
    second = client.delete(url)
    assert (second.status_code, second.json()) == (404, GONE)


@pytest.mark.parametrize("which", ["revoked_link", "expired_link", "link_viewer"])
def test_page_revoke_of_a_dead_or_foreign_link_is_the_same_404(world, which):
    other_client = world.client("owner")
    if which == "link_viewer":  # someone else's design, as its owner sees it: an active link
        other_client = world.client("stranger")
    answer = other_client.post(reverse("design_share_revoke", args=[world.design.pk, world.links[which].pk]))
    assert answer.status_code == 404
    assert world.links[which].token.encode() not in answer.content


def test_share_dialog_and_api_list_every_link_for_the_owner(world):
    listed = world.client("owner").get(f"/api/designs/{world.design.pk}/links").json()
    states = {item["id"]: item["active"] for item in listed}
    assert states == {world.links[k].pk: k in ("link_viewer", "link_editor") for k in world.links}
    page = world.client("owner").get(reverse("design_share", args=[world.design.pk]))
    assert {row["link"].pk: row["state"] for row in page.context["links"]} == {
        world.links["link_viewer"].pk: "active", world.links["link_editor"].pk: "active",
        world.links["revoked_link"].pk: "revoked", world.links["expired_link"].pk: "expired",
    }


def test_opening_a_link_of_a_trashed_design_is_the_dead_link_page(world):
    trash(world)
    answer = world.client("anonymous").get(reverse("share_link_open", args=[world.links["link_viewer"].token]))
    assert answer.status_code == 404
    assert "The link is unknown, revoked or expired." in answer.content.decode()


def test_a_link_expiring_now_is_dead_on_every_door(world):
    link = world.links["link_editor"]
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(microseconds=1))
    assert refusal(actor=Actor.anonymous(), token=link.token) == GONE
    answer = world.client("owner").delete(f"/api/designs/{world.design.pk}/links/{link.pk}")
    assert json.loads(answer.content) == GONE
