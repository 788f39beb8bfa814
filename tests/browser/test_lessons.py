"""Lessons in the browser at 1280x720: a teacher presents the NAT lesson step by step (Next seeks the
run to the step's moment); a student starts the NAT activity, sees 0%, saves a working design (as
the editor's save does, through the API) and watches the completion reach 100% with every check
passing."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up

from simcore.lessons import pack, substitute

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1280, "height": 720}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
_serial = itertools.count(1)


def test_a_teacher_presents_a_lesson_step_by_step(new_context):
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    sign_up(page, f"teacher{next(_serial)}")
    page.goto("/lessons/")
    page.get_by_role("link", name="NAT network with DHCP").click()
    page.get_by_role("button", name="Present this lesson").click()
    page.wait_for_url(re.compile(r"/present/\?lesson=nat-connection$"))
    page.wait_for_function("() => window.designer && window.designer.live() && window.designer.live().connected"
                           " && window.designer.live().role")
    steps = page.locator("#lesson-steps")
    expect(steps.get_by_role("button", name="Next step")).to_be_visible()
    steps.get_by_role("button", name="Next step").click()
    expect(steps).to_have_attribute("data-step", "1")
    steps.get_by_role("button", name="Next step").click()
    expect(steps).to_have_attribute("data-step", "2")
    expect(steps).to_contain_text("Private address and gateway")
    # the run moved to the step's moment (4 s) and the node to look at is selected
    page.wait_for_function("() => window.designer.live().status.t >= 4e9")
    assert page.evaluate("() => window.designer.snapshot().view.selected") == ["vm"]
    # Two seeks in a row redraw vm's terminal: its one command shows once (it showed three times
    # when the terminal's reset overtook the writes queued before it).
    terminal = page.locator(".live-console[data-node='vm'] .xterm-rows")
    page.wait_for_timeout(300)
    assert terminal.inner_text().count("dhclient eth0") == 1, terminal.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lesson-present.png"))
    steps.get_by_role("button", name="Previous step").click()
    expect(steps).to_have_attribute("data-step", "1")


def save_solution(page) -> None:
    """On the student's activity page: save the reference solution with their own values into their
    copy, as the editor's save does (PUT /api/designs/<id> with the CSRF token)."""
    octet = re.search(r"203\.0\.113\.(\d+)", page.locator(".activity-instructions").inner_text()).group(1)
    design_id = int(re.search(r"/designs/(\d+)/", page.url).group(1))
    solution = substitute(pack.shipped().activities["nat-network"]["solution"], {"out_octet": int(octet)})
    status = page.evaluate("""async ([id, doc]) => {
        const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrftoken=')).split('=')[1];
        const current = await (await fetch(`/api/designs/${id}`)).json();
        doc.name = current.name;
        const r = await fetch(`/api/designs/${id}`, {method: 'PUT', credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
          body: JSON.stringify({base_version: current.version, document: doc})});
        return r.status; }""", [design_id, json.loads(json.dumps(solution))])
    assert status == 200


def test_a_student_does_the_nat_activity_from_0_to_100(new_context):
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    sign_up(page, f"lessonstudent{next(_serial)}")
    page.goto("/activities/nat-network/")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/designs/\d+/activity/$"))
    expect(page.locator("#activity-percent")).to_have_text("0")
    expect(page.locator("#activity-results li.check-fail")).to_have_count(4)
    save_solution(page)
    # no click needed: the page asks again while the student works
    expect(page.locator("#activity-percent")).to_have_text("100", timeout=15000)
    expect(page.locator("#activity-results li.check-pass")).to_have_count(4)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lesson-activity.png"), full_page=True)


def test_a_class_the_teacher_sees_the_students_completion_live(new_context):
    teacher = new_context().new_page()
    teacher.set_viewport_size(PROJECTOR)
    sign_up(teacher, f"teacher{next(_serial)}")
    teacher.get_by_role("link", name="Classes").click()
    teacher.get_by_label("New class").fill("Virtualization, group 2")
    teacher.get_by_role("button", name="Create class").click()
    teacher.get_by_label("Assign an activity").select_option("nat-network")
    teacher.get_by_role("button", name="Assign").click()
    code = teacher.locator("#class-code").inner_text()
    expect(teacher.locator("#class-overview")).to_have_attribute("data-live", "socket")
    teacher.evaluate("() => { window.__sameOverviewPage = true; }")  # gone if the page reloads

    student = new_context().new_page()
    student.set_viewport_size(PROJECTOR)
    name = f"lessonstudent{next(_serial)}"
    sign_up(student, name)
    student.goto("/classes/join/")
    student.get_by_label("Class code").fill(code)
    student.get_by_role("button", name="Join").click()
    student.get_by_role("button", name="Start Put a VM behind NAT").click()
    student.wait_for_url(re.compile(r"/designs/\d+/activity/$"))
    expect(student.locator("#activity-percent")).to_have_text("0")

    # No reload: the overview draws the student who started by itself (its class socket says so,
    # and the table is drawn again from the page's HTML, in place: the page is not reloaded).
    row = teacher.locator(f"tr[data-student='{name}']")
    expect(row.locator(".percent")).to_have_text("0%", timeout=15000)
    assert teacher.evaluate("() => window.__sameOverviewPage === true"), "the overview reloaded its page"
    save_solution(student)
    expect(student.locator("#activity-percent")).to_have_text("100", timeout=15000)
    # the overview updates by itself
    expect(row.locator(".percent")).to_have_text("100%", timeout=15000)
    teacher.screenshot(path=str(SHOTS / "lesson-class.png"))
    # the teacher opens the student's design read-only
    row.get_by_role("link", name="open").click()
    expect(teacher.locator("body")).to_contain_text("viewer")
