"""Lesson and activity pages with the Django client: the pack's list, a lesson's steps rendered
from Markdown safely, presenting one's own copy with the steps, an activity's own copy (variant),
its completion and Check, export, and that a student's copy is theirs alone."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from designer import actions
from designer.access import Actor
from designer.lessons.markdown import render as md
from designer.lessons.models import Attempt
from designer.models import Design
from simcore.lessons import instantiate, pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    make = get_user_model().objects.create_user
    return {name: make(name, password="pw-" + name + "-12345") for name in ("alice", "bob", "eve")}


def test_markdown_is_rendered_with_raw_html_off():
    html = str(md("**bold** <script>alert(1)</script> [x](javascript:alert(1)) `code`"))
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_the_list_follows_the_lecture_and_names_missing_sections(client):
    page = client.get(reverse("lesson_list"))
    assert page.status_code == 200
    html = page.content.decode()
    sections = [s["section"] for s in pack.shipped().sections]
    positions = [html.index(s.replace("'", "&#x27;")) for s in sections]
    assert positions == sorted(positions)
    # every section of the lecture has its lesson now; a section without one would say why
    for section in pack.shipped().sections:
        assert reverse("lesson_detail", args=[section["lesson"]]) in html
    assert reverse("lesson_detail", args=["linux-distributions"]) in html
    # the sections whose features landed link their lessons instead
    assert "containers are not in this build yet" not in html
    assert reverse("lesson_detail", args=["containers-docker"]) in html
    assert reverse("lesson_detail", args=["nat-connection"]) in html


def test_a_lesson_page_shows_its_steps(client):
    page = client.get(reverse("lesson_detail", args=["nat-connection"]))
    html = page.content.decode()
    assert html.count('class="lesson-step"') == len(pack.shipped().lessons["nat-connection"]["steps"])
    assert "<code>dhclient eth0</code>" in html and "You should see:" in html
    assert client.get(reverse("lesson_detail", args=["nope"])).status_code == 404


def test_presenting_a_lesson_makes_my_own_copy_with_its_steps(client, users):
    client.force_login(users["alice"])
    response = client.post(reverse("lesson_open", args=["nat-connection"]))
    design = Design.objects.get(owner=users["alice"])
    assert response.status_code == 302
    assert response["Location"] == reverse("design_present", args=[design.pk]) + "?lesson=nat-connection"
    assert design.document["script"] == pack.shipped().lessons["nat-connection"]["design"]["script"]
    page = client.get(response["Location"])
    steps = json.loads(page.context["lesson_steps"] and json.dumps(page.context["lesson_steps"]))
    assert [s["at"] for s in steps] == [1.0, 4.0, 8.0]
    assert 'id="lesson-steps-data"' in page.content.decode()
    # without ?lesson the presenter is as before
    assert 'id="lesson-steps"' not in client.get(reverse("design_present", args=[design.pk])).content.decode()


def test_an_activity_gives_each_student_their_own_variant(client, users):
    client.force_login(users["alice"])
    start = client.post(reverse("activity_start", args=["port-forward"]))
    attempt = Attempt.objects.get(owner=users["alice"])
    assert start["Location"] == reverse("activity_work", args=[attempt.design_id])
    # starting again opens the same copy
    assert client.post(reverse("activity_start", args=["port-forward"]))["Location"] == start["Location"]
    client.force_login(users["bob"])
    client.post(reverse("activity_start", args=["port-forward"]))
    mine, theirs = (instantiate(pack.shipped().activities["port-forward"], str(u.pk))["values"]["port"]
                    for u in (users["alice"], users["bob"]))
    assert mine != theirs
    page = client.get(reverse("activity_detail", args=["port-forward"]))
    assert f"203.0.113.2:{theirs}" in page.content.decode()


def test_the_score_goes_from_0_to_100_as_the_student_works(client, users):
    client.force_login(users["alice"])
    client.post(reverse("activity_start", args=["nat-network"]))
    attempt = Attempt.objects.get(owner=users["alice"])
    score_url = reverse("activity_score", args=[attempt.design_id])
    first = client.get(score_url).json()
    assert first["percent"] == 0 and all(c["hint"] for c in first["checks"])
    work = client.get(reverse("activity_work", args=[attempt.design_id]))
    assert work.status_code == 200 and 'id="activity-percent">0<' in work.content.decode()
    solution = instantiate(pack.shipped().activities["nat-network"], attempt.seed)["solution"]
    design = attempt.design
    actions.do_update_design(Actor(users["alice"]), design, base_version=design.version,
                             document=dict(solution, name=design.name))
    done = client.get(score_url).json()
    assert done["percent"] == 100 and [c["passed"] for c in done["checks"]] == [True] * 4
    assert done["version"] == 2


def test_a_students_copy_is_not_anyone_elses(client, users):
    client.force_login(users["alice"])
    client.post(reverse("activity_start", args=["nat-network"]))
    attempt = Attempt.objects.get(owner=users["alice"])
    client.force_login(users["eve"])
    for name in ("activity_work", "activity_score", "design_detail"):
        assert client.get(reverse(name, args=[attempt.design_id])).status_code == 404
    client.logout()
    assert client.get(reverse("activity_score", args=[attempt.design_id])).status_code == 404


def test_a_design_that_is_no_activity_has_no_score(client, users):
    design = actions.do_create_design(users["alice"], name="plain")
    client.force_login(users["alice"])
    assert client.get(reverse("activity_score", args=[design.pk])).status_code == 404


def test_export_gives_a_complete_valid_document(client):
    from simcore.lessons import validate
    for name, slug in (("lesson_export", "port-forwarding"), ("activity_export", "nat-network")):
        response = client.get(reverse(name, args=[slug]))
        assert "attachment" in response["Content-Disposition"]
        doc = json.loads(response.content)
        assert validate(doc) == []
        assert isinstance(doc.get("design", doc.get("start")), dict)


def test_the_container_lesson_and_activity_pages_render(client):
    page = client.get(reverse("lesson_detail", args=["containers-docker"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="lesson-step"') == len(pack.shipped().lessons["containers-docker"]["steps"])
    assert "<code>docker run -d --name web -p 8080:80 nginx:1.27</code>" in html
    assert reverse("activity_detail", args=["docker-publish"]) in html
