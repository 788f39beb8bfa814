"""Classes: create, join by code, assign, each student's own copy and variant, the teacher's
overview (completion per student), read-only access to a copy through designer/access.py, reset;
students see only their own copies and their class; strangers see nothing (the same 404)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from designer import actions
from designer.access import Actor, Need, access_design
from designer.errors import DesignNotFound
from designer.lessons.models import Attempt, Classroom
from simcore.lessons import instantiate, pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    make = get_user_model().objects.create_user
    return {n: make(n, password="pw-" + n + "-12345") for n in ("teacher", "ann", "ben", "eve", "other_teacher")}


def as_(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def klass(client, people):
    as_(client, people["teacher"]).post(reverse("class_list"), {"name": "Virtualization 2026"})
    k = Classroom.objects.get(teacher=people["teacher"])
    client.post(reverse("class_assign", args=[k.pk]), {"activity": "nat-network"})
    for s in ("ann", "ben"):
        as_(client, people[s]).post(reverse("class_join"), {"code": k.code.lower()})
        client.post(reverse("class_start", args=[k.pk, "nat-network"]))
    return k


def test_students_join_and_get_their_own_variant(client, people, klass):
    ann, ben = (Attempt.objects.get(owner=people[s], classroom=klass) for s in ("ann", "ben"))
    assert ann.design.owner == people["ann"] and ben.design.owner == people["ben"]
    assert ann.seed != ben.seed
    doc = pack.shipped().activities["nat-network"]
    assert instantiate(doc, ann.seed)["values"] != instantiate(doc, ben.seed)["values"]
    # joining by the link works too, and a wrong code says so
    assert as_(client, people["eve"]).get(reverse("class_join") + f"?code={klass.code}").status_code == 302
    wrong = client.post(reverse("class_join"), {"code": "NOPE"})
    assert wrong.status_code == 404 and b"No class has this code." in wrong.content


def test_the_overview_shows_every_students_completion(client, people, klass):
    ann = Attempt.objects.get(owner=people["ann"], classroom=klass)
    overview = as_(client, people["teacher"]).get(reverse("class_overview", args=[klass.pk])).json()
    assert overview["activities"] == ["nat-network"]
    assert [(r["student"], r["cells"][0]["percent"]) for r in overview["rows"]] == [("ann", 0), ("ben", 0)]
    solution = instantiate(pack.shipped().activities["nat-network"], ann.seed)["solution"]
    actions.do_update_design(Actor(people["ann"]), ann.design, base_version=1, document=dict(solution, name="x"))
    overview = client.get(reverse("class_overview", args=[klass.pk])).json()
    assert [r["cells"][0]["percent"] for r in overview["rows"]] == [100, 0]
    page = client.get(reverse("class_detail", args=[klass.pk])).content.decode()
    assert klass.code in page and "100%" in page


def test_the_teacher_views_a_copy_read_only_and_resets_it(client, people, klass):
    ann = Attempt.objects.get(owner=people["ann"], classroom=klass)
    access = access_design(Actor(people["teacher"]), ann.design_id, Need.VIEW)
    assert access.role == "viewer" and not access.can_edit
    with pytest.raises(DesignNotFound):
        access_design(Actor(people["teacher"]), ann.design_id, Need.EDIT)
    assert as_(client, people["teacher"]).get(reverse("design_detail", args=[ann.design_id])).status_code == 200
    assert client.get(reverse("activity_score", args=[ann.design_id])).status_code == 200
    solution = instantiate(pack.shipped().activities["nat-network"], ann.seed)["solution"]
    actions.do_update_design(Actor(people["ann"]), ann.design, base_version=1, document=dict(solution, name="x"))
    assert client.post(reverse("class_reset", args=[klass.pk, ann.design_id])).status_code == 302
    ann.design.refresh_from_db()
    assert ann.design.version == 3
    assert client.get(reverse("activity_score", args=[ann.design_id])).json()["percent"] == 0


@pytest.mark.parametrize("who, overview, detail, copy_of_ann, reset", [
    ("teacher", 200, 200, 200, 302),
    ("ann", 404, 200, 200, 404),
    ("ben", 404, 200, 404, 404),       # a classmate: the class yes, ann's copy no
    ("eve", 404, 404, 404, 404),       # not in the class
    ("other_teacher", 404, 404, 404, 404),
])
def test_who_sees_what(client, people, klass, who, overview, detail, copy_of_ann, reset):
    ann = Attempt.objects.get(owner=people["ann"], classroom=klass)
    as_(client, people[who])
    assert client.get(reverse("class_overview", args=[klass.pk])).status_code == overview
    assert client.get(reverse("class_detail", args=[klass.pk])).status_code == detail
    assert client.get(reverse("design_detail", args=[ann.design_id])).status_code == copy_of_ann
    assert client.get(reverse("activity_work", args=[ann.design_id])).status_code == copy_of_ann
    assert client.post(reverse("class_assign", args=[klass.pk]), {"activity": "port-forward"}).status_code == reset
    assert client.post(reverse("class_reset", args=[klass.pk, ann.design_id])).status_code == reset


def test_a_student_cannot_start_what_was_not_assigned(client, people, klass):
    as_(client, people["ann"])
    assert client.post(reverse("class_start", args=[klass.pk, "port-forward"])).status_code == 404
