"""The smoke test in a real browser: sign up, create a design, see it drawn, share it
by a viewer link that an anonymous visitor opens read-only, and by an editor link that puts it
under "Shared with me" for a second signed-in person.

Canvas content is not DOM: the drawing is read through `window.designer.snapshot()`; everything
else through role and label locators, as a person would find it.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "internal-switch.json"
PASSWORD = "correct-horse-battery-42"
_serial = itertools.count(1)


def snapshot(page) -> dict:
    page.wait_for_function("() => window.designer && document.getElementById('canvas').dataset.ready === 'true'")
    return page.evaluate("() => window.designer.snapshot()")


def sign_up(page, username: str) -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()


def create_link(page, role: str) -> str:
    """On the share page: create a link with `role`, return its URL (the newest row is first)."""
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Create link").click()
    expect(page.get_by_text(f"A new {role} link is ready")).to_be_visible()
    row = page.locator("tbody tr").filter(has_text=role).first
    return row.get_by_role("textbox").input_value()


def test_sign_up_create_share_and_open_links(new_context):
    owner_name = f"owner{next(_serial)}"
    owner = new_context().new_page()
    sign_up(owner, owner_name)

    # A new, empty design: its page loads the bundle and the canvas shows no node yet.
    owner.get_by_label("Name", exact=True).fill("Smoke lab")
    owner.get_by_role("button", name="New design").click()
    expect(owner.get_by_role("heading", level=1)).to_contain_text("Smoke lab")
    assert snapshot(owner)["view"]["nodes"] == []

    # Import the example: the canvas draws its host around the VMs and the switch.
    owner.goto("/")
    owner.get_by_label("Design file (.json)").set_input_files(str(EXAMPLE))
    owner.get_by_role("button", name="Import").click()
    expect(owner.get_by_role("heading", level=1)).to_contain_text("Internal switch")
    drawn = snapshot(owner)
    parents = {n["id"]: n["parent"] for n in drawn["view"]["nodes"]}
    assert parents == {"hv": None, "intnet": "hv", "vm1": "hv", "vm2": "hv", "vm3": "hv"}
    assert sorted((e["source"], e["sourceLabel"], e["target"]) for e in drawn["view"]["edges"]) == [
        ("vm1", "eth0", "intnet"), ("vm2", "eth0", "intnet"), ("vm3", "eth0", "intnet"),
    ]
    assert drawn["document"]["name"] == "Internal switch"
    design_path = re.search(r"/designs/\d+/", owner.url).group(0)

    # Share it: a viewer link and an editor link.
    owner.get_by_role("link", name="Share").click()
    viewer_url = create_link(owner, "viewer")
    editor_url = create_link(owner, "editor")
    assert viewer_url != editor_url and "/s/" in viewer_url

    # Anonymous, in its own browser context: the viewer link opens the design, read-only.
    anonymous = new_context().new_page()
    anonymous.goto(viewer_url)
    assert anonymous.url.endswith(design_path)
    expect(anonymous.locator("#design-role")).to_have_text("viewer")
    expect(anonymous.get_by_text("Read-only view.")).to_be_visible()
    expect(anonymous.get_by_role("link", name="Share")).to_have_count(0)
    expect(anonymous.get_by_role("link", name="Delete")).to_have_count(0)
    seen = snapshot(anonymous)
    assert seen["view"]["readOnly"] is True
    assert sorted(n["id"] for n in seen["view"]["nodes"]) == ["hv", "intnet", "vm1", "vm2", "vm3"]

    # A second signed-in person opens the editor link: the design is "shared with me".
    student = new_context().new_page()
    sign_up(student, f"student{next(_serial)}")
    student.goto(editor_url)
    expect(student.locator("#design-role")).to_have_text("editor")
    student.goto("/")
    shared = student.get_by_role("region", name="Shared with me")
    expect(shared.get_by_role("link", name="Internal switch")).to_be_visible()
    expect(student.get_by_role("region", name="My designs").get_by_role("link", name="Internal switch")).to_have_count(0)


def test_revoked_link_no_longer_opens(new_context):
    owner = new_context().new_page()
    sign_up(owner, f"revoker{next(_serial)}")
    owner.get_by_role("button", name="New design").click()
    owner.get_by_role("link", name="Share").click()
    url = create_link(owner, "viewer")
    owner.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(owner.get_by_text("was revoked")).to_be_visible()

    visitor = new_context().new_page()
    answer = visitor.goto(url)
    assert answer.status == 404
    expect(visitor.get_by_role("heading", level=1)).to_have_text("This link does not open anything")
