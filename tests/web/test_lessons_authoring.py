"""Teacher-made activities: the activity form on one's own design (a design check and a run check,
the reference check at 100% and 0%), import refused with what is wrong and where (bad JSON, schema
problems with their path, an embedded design's problem), nothing saved; export then import gives
the same document; a stored activity assigned to a class like a pack one, each student's own copy
scored with it; who sees what (its owner only; the same 404 for missing and forbidden)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from designer import actions
from designer.lessons.models import Attempt, Classroom, StoredActivity
from simcore.lessons import instantiate, pack

pytestmark = pytest.mark.django_db

NAT = instantiate(pack.shipped().activities["nat-network"], 0)


@pytest.fixture
def people():
    make = get_user_model().objects.create_user
    return {n: make(n, password="pw-" + n + "-12345") for n in ("teacher", "ann", "ben", "other_teacher")}


def as_(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def designs(people):
    """The teacher's starting design and reference solution (the NAT activity's, seed 0)."""
    start = actions.do_create_design(people["teacher"], name="NAT start", document=dict(NAT["start"], name="NAT start"))
    solution = actions.do_create_design(people["teacher"], name="NAT done", document=dict(NAT["solution"], name="NAT done"))
    return start, solution


def form(solution_id, **extra) -> dict:
    data = {"title": "My NAT activity", "instructions": "Put `vm` behind **NAT** and lease it an address.",
            "solution": str(solution_id),
            "check-0-title": "A NAT network on hv", "check-0-points": "50", "check-0-test": "design.node",
            "check-0-spec": '{"kind": "nat_network", "has": {"host": "hv"}}', "check-0-hint": "Draw a *NAT network*.",
            "check-1-title": "vm is leased an address", "check-1-points": "50", "check-1-test": "run.leased",
            "check-1-spec": '{"node": "vm"}', "check-1-hint": "Run `dhclient eth0` on `vm`."}
    data.update(extra)
    return data


def make(client, people, designs, **extra):
    start, solution = designs
    return as_(client, people["teacher"]).post(reverse("activity_make", args=[start.pk]), form(solution.pk, **extra))


def test_a_teacher_makes_an_activity_from_their_design(client, people, designs):
    answer = make(client, people, designs)
    assert answer.status_code == 302
    stored = StoredActivity.objects.get(owner=people["teacher"])
    doc = stored.document
    assert doc["kind"] == "activity" and doc["id"] == "my-nat-activity" and doc["start"]["nodes"] == designs[0].document["nodes"]
    assert [c["design"] if "design" in c else c["run"] for c in doc["checks"]] == [
        {"node": {"kind": "nat_network", "has": {"host": "hv"}}}, {"leased": {"node": "vm"}}]
    page = client.get(answer["Location"])
    html = page.content.decode()
    # the reference check, as CI does for the pack: the solution 100%, the start 0%
    assert 'id="reference-solution">100%' in html and 'id="reference-start">0%' in html
    assert 'data-ok="true"' in html and "<strong>NAT</strong>" in html


def test_the_reference_check_says_when_the_solution_is_not_100(client, people, designs):
    start, _ = designs
    answer = make(client, people, (start, start))  # the start as its own solution: 0%
    html = client.get(answer["Location"]).content.decode()
    assert 'id="reference-solution">0%' in html and 'data-ok="false"' in html
    assert "the solution fails “A NAT network on hv”" in html


def test_the_form_is_shown_again_with_each_problem_and_its_path(client, people, designs):
    answer = make(client, people, designs, **{"check-0-points": "0", "check-1-spec": "{nope", "solution": ""})
    assert answer.status_code == 422
    html = answer.content.decode()
    assert "<code>checks[0].points</code>" in html and "<code>checks[1].run.leased</code>" in html
    assert "<code>solution</code>" in html
    assert 'value="A NAT network on hv"' in html  # what was typed is kept
    assert StoredActivity.objects.count() == 0


def test_the_form_is_only_on_ones_own_design(client, people, designs):
    start, solution = designs
    answer = as_(client, people["other_teacher"]).post(reverse("activity_make", args=[start.pk]), form(solution.pk))
    assert answer.status_code == 404
    # another's design as the solution: refused like a missing one
    mine = actions.do_create_design(people["other_teacher"], name="x", document=dict(NAT["start"], name="x"))
    answer = client.post(reverse("activity_make", args=[mine.pk]), form(solution.pk))
    assert answer.status_code == 422 and "<code>solution</code>" in answer.content.decode()
    assert StoredActivity.objects.count() == 0


def upload(client, content: bytes | str, name: str = "activity.json"):
    raw = content.encode() if isinstance(content, str) else content
    return client.post(reverse("activity_import"), {"file": SimpleUploadedFile(name, raw, "application/json")})


def test_import_refuses_bad_json_saying_where(client, people):
    answer = upload(as_(client, people["teacher"]), '{"version": 1,\n "kind": "activity",, }')
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "The file is not JSON" in html and "line 2" in html
    assert StoredActivity.objects.count() == 0


def test_import_refuses_schema_problems_with_their_paths(client, people):
    doc = json.loads(json.dumps(pack.shipped().activities["nat-network"]))
    doc["checks"][1]["points"] = 0
    doc["checks"][2]["run"] = {"ping_replied": {"node": "vm", "colour": "red"}}
    doc["start"]["nodes"][0]["nics"][0]["ip"] = "999.1.2.3/24"
    answer = upload(as_(client, people["teacher"]), json.dumps(doc))
    assert answer.status_code == 422
    html = answer.content.decode()
    assert "<code>checks[1].points</code>" in html and "<code>checks[2].run.ping_replied</code>" in html
    assert "unknown field" in html
    # the schema first: the designs are checked once it passes
    doc["checks"][1]["points"] = 30
    doc["checks"][2]["run"] = {"ping_replied": {"node": "vm"}}
    html = upload(client, json.dumps(doc)).content.decode()
    assert "<code>start.nodes[0].nics[0].ip</code>" in html
    # an undeclared variable, a JSON value that is not an object (a lesson is imported as a
    # lesson: test_lessons_imported.py)
    doc["start"]["nodes"][0]["nics"][0]["ip"] = "203.0.113.2/24"
    doc["instructions"] += " {{secret}}"
    assert "no variable &#x27;secret&#x27; is declared" in upload(client, json.dumps(doc)).content.decode()
    assert upload(client, "[1, 2]").status_code == 422
    assert StoredActivity.objects.count() == 0


def test_export_then_import_gives_the_same_document(client, people, designs):
    make(client, people, designs)
    stored = StoredActivity.objects.get()
    exported = client.get(reverse("my_activity_export", args=[stored.pk]))
    assert exported.status_code == 200 and exported["Content-Disposition"].endswith('"activity-my-nat-activity.json"')
    answer = upload(client, exported.content, "activity-my-nat-activity.json")
    assert answer.status_code == 302
    again = StoredActivity.objects.exclude(pk=stored.pk).get()
    assert again.document == stored.document == json.loads(exported.content)
    # a pack activity's export imports too
    assert upload(client, client.get(reverse("activity_export", args=["port-forward"])).content).status_code == 302


@pytest.fixture
def klass(client, people, designs):
    make(client, people, designs)
    stored = StoredActivity.objects.get()
    client.post(reverse("class_list"), {"name": "Virtualization"})
    k = Classroom.objects.get(teacher=people["teacher"])
    assert client.post(reverse("class_assign", args=[k.pk]), {"activity": stored.key}).status_code == 302
    for s in ("ann", "ben"):
        as_(client, people[s]).post(reverse("class_join"), {"code": k.code})
    return k, stored


def test_a_stored_activity_is_assigned_like_a_pack_one(client, people, klass):
    k, stored = klass
    page = as_(client, people["ann"]).get(reverse("class_detail", args=[k.pk])).content.decode()
    assert "My NAT activity" in page and reverse("class_start", args=[k.pk, stored.key]) in page
    work = client.post(reverse("class_start", args=[k.pk, stored.key]))
    attempt = Attempt.objects.get(owner=people["ann"], classroom=k)
    assert work["Location"] == reverse("activity_work", args=[attempt.design_id])
    page = client.get(work["Location"]).content.decode()
    assert "Put <code>vm</code> behind <strong>NAT</strong>" in page and "Completion: <span id=\"activity-percent\">0" in page
    assert client.get(reverse("activity_score", args=[attempt.design_id])).json()["percent"] == 0
    actions.do_update_design(actions.Actor(people["ann"]), attempt.design, base_version=1,
                             document=dict(NAT["solution"], name=attempt.design.name))
    assert client.get(reverse("activity_score", args=[attempt.design_id])).json()["percent"] == 100
    attempt.refresh_from_db()
    assert attempt.percent == 100  # recorded
    overview = as_(client, people["teacher"]).get(reverse("class_overview", args=[k.pk])).json()
    assert overview["titles"] == ["My NAT activity"]
    assert [(r["student"], r["cells"][0]["percent"]) for r in overview["rows"]] == [("ann", 100), ("ben", None)]
    # the teacher resets the copy: the stored activity's start again
    assert client.post(reverse("class_reset", args=[k.pk, attempt.design_id])).status_code == 302
    attempt.refresh_from_db()
    assert attempt.percent == 0
    # assigned, so it stays
    assert client.post(reverse("my_activity_delete", args=[stored.pk])).status_code == 409
    assert StoredActivity.objects.filter(pk=stored.pk).exists()


def test_a_teacher_assigns_only_their_own_stored_activities(client, people, klass):
    k, stored = klass
    as_(client, people["other_teacher"]).post(reverse("class_list"), {"name": "Other"})
    other = Classroom.objects.get(teacher=people["other_teacher"])
    answer = client.post(reverse("class_assign", args=[other.pk]), {"activity": stored.key})
    assert answer.status_code == 400 and not other.assignments.exists()
    assert stored.key not in client.get(reverse("class_detail", args=[other.pk])).content.decode()


@pytest.mark.parametrize("who, status", [("teacher", 200), ("ann", 404), ("other_teacher", 404), (None, 302)])
def test_who_sees_a_stored_activity(client, people, klass, who, status):
    """Its owner only: a student of the class it is assigned to gets the same 404 as a stranger (the
    document holds the solution); anonymous is sent to log in."""
    _, stored = klass
    if who:
        as_(client, people[who])
    else:
        client.logout()
    for name in ("my_activity", "my_activity_export"):
        answer = client.get(reverse(name, args=[stored.pk]))
        assert answer.status_code == status
        if status != 200:
            assert b"My NAT activity" not in answer.content
    missing = client.get(reverse("my_activity", args=[stored.pk + 1000]))
    assert missing.status_code == (302 if who is None else 404)
    deleted = client.post(reverse("my_activity_delete", args=[stored.pk]))
    assert deleted.status_code == {200: 409, 404: 404, 302: 302}[status]
    assert StoredActivity.objects.filter(pk=stored.pk).exists()
    listed = client.get(reverse("my_activities"))
    assert (b"My NAT activity" in listed.content) == (who == "teacher")


def test_an_unassigned_activity_is_deleted_by_its_owner(client, people, designs):
    make(client, people, designs)
    stored = StoredActivity.objects.get()
    assert as_(client, people["other_teacher"]).post(reverse("my_activity_delete", args=[stored.pk])).status_code == 404
    assert as_(client, people["teacher"]).post(reverse("my_activity_delete", args=[stored.pk])).status_code == 302
    assert not StoredActivity.objects.exists()
