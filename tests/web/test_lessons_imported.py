"""Imported lessons: a lesson exported from the pack (or by another teacher) imported from
/my-activities/, listed there, its page with the steps, presented on the importer's own copy of
its design with the steps beside it (``?lesson=stored_<pk>``), exported again as the same
document, deleted; refused with what is wrong and where (a design left as the pack's
``example:`` reference, a step looking at a node the design lacks), nothing saved; its owner only
(the same 404 for missing and forbidden, and no steps in anyone else's presenter)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from designer.lessons.models import StoredActivity, StoredLesson
from designer.models import Design

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    make = get_user_model().objects.create_user
    return {n: make(n, password="pw-" + n + "-12345") for n in ("teacher", "other")}


def as_(client, user):
    client.force_login(user)
    return client


def upload(client, content: str):
    return client.post(reverse("activity_import"),
                       {"file": SimpleUploadedFile("lesson.json", content.encode(), "application/json")})


def exported(client, slug="nat-connection") -> dict:
    return json.loads(client.get(reverse("lesson_export", args=[slug])).content)


def test_a_lesson_exported_from_the_pack_is_imported_presented_exported_and_deleted(client, people):
    teacher = as_(client, people["teacher"])
    doc = exported(teacher)
    doc["title"] = "NAT, my way"
    answer = upload(teacher, json.dumps(doc))
    assert answer.status_code == 302
    stored = StoredLesson.objects.get()
    assert answer["Location"] == reverse("my_lesson", args=[stored.pk])
    assert (stored.owner, stored.title, stored.document) == (people["teacher"], "NAT, my way", doc)
    assert StoredActivity.objects.count() == 0
    listing = teacher.get(reverse("my_activities")).content.decode()
    assert f'<a href="{reverse("my_lesson", args=[stored.pk])}">NAT, my way</a>' in listing
    page = teacher.get(reverse("my_lesson", args=[stored.pk])).content.decode()
    assert "<h1>NAT, my way</h1>" in page and page.count('class="lesson-step"') == len(doc["steps"])
    # Presented: the teacher's own copy of its design, the steps beside the drawing.
    opened = teacher.post(reverse("my_lesson_open", args=[stored.pk]))
    copy = Design.objects.get(owner=people["teacher"])
    assert opened["Location"] == f"{reverse('design_present', args=[copy.pk])}?lesson=stored_{stored.pk}"
    present = teacher.get(opened["Location"]).content.decode()
    assert doc["steps"][0]["title"] in present and 'id="lesson-steps"' in present
    # Exported again: the same document.
    again = teacher.get(reverse("my_lesson_export", args=[stored.pk]))
    assert json.loads(again.content) == doc
    assert f'lesson-{doc["id"]}.json' in again["Content-Disposition"]
    # Deleted after a confirmation naming it (a disclosure on its page), gone from the list, the
    # copy stays the teacher's design.
    page = teacher.get(reverse("my_lesson", args=[stored.pk])).content.decode()
    assert '<summary>Delete this lesson…</summary>' in page and f"Yes, delete “{stored.title}”" in page
    assert teacher.post(reverse("my_lesson_delete", args=[stored.pk])).status_code == 302
    assert StoredLesson.objects.count() == 0 and Design.objects.filter(pk=copy.pk).exists()


def test_a_lesson_with_problems_is_refused_saying_where_and_nothing_is_saved(client, people):
    teacher = as_(client, people["teacher"])
    doc = exported(teacher)
    as_pack_file = dict(doc, design="example:nat-dhcp")
    answer = upload(teacher, json.dumps(as_pack_file))
    assert answer.status_code == 422
    assert "<code>design</code>" in answer.content.decode()
    doc["steps"][0]["look"] = {"node": "no-such-node"}
    answer = upload(teacher, json.dumps(doc))
    assert answer.status_code == 422
    assert "<code>steps[0].look.node</code>" in answer.content.decode()
    assert StoredLesson.objects.count() == 0


def test_only_its_owner_sees_presents_exports_or_deletes_it(client, people):
    doc = exported(client)
    upload(as_(client, people["teacher"]), json.dumps(doc))
    stored = StoredLesson.objects.get()
    other = as_(client, people["other"])
    for name, method in (("my_lesson", "get"), ("my_lesson_open", "post"), ("my_lesson_export", "get"),
                         ("my_lesson_delete", "post")):
        assert getattr(other, method)(reverse(name, args=[stored.pk])).status_code == 404
        assert getattr(other, method)(reverse(name, args=[stored.pk + 1000])).status_code == 404
    assert StoredLesson.objects.count() == 1 and not Design.objects.filter(owner=people["other"]).exists()
    # Someone else's presenter with ?lesson=stored_<pk> shows no steps of it.
    other.post(reverse("lesson_open", args=["nat-connection"]))
    own = Design.objects.get(owner=people["other"])
    page = other.get(f"{reverse('design_present', args=[own.pk])}?lesson=stored_{stored.pk}").content.decode()
    assert 'id="lesson-steps"' not in page
    client.logout()
    assert client.get(reverse("my_lesson", args=[stored.pk])).status_code == 302  # to log in
