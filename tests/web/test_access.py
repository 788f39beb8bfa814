"""designer.access: roles, share links remembered in the session, memberships via links, trash."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone
from webhelpers import make_design, make_user

from designer.access import (
    SESSION_KEY,
    Actor,
    Need,
    access_design,
    actor_from_request,
    role_of,
    visible_designs,
)
from designer.actions import (
    do_add_member,
    do_create_share_link,
    do_open_share_link,
    do_revoke_share_link,
    do_trash_design,
)
from designer.errors import DesignNotFound
from designer.models import Membership

pytestmark = pytest.mark.django_db


def request_for(user=None, tokens=()):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    if tokens:
        request.session[SESSION_KEY] = list(tokens)
    return request


def remember_link(request, token):
    """Open a link as the page `/s/<token>/` does."""
    return do_open_share_link(actor_from_request(request), request.session, token)


@pytest.mark.parametrize(
    "role, need, allowed",
    [
        ("owner", Need.OWNER, True), ("owner", Need.EDIT, True), ("owner", Need.VIEW, True),
        ("editor", Need.OWNER, False), ("editor", Need.EDIT, True), ("editor", Need.VIEW, True),
        ("viewer", Need.EDIT, False), ("viewer", Need.VIEW, True),
        ("stranger", Need.VIEW, False),
    ],
)
def test_member_roles(world, role, need, allowed):
    actor = Actor(world.users[role])
    if allowed:
        assert access_design(actor, world.design.pk, need).design == world.design
    else:
        with pytest.raises(DesignNotFound):
            access_design(actor, world.design.pk, need)


@pytest.mark.parametrize("design_id", [0, -1, "abc", None, 2**63, 10**30, "1; DROP TABLE"])
def test_odd_ids_are_not_found(world, design_id):
    with pytest.raises(DesignNotFound):
        access_design(Actor(world.users["owner"]), design_id, Need.VIEW)


def test_examples_are_viewable_by_anyone_and_nothing_more(world):
    world.design.is_example = True
    world.design.save()
    anonymous = Actor.anonymous()
    assert access_design(anonymous, world.design.pk, Need.VIEW).role == "viewer"
    with pytest.raises(DesignNotFound):
        access_design(anonymous, world.design.pk, Need.EDIT)


def test_opening_a_link_signed_in_records_a_membership(world):
    stranger = world.users["stranger"]
    link = world.links["link_editor"]
    request = request_for(stranger)
    assert remember_link(request, link.token) == link
    assert request.session[SESSION_KEY] == [link.token]
    membership = Membership.objects.get(user=stranger, design=world.design)
    assert (membership.role, membership.via_link_id) == ("editor", link.pk)
    assert [d.pk for d in visible_designs(Actor(stranger), "shared")] == [world.design.pk]

    # Revoking the link ends the membership's effect (the session token is gone too here).
    do_revoke_share_link(Actor(world.users["owner"]), link)
    assert role_of(Actor(stranger), world.design) is None
    assert list(visible_designs(Actor(stranger), "shared")) == []


def test_a_stronger_link_upgrades_a_link_membership_but_a_direct_one_stays(world):
    stranger = world.users["stranger"]
    remember_link(request_for(stranger), world.links["link_viewer"].token)
    remember_link(request_for(stranger), world.links["link_editor"].token)
    assert Membership.objects.get(user=stranger).role == "editor"
    viewer = world.users["viewer"]
    remember_link(request_for(viewer), world.links["link_editor"].token)
    membership = Membership.objects.get(user=viewer)
    assert (membership.role, membership.via_link) == ("viewer", None)


def test_owner_opening_own_link_gets_no_membership(world):
    remember_link(request_for(world.users["owner"]), world.links["link_viewer"].token)
    assert not Membership.objects.filter(user=world.users["owner"]).exists()


@pytest.mark.parametrize("which", ["revoked_link", "expired_link"])
def test_dead_links_cannot_be_opened(world, which):
    request = request_for(world.users["stranger"])
    with pytest.raises(DesignNotFound, match="This share link does not exist or is no longer valid."):
        remember_link(request, world.links[which].token)
    assert SESSION_KEY not in request.session
    assert not Membership.objects.filter(user=world.users["stranger"]).exists()


@pytest.mark.parametrize("token", ["", "x" * 65, "nope"])
def test_unknown_tokens_cannot_be_opened(world, token):
    with pytest.raises(DesignNotFound):
        remember_link(request_for(), token)


def test_link_expiring_later_stops_working(world):
    owner = Actor(world.users["owner"])
    link = do_create_share_link(owner, world.design, role="viewer", expires_at=timezone.now() + dt.timedelta(hours=1))
    actor = Actor.anonymous()
    actor = Actor(actor.user, (link.token,))
    assert access_design(actor, world.design.pk, Need.VIEW).role == "viewer"
    link.expires_at = timezone.now() - dt.timedelta(seconds=1)
    link.save()
    with pytest.raises(DesignNotFound):
        access_design(actor, world.design.pk, Need.VIEW)


def test_trashed_design_only_for_its_owner_through_the_trash_door(world):
    owner = Actor(world.users["owner"])
    do_trash_design(owner, world.design)
    with pytest.raises(DesignNotFound):
        access_design(owner, world.design.pk, Need.VIEW)
    assert access_design(owner, world.design.pk, Need.OWNER, trashed=True).role == "owner"
    with pytest.raises(DesignNotFound):
        access_design(Actor(world.users["editor"]), world.design.pk, Need.VIEW, trashed=True)


def test_direct_membership_lists_under_shared(db):
    alice, bob = make_user("alice"), make_user("bob")
    design = make_design(alice)
    do_add_member(Actor(alice), design, bob, "viewer")
    assert [d.pk for d in visible_designs(Actor(bob), "shared")] == [design.pk]
    assert [d.pk for d in visible_designs(Actor(alice), "mine")] == [design.pk]


# ---------------------------------------------------------------- the websocket's actor


def scope_of(client) -> dict:
    from django.conf import settings

    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return {"cookies": {settings.SESSION_COOKIE_NAME: cookie.value} if cookie else {}}


def session_row(client):
    from django.contrib.sessions.models import Session

    return Session.objects.filter(session_key=client.cookies["sessionid"].value).values_list(
        "session_key", "session_data").first()


def test_scope_actor_is_the_signed_in_user_with_the_sessions_links(world):
    from designer.access import actor_from_scope

    client = world.client("viewer")
    session = client.session
    session[SESSION_KEY] = [world.links["link_editor"].token]
    session.save()
    actor = actor_from_scope(scope_of(client))
    assert (actor.user, actor.link_tokens) == (world.users["viewer"], (world.links["link_editor"].token,))
    client.logout()
    assert actor_from_scope(scope_of(client)) == Actor.anonymous()
    assert actor_from_scope({"cookies": {"sessionid": "no-such-session"}}) == Actor.anonymous()
    assert actor_from_scope({}) == Actor.anonymous()


def test_scope_actor_after_a_password_change_elsewhere_is_anonymous_and_the_session_is_untouched(world):
    from designer.access import actor_from_scope

    client = world.client("editor")
    session = client.session
    session[SESSION_KEY] = [world.links["link_viewer"].token]
    session.save()
    before = session_row(client)
    world.users["editor"].set_password("another-horse-battery-7")
    world.users["editor"].save()
    # As over HTTP, a stale session holds neither the user nor its links; the socket only reads:
    # the next HTTP request flushes the session (and sets the cookie).
    assert actor_from_scope(scope_of(client)) == Actor.anonymous()
    assert session_row(client) == before


def test_scope_actor_honours_secret_key_fallbacks_without_rekeying_the_session(world, settings):
    """Django's own auth.get_user accepts a session signed with a key in SECRET_KEY_FALLBACKS (a
    hand-made hash check did not). It also re-keys such a session, which a socket must not do:
    the browser's cookie would name a deleted session."""
    from designer.access import actor_from_scope

    client = world.client("owner")
    before = session_row(client)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-that-is-long-enough-for-django-0123456789"
    assert actor_from_scope(scope_of(client)).user == world.users["owner"]
    assert session_row(client) == before
