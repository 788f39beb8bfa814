"""Limits with clear errors: rates (log-in, writes, imports) and document sizes."""

import json

import pytest
from django.test import RequestFactory

from designer import limits
from designer.errors import RateLimited, TooLarge

pytestmark = pytest.mark.django_db


def test_sliding_window_counts_and_forgets(settings):
    settings.DESIGNER_RATE_LIMITS = {"probe": (3, 10)}
    for t in (100.0, 101.0, 102.0):
        limits.hit("probe", "me", now=t)
    with pytest.raises(RateLimited) as refused:
        limits.hit("probe", "me", now=109.0)
    assert refused.value.retry_after == 1
    assert refused.value.msg == "Too many requests: at most 3 per 10 seconds. Try again in 1 s."
    assert refused.value.code == "rate_limited.probe"
    limits.hit("probe", "me", now=110.5)  # the first hit left the window
    limits.hit("probe", "someone else", now=110.5)


def test_refused_requests_are_not_counted(settings):
    settings.DESIGNER_RATE_LIMITS = {"probe": (1, 10)}
    limits.hit("probe", "me", now=0.0)
    for t in (1.0, 2.0, 3.0):
        with pytest.raises(RateLimited):
            limits.hit("probe", "me", now=t)
    limits.hit("probe", "me", now=10.5)


def test_login_attempts_per_username(settings):
    settings.DESIGNER_RATE_LIMITS = {**settings.DESIGNER_RATE_LIMITS, "login_user": (3, 300), "login_ip": (100, 300)}
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        limits.check_login(request, "Teacher")
    with pytest.raises(RateLimited) as refused:
        limits.check_login(request, " teacher ")  # the same account, however it is typed
    assert refused.value.status == 429
    assert refused.value.msg.startswith("Too many log-in attempts for this account: at most 3 per 300 seconds.")
    limits.check_login(request, "student")


def test_login_attempts_per_address(settings):
    settings.DESIGNER_RATE_LIMITS = {**settings.DESIGNER_RATE_LIMITS, "login_user": (100, 300), "login_ip": (2, 300)}
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.2")
    limits.check_login(request, "a")
    limits.check_login(request, "b")
    with pytest.raises(RateLimited, match="Too many log-in attempts: at most 2 per 300 seconds."):
        limits.check_login(request, "c")
    limits.check_login(RequestFactory().post("/", REMOTE_ADDR="10.0.0.3"), "c")


def test_writes_are_rate_limited_per_user(world, settings):
    settings.DESIGNER_RATE_LIMITS = {**settings.DESIGNER_RATE_LIMITS, "write": (2, 60)}
    settings.DESIGNER_RATELIMIT_NAMESPACE = "after-the-world-was-built"
    client = world.client("owner")
    url = f"/api/designs/{world.design.pk}"
    for version in (1, 2):
        answer = client.put(url, data=json.dumps({"base_version": version, "description": str(version)}),
                            content_type="application/json")
        assert answer.status_code == 200
    answer = client.put(url, data=json.dumps({"base_version": 3, "description": "3"}), content_type="application/json")
    assert answer.status_code == 429
    assert answer.json()["code"] == "rate_limited.write"
    assert answer.json()["msg"].startswith("Too many changes: at most 2 per 60 seconds.")
    # The editor has a separate budget.
    answer = world.client("editor").put(url, data=json.dumps({"base_version": 3, "description": "e"}),
                                        content_type="application/json")
    assert answer.status_code == 200


def test_anonymous_link_editors_are_limited_per_link(world, settings):
    from designer.access import Actor

    settings.DESIGNER_RATE_LIMITS = {**settings.DESIGNER_RATE_LIMITS, "write": (1, 60)}
    a = Actor.anonymous()
    limits.check_write(Actor(a.user, ("token-a",)))
    limits.check_write(Actor(a.user, ("token-b",)))
    with pytest.raises(RateLimited):
        limits.check_write(Actor(a.user, ("token-a",)))


@pytest.mark.parametrize(
    "document, code, msg",
    [
        ({"version": 1, "nodes": [{}] * 10_001}, "design.too_many_nodes", "A design has at most 10,000 nodes; this one has 10,001."),
        ({"version": 1, "nodes": [], "links": [{}] * 20_001}, "design.too_many_links",
         "A design has at most 20,000 links; this one has 20,001."),
        ({"version": 1, "nodes": [], "notes": "x" * (8 * 1024 * 1024)}, "design.too_large",
         "A design is at most 8 MiB serialised; this one is 8.0 MiB."),
    ],
)
def test_document_size_limits(document, code, msg):
    with pytest.raises(TooLarge) as refused:
        limits.check_document_size(document)
    assert (refused.value.code, refused.value.msg, refused.value.status) == (code, msg, 413)


def test_document_at_the_limits_is_accepted():
    limits.check_document_size({"version": 1, "nodes": [{}] * 10_000})
