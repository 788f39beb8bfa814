"""The share dialog (create with expiry, list, revoke), opening /s/<token>/, and the revisions page."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from designer import actions
from designer.access import SESSION_KEY, Actor
from designer.models import Membership, ShareLink

pytestmark = pytest.mark.django_db
EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "examples" / "internal-switch.json").read_text())


@pytest.fixture
def owner():
    return get_user_model().objects.create_user("owner", password="pw-owner-12345")


@pytest.fixture
def student():
    return get_user_model().objects.create_user("student", password="pw-student-12345")


@pytest.fixture
def design(owner):
    return actions.do_create_design(owner, name="Lesson 1", document=EXAMPLE)


def link(design, owner, role="viewer", **kwargs):
    return actions.do_create_share_link(Actor(owner), design, role=role, **kwargs)


@pytest.mark.parametrize(
    "expires_in, delta",
    [("", None), ("1h", dt.timedelta(hours=1)), ("7d", dt.timedelta(days=7)), ("30d", dt.timedelta(days=30))],
)
def test_owner_creates_a_link_with_an_optional_expiry(client, owner, design, expires_in, delta):
    client.force_login(owner)
    before = timezone.now()
    answer = client.post(reverse("design_share", args=[design.pk]), {"role": "editor", "expires_in": expires_in})
    assert answer["Location"] == f"/designs/{design.pk}/share/"
    created = ShareLink.objects.get(design=design)
    assert created.role == "editor"
    if delta is None:
        assert created.expires_at is None
    else:
        assert before + delta <= created.expires_at <= timezone.now() + delta


def test_share_page_lists_links_with_their_full_url_and_state(client, owner, design):
    active = link(design, owner)
    revoked = link(design, owner, "editor")
    actions.do_revoke_share_link(Actor(owner), revoked)
    client.force_login(owner)
    page = client.get(reverse("design_share", args=[design.pk]))
    states = {item["link"].pk: (item["state"], item["url"]) for item in page.context["links"]}
    assert states == {
        active.pk: ("active", f"http://testserver/s/{active.token}/"),
        revoked.pk: ("revoked", f"http://testserver/s/{revoked.token}/"),
    }
    html = page.content.decode()
    assert f'data-copy-target="share-url-{active.pk}"' in html
    assert html.count(">Revoke <span") == 1  # only the active link can be revoked


@pytest.mark.parametrize("role, status", [("owner", 200), ("student", 404)])
def test_only_the_owner_opens_the_share_dialog(client, owner, student, design, role, status):
    client.force_login(owner if role == "owner" else student)
    assert client.get(reverse("design_share", args=[design.pk])).status_code == status


def test_invalid_role_is_refused_by_the_form(client, owner, design):
    client.force_login(owner)
    page = client.post(reverse("design_share", args=[design.pk]), {"role": "admin"})
    assert page.status_code == 200
    assert "Select a valid choice. admin is not one of the available choices." in page.content.decode()
    assert not ShareLink.objects.exists()


def test_revoke(client, owner, design):
    share = link(design, owner)
    client.force_login(owner)
    answer = client.post(reverse("design_share_revoke", args=[design.pk, share.pk]))
    assert answer["Location"] == f"/designs/{design.pk}/share/"
    share.refresh_from_db()
    assert share.revoked_at is not None


def test_revoke_of_another_designs_link_is_404(client, owner, design):
    other = actions.do_create_design(owner, name="Other")
    share = link(other, owner)
    client.force_login(owner)
    assert client.post(reverse("design_share_revoke", args=[design.pk, share.pk])).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


def test_opening_a_link_anonymously_remembers_it_and_opens_read_only(client, owner, design):
    share = link(design, owner)
    answer = client.get(reverse("share_link_open", args=[share.token]))
    assert answer["Location"] == f"/designs/{design.pk}/"
    assert client.session[SESSION_KEY] == [share.token]
    page = client.get(answer["Location"])
    assert page.status_code == 200 and page.context["role"] == "viewer" and page.context["can_edit"] is False


def test_opening_a_link_signed_in_puts_the_design_under_shared_with_me(client, owner, student, design):
    share = link(design, owner, "editor")
    client.force_login(student)
    client.get(reverse("share_link_open", args=[share.token]))
    assert Membership.objects.get(user=student).via_link_id == share.pk
    assert [(d.pk, role) for d, role in client.get(reverse("home")).context["shared"]] == [(design.pk, "editor")]
    # Revoking the link ends it: the design leaves the list and its page is a 404.
    actions.do_revoke_share_link(Actor(owner), share)
    assert client.get(reverse("home")).context["shared"] == []
    assert client.get(reverse("design_detail", args=[design.pk])).status_code == 404


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown"])
def test_a_dead_link_opens_nothing(client, owner, design, state):
    share = link(design, owner)
    token = share.token
    if state == "revoked":
        actions.do_revoke_share_link(Actor(owner), share)
    elif state == "expired":
        ShareLink.objects.filter(pk=share.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    else:
        token = "x" * 43
    page = client.get(reverse("share_link_open", args=[token]))
    assert page.status_code == 404
    assert "The link is unknown, revoked or expired." in page.content.decode()
    assert "Lesson 1" not in page.content.decode()
    assert SESSION_KEY not in client.session


def test_revisions_list_and_restore_by_an_editor(client, owner, student, design):
    actions.do_update_design(Actor(owner), design, base_version=1, name="Lesson 1, take 2")
    actions.do_add_member(Actor(owner), design, student, "editor")
    client.force_login(student)
    page = client.get(reverse("design_revisions", args=[design.pk]))
    assert [r.number for r in page.context["revisions"]] == [2, 1]
    assert "Restore <span" in page.content.decode()
    answer = client.post(reverse("design_revision_restore", args=[design.pk, 1]))
    assert answer["Location"] == f"/designs/{design.pk}/"
    design.refresh_from_db()
    assert (design.version, design.name) == (3, "Lesson 1")
    assert design.revisions.get(number=3).note == "Restored revision 1"


def test_a_viewer_sees_revisions_but_cannot_restore(client, owner, student, design):
    actions.do_update_design(Actor(owner), design, base_version=1, name="Lesson 1, take 2")
    actions.do_add_member(Actor(owner), design, student, "viewer")
    client.force_login(student)
    page = client.get(reverse("design_revisions", args=[design.pk]))
    assert page.status_code == 200 and "Restore <span" not in page.content.decode()
    assert client.post(reverse("design_revision_restore", args=[design.pk, 1])).status_code == 404
    design.refresh_from_db()
    assert design.version == 2


def test_restoring_a_missing_revision_is_404(client, owner, design):
    client.force_login(owner)
    answer = client.post(reverse("design_revision_restore", args=[design.pk, 99]))
    assert answer.status_code == 404
    assert "No such revision." in answer.content.decode()


def test_anonymous_home_lists_the_links_opened_in_this_browser(client, owner, design):
    assert "Shared with me" not in client.get(reverse("home")).content.decode()
    client.get(reverse("share_link_open", args=[link(design, owner).token]))
    page = client.get(reverse("home"))
    assert [(d.pk, role) for d, role in page.context["shared"]] == [(design.pk, "viewer")]
    assert "Designs whose share links you opened in this browser." in page.content.decode()
