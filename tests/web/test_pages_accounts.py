"""Accounts pages: sign up, log in, log out by POST only, change password (their limits: test_fair_limits.py)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password=PASSWORD)


def test_sign_up_creates_the_account_and_signs_in(client):
    answer = client.post(reverse("signup"), {"username": "bob", "password1": PASSWORD, "password2": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert get_user_model().objects.filter(username="bob").exists()
    assert client.get(reverse("home")).context["user"].username == "bob"


@pytest.mark.parametrize(
    "password1, password2, error",
    [
        ("short1", "short1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "password123", "This password is too common."),
        ("83729104736", "83729104736", "This password is entirely numeric."),
        (PASSWORD, PASSWORD + "x", "The two password fields didn’t match."),
    ],
)
def test_sign_up_applies_the_password_validators(client, password1, password2, error):
    answer = client.post(reverse("signup"), {"username": "bob", "password1": password1, "password2": password2})
    assert answer.status_code == 200
    assert error in answer.content.decode()
    assert not get_user_model().objects.filter(username="bob").exists()


def test_sign_up_refuses_a_taken_username(client, alice):
    answer = client.post(reverse("signup"), {"username": "alice", "password1": PASSWORD, "password2": PASSWORD})
    assert "A user with that username already exists." in answer.content.decode()


def test_sign_up_next_must_stay_on_the_site(client):
    answer = client.post(
        reverse("signup"),
        {"username": "bob", "password1": PASSWORD, "password2": PASSWORD, "next": "https://evil.example/"},
    )
    assert answer["Location"] == "/"


def test_log_in_and_out(client, alice):
    answer = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert client.get(reverse("logout")).status_code == 405  # a link cannot log anyone out
    answer = client.post(reverse("logout"))
    assert answer.status_code == 302
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_wrong_password_says_so(client, alice):
    answer = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert answer.status_code == 200
    assert "Please enter a correct username and password." in answer.content.decode()


def test_change_password(client, alice):
    client.force_login(alice)
    new = "another-horse-staple-77"
    answer = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert answer.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)
    # The session survives the change (Django updates its auth hash).
    assert client.get(reverse("home")).context["user"].is_authenticated


def test_change_password_needs_the_old_one(client, alice):
    client.force_login(alice)
    answer = client.post(reverse("password_change"), {"old_password": "x", "new_password1": "a-b-c-d-e-f-1", "new_password2": "a-b-c-d-e-f-1"})
    assert "Your old password was entered incorrectly. Please enter it again." in answer.content.decode()


@pytest.mark.parametrize("name", ["password_change", "trash"])
def test_pages_for_members_send_anonymous_visitors_to_log_in(client, name):
    answer = client.get(reverse(name))
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", ["home", "examples", "login", "signup"])
def test_every_form_control_has_a_label(client, name):
    html = client.get(reverse(name)).content.decode()
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html)
    for control in ids:
        assert f'for="{control}"' in html, f"no <label for> for #{control} on {name}"
