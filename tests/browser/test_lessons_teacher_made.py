"""A teacher-made activity in the browser at 1280x720: the teacher draws (here: saves through the
API, as the editor does) a starting design and a solution, makes an activity from the first with a
design check and a run check, sees the reference check (100% and 0%), assigns it to a class; a
student joins, sees it and starts it; the teacher's overview shows the student's completion change
pushed over the class socket, without the page being drawn again."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_a11y import violations
from test_browser_smoke import sign_up

from simcore.lessons import instantiate, pack

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1280, "height": 720}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
_serial = itertools.count(1)
NAT = pack.shipped().activities["nat-network"]

API = """async ([method, url, body]) => {
    const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrftoken=')).split('=')[1];
    const r = await fetch(url, {method, credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf}, body: JSON.stringify(body)});
    return [r.status, await r.json()]; }"""


def create_design(page, name: str, document: dict) -> int:
    status, body = page.evaluate(API, ["POST", "/api/designs", {"name": name, "document": dict(document, name=name)}])
    assert status == 201, body
    return body["id"]


def test_a_teacher_makes_an_activity_assigns_it_and_sees_a_student_complete_it_live(new_context):
    teacher = new_context().new_page()
    teacher.set_viewport_size(PROJECTOR)
    sign_up(teacher, f"author{next(_serial)}")
    reference = instantiate(NAT, 0)
    create_design(teacher, "NAT start", reference["start"])
    create_design(teacher, "NAT done", reference["solution"])

    teacher.get_by_role("link", name="Classes").click()
    teacher.get_by_role("link", name="Your own activities").click()
    teacher.get_by_role("link", name="Make an activity from “NAT start”").click()
    teacher.get_by_label("Title", exact=True).fill("My NAT activity")
    teacher.get_by_label("Instructions").fill("Put `vm` behind **NAT**: a NAT network on `hv`, then `dhclient eth0`.")
    teacher.get_by_label("Reference solution").select_option(label="NAT done")
    rows = [("A NAT network on hv", "design.node", '{"kind": "nat_network", "has": {"host": "hv"}}', "Draw a NAT network."),
            ("vm is leased an address", "run.leased", '{"node": "vm"}', "Run dhclient eth0 on vm.")]
    for n, (title, test, spec, hint) in enumerate(rows, start=1):
        teacher.get_by_label(f"Check {n} title").fill(title)
        teacher.get_by_label(f"Check {n} points").fill("50")
        teacher.get_by_label(f"Check {n} tests").select_option(test)
        teacher.get_by_label(f"Check {n} fields").fill(spec)
        teacher.get_by_label(f"Check {n} hint").fill(hint)
    teacher.screenshot(path=str(_shot("activity-form.png")))
    assert violations(teacher) == []  # axe-core: no serious or critical violation
    teacher.get_by_role("button", name="Save the activity").click()
    teacher.wait_for_url(re.compile(r"/my-activities/\d+/$"))
    expect(teacher.locator("#reference-solution")).to_have_text("100%")
    expect(teacher.locator("#reference-start")).to_have_text("0%")
    expect(teacher.locator(".activity-instructions strong")).to_have_text("NAT")  # Markdown, rendered
    teacher.screenshot(path=str(_shot("activity-reference.png")), full_page=True)
    assert violations(teacher) == []

    teacher.get_by_role("link", name="Your activities").click()
    teacher.get_by_role("link", name="Classes").first.click()
    teacher.get_by_label("New class").fill("Virtualization, group 3")
    teacher.get_by_role("button", name="Create class").click()
    teacher.get_by_label("Assign an activity").select_option(label="My NAT activity (yours)")
    teacher.get_by_role("button", name="Assign").click()
    expect(teacher.locator("#class-overview th").nth(1)).to_have_text("My NAT activity")
    expect(teacher.locator("#class-overview")).to_have_attribute("data-live", "socket")
    code = teacher.locator("#class-code").inner_text()

    student = new_context().new_page()
    student.set_viewport_size(PROJECTOR)
    name = f"pupil{next(_serial)}"
    sign_up(student, name)
    student.goto("/classes/join/")
    student.get_by_label("Class code").fill(code)
    student.get_by_role("button", name="Join").click()
    expect(student.locator("main")).to_contain_text("My NAT activity")
    student.get_by_role("button", name="Start My NAT activity").click()
    student.wait_for_url(re.compile(r"/designs/\d+/activity/$"))
    expect(student.locator("#activity-percent")).to_have_text("0")
    expect(student.locator(".activity-instructions strong")).to_have_text("NAT")

    # The join and the start were pushed: the overview has the student's row, at 0%.
    row = teacher.locator(f"tr[data-student='{name}']")
    expect(row.locator(".percent")).to_have_text("0%", timeout=15000)
    expect(teacher.locator("#class-overview")).to_have_attribute("data-live", "socket")
    teacher.evaluate("() => { window.notDrawnAgain = true; }")

    design_id = int(re.search(r"/designs/(\d+)/", student.url).group(1))
    current = student.evaluate("async (id) => (await fetch(`/api/designs/${id}`)).json()", design_id)
    solution = json.loads(json.dumps(instantiate(NAT, 0)["solution"]))  # the activity has no variables
    status, body = student.evaluate(API, ["PUT", f"/api/designs/{design_id}",
                                          {"base_version": current["version"], "document": dict(solution, name=current["name"])}])
    assert status == 200, body
    expect(student.locator("#activity-percent")).to_have_text("100", timeout=15000)
    # pushed: the cell changes and the page was not drawn again
    expect(row.locator(".percent")).to_have_text("100%", timeout=15000)
    assert teacher.evaluate("() => window.notDrawnAgain === true")
    assert int(teacher.locator("#class-overview").get_attribute("data-pushed")) >= 1
    teacher.screenshot(path=str(_shot("activity-class-live.png")))
    assert violations(teacher) == []


def _shot(name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / name


def test_an_imported_file_with_problems_is_refused_saying_where(new_context, tmp_path):
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    sign_up(page, f"importer{next(_serial)}")
    doc = json.loads(json.dumps(NAT))
    doc["checks"][1]["points"] = 0
    bad = tmp_path / "bad-activity.json"
    bad.write_text(json.dumps(doc))
    page.goto("/my-activities/")
    page.get_by_label("Activity or lesson file (JSON)").set_input_files(str(bad))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="bad-activity.json was not imported")).to_be_visible()
    expect(page.locator("main li").filter(has_text="checks[1].points")).to_contain_text("less than the minimum of 1")
    page.screenshot(path=str(_shot("activity-import-refused.png")))
    page.goto("/my-activities/")
    expect(page.locator("#my-activities")).to_have_text("None yet.")
    # the pack's own export imports
    good = tmp_path / "nat.json"
    good.write_text(json.dumps(NAT))
    page.get_by_label("Activity or lesson file (JSON)").set_input_files(str(good))
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/my-activities/\d+/$"))
    expect(page.locator("#reference-solution")).to_have_text("100%")
    # Deleting asks first: the button shows only once the disclosure is opened, and names it.
    delete = page.get_by_role("button", name=re.compile("^Yes, delete"))
    expect(delete).to_be_hidden()
    page.get_by_text("Delete this activity…").click()
    expect(delete).to_contain_text(NAT["title"])
    page.screenshot(path=str(_shot("activity-delete-confirm.png")))
    delete.click()
    page.wait_for_url(re.compile(r"/my-activities/$"))
    expect(page.locator("#my-activities")).to_have_text("None yet.")


def test_a_lesson_downloaded_from_the_pack_is_imported_and_presented_step_by_step(new_context, tmp_path):
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    sign_up(page, f"lessonimporter{next(_serial)}")
    # The pack's lesson page gives its file; another teacher imports it on /my-activities/.
    page.goto("/lessons/nat-connection/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this lesson (JSON)").click()
    lesson = tmp_path / "lesson.json"
    download.value.save_as(lesson)
    page.goto("/my-activities/")
    page.get_by_label("Activity or lesson file (JSON)").set_input_files(str(lesson))
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/my-lessons/\d+/$"))
    steps = json.loads(lesson.read_text())["steps"]
    expect(page.locator(".lesson-step")).to_have_count(len(steps))
    assert violations(page) == []
    page.screenshot(path=str(_shot("lesson-imported.png")), full_page=True)
    page.goto("/my-activities/")
    expect(page.locator("#my-lessons")).to_contain_text(json.loads(lesson.read_text())["title"])
    page.locator("#my-lessons a").first.click()
    # Presented: the own copy in the presenter view, the steps beside the drawing.
    page.get_by_role("button", name="Present this lesson").click()
    page.wait_for_url(re.compile(r"/designs/\d+/present/\?lesson=stored_\d+$"))
    pane = page.locator("#lesson-steps")
    expect(pane.get_by_role("button", name="Next step")).to_be_visible()
    pane.get_by_role("button", name="Next step").click()
    expect(pane).to_contain_text(steps[0]["title"])
    page.wait_for_function("(t) => window.designer.live().status.t === t", arg=steps[0]["at"] * 1e9,
                           timeout=30_000)
    page.screenshot(path=str(_shot("lesson-imported-presented.png")))
