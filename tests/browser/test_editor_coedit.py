"""Two people (two browser contexts, each its own socket) edit one design at once over the design
websocket: they add, move, rename and delete what the other is editing; both canvases end
identical to the server's document, and a reload shows the same. Presence: each sees the other's
cursor and selection."""

from __future__ import annotations

import itertools
import json

import pytest
from playwright.sync_api import expect
from test_editor_draw import PASSWORD, doc, palette, snapshot

pytestmark = pytest.mark.browser
_serial = itertools.count(1)


def signup_and_create(page, name: str) -> str:
    user = f"co{next(_serial)}{name.lower()}"
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="New design").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    snapshot(page)
    return user


def login(page, username: str, url: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(url)
    snapshot(page)


def settled(page) -> None:
    page.wait_for_function("() => { const c = window.designer.coedit(); return c && c.synced && c.pending === 0; }",
                           timeout=15_000)


def server_document(page) -> dict:
    design_id = page.locator("#canvas").get_attribute("data-design-id")
    return json.loads(page.evaluate(f"() => fetch('/api/designs/{design_id}').then((r) => r.text())"))["document"]


def same_everywhere(a, b) -> dict:
    for _ in range(60):
        settled(a)
        settled(b)
        server = server_document(a)
        if doc(a) == server and doc(b) == server:
            return server
        a.wait_for_timeout(100)
    assert doc(a) == doc(b) == server_document(a)


def node(d, node_id):
    return next((n for n in d["nodes"] if n["id"] == node_id), None)


def rename(page, node_id: str, name: str) -> None:
    page.evaluate(f"() => window.designer.select(['{node_id}'])")
    field = page.locator("#properties-body").get_by_label("Name", exact=True)
    field.fill(name)
    field.press("Enter")


def test_two_people_edit_the_same_things_and_end_identical(new_context):
    a = new_context().new_page()
    user = signup_and_create(a, "Together")
    b = new_context().new_page()
    login(b, user, a.url)
    settled(a)
    settled(b)

    # a adds a host and a VM; b sees them arrive
    palette(a, "physical host").click()
    palette(a, "virtual machine").click()
    b.wait_for_function("() => window.designer.snapshot().document.nodes.some((n) => n.id === 'vm1')")
    # b renames the VM a just added while a moves the host (with its guests)
    rename(b, "vm1", "web")
    a.evaluate("() => window.designer.select([])")
    same_everywhere(a, b)
    assert node(doc(a), "vm1")["name"] == "web"

    # both add "the next VM" at the same instant: two VMs, distinct ids and MACs
    a.evaluate("() => window.designer.select(['host1'])")
    b.evaluate("() => window.designer.select(['host1'])")
    palette(a, "virtual machine").click()
    palette(b, "virtual machine").click()
    server = same_everywhere(a, b)
    vms = [n for n in server["nodes"] if n["kind"] == "vm"]
    assert len(vms) == 3 and len({n["id"] for n in vms}) == 3
    assert len({n["nics"][0]["mac"] for n in vms}) == 3

    # a renames vm1 while b deletes it: whatever the order, both end as the server
    a.evaluate("() => window.designer.select(['vm1'])")
    field = a.locator("#properties-body").get_by_label("Name", exact=True)
    field.fill("db")
    b.evaluate("() => window.designer.select(['vm1'])")
    field.press("Enter")
    b.get_by_role("button", name="Delete", exact=True).click()
    server = same_everywhere(a, b)
    assert node(server, "vm1") is None

    # b undoes its delete: vm1 comes back for everyone
    b.keyboard.press("Control+z")
    server = same_everywhere(a, b)
    assert node(server, "vm1") is not None

    # presence: b's cursor and selection show on a's canvas in b's colour
    b.evaluate("() => window.designer.select(['host1'])")
    box = b.locator("#canvas").bounding_box()
    b.mouse.move(box["x"] + 40, box["y"] + 40)
    b.mouse.move(box["x"] + 60, box["y"] + 50)
    a.wait_for_function("() => window.designer.coedit().peers.some((p) => p.cursor && p.selection.includes('host1'))")
    expect(a.locator(".presence-cursor")).to_have_count(1)
    expect(a.locator(".presence-selection")).to_have_count(1)
    a.screenshot(path="var/coedit-presence.png")

    # a reload shows the same document
    a.reload()
    assert doc(a) == server_document(b) == doc(b)

    # a viewer (share link) watches the next change arrive on its read-only canvas
    design_id = a.locator("#canvas").get_attribute("data-design-id")
    link = a.evaluate(f"""() => fetch('/api/designs/{design_id}/links', {{method: 'POST', credentials: 'same-origin',
        headers: {{'Content-Type': 'application/json', 'X-CSRFToken': document.cookie.match(/csrftoken=([^;]+)/)[1]}},
        body: JSON.stringify({{role: 'viewer'}})}}).then((r) => r.json())""")
    v = new_context().new_page()
    v.goto(link["url"])
    v.goto(a.url)
    assert snapshot(v)["view"]["readOnly"] is True
    settled(a)
    palette(a, "LAN switch").click()
    v.wait_for_function("() => window.designer.snapshot().document.nodes.some((n) => n.kind === 'lan_switch')")
    settled(a)
    assert doc(v) == server_document(a)
