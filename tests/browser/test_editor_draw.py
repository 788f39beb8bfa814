"""The canvas editor in a real browser: drawing a NAT-demo-like design from an empty
canvas, saving and reloading, undo/redo, the properties panel's field checks, a 409 conflict from
a second tab, copy/paste, exports, a refused import and the keyboard shortcuts.

Canvas content is not DOM: the document and the drawing are read through
`window.designer.snapshot()`; the canvas is driven with the mouse at the positions it reports.
"""

from __future__ import annotations

import itertools
import json
import re
import struct
from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-42"
_serial = itertools.count(1)


class Actions:
    """Counts what the user does (clicks, drags, keys, typed fields) for the figures in docs/editor.md."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def press(self, key):
        self.count += 1
        self.page.keyboard.press(key)

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)
        locator.press("Tab")

    def drag(self, a, b):
        self.count += 1
        drag(self.page, a, b)


def snapshot(page) -> dict:
    page.wait_for_function("() => window.designer && document.getElementById('canvas').dataset.ready === 'true'")
    return page.evaluate("() => window.designer.snapshot()")


def doc(page) -> dict:
    return snapshot(page)["document"]


def new_design(context, name: str):
    page = context.new_page()
    # The design name in the user name keeps users unique across modules sharing the server.
    user = f"ed{next(_serial)}" + re.sub(r"[^a-z0-9]", "", name.lower())
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="New design").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    snapshot(page)
    return page


def screen_point(page, node_id: str) -> tuple[float, float]:
    """Where node `node_id` is drawn on the screen (model position * zoom + pan + canvas origin)."""
    return page.evaluate(
        """(id) => {
            const s = window.designer.snapshot();
            const n = s.view.nodes.find((x) => x.id === id);
            const r = document.getElementById('canvas').getBoundingClientRect();
            return [r.left + n.position.x * s.view.zoom + s.view.pan.x, r.top + n.position.y * s.view.zoom + s.view.pan.y];
        }""",
        node_id,
    )


def drag(page, a: str, b: str) -> None:
    x1, y1 = screen_point(page, a)
    x2, y2 = screen_point(page, b)
    page.mouse.move(x1, y1)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x1 + (x2 - x1) * i / 10, y1 + (y2 - y1) * i / 10)
    page.mouse.up()


def palette(page, noun: str):
    return page.get_by_role("button", name=f"Add {noun}", exact=True)


def wait_saved(page) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=10_000)


def draw_nat_demo(page) -> Actions:
    """The lecture's NAT demo: a host with a NAT network and two VMs wired to it, from an empty canvas."""
    act = Actions(page)
    act.click(palette(page, "physical host"))
    act.click(palette(page, "virtual machine"))
    act.click(page.get_by_role("button", name="Add virtual machine", exact=True))
    act.click(palette(page, "NAT network"))
    act.click(page.get_by_role("button", name="Wire mode"))
    act.drag("vm1", "natnet1")
    act.drag("vm2", "natnet1")
    act.click(page.get_by_role("button", name="Wire mode"))
    return act


def test_draw_nat_demo_save_reload_same_document(new_context):
    page = new_design(new_context(), "NAT drawn")
    act = draw_nat_demo(page)
    document = doc(page)
    kinds = {n["id"]: (n["kind"], n.get("host")) for n in document["nodes"]}
    assert kinds == {"host1": ("host", None), "vm1": ("vm", "host1"), "vm2": ("vm", "host1"), "natnet1": ("nat_network", "host1")}
    nat = next(n for n in document["nodes"] if n["id"] == "natnet1")
    assert (nat["gateway"], nat["uplink"], nat["dhcp"]["range_start"]) == ("10.0.2.2/24", "eth0", "10.0.2.15")
    ends = sorted(((link["a"], link["b"]) for link in document["links"]), key=lambda e: e[0]["node"])
    assert ends == [({"node": "vm1", "nic": "eth0"}, {"node": "natnet1"}), ({"node": "vm2", "nic": "eth0"}, {"node": "natnet1"})]
    parents = {n["id"]: n["parent"] for n in snapshot(page)["view"]["nodes"]}
    assert parents["vm1"] == parents["vm2"] == parents["natnet1"] == "host1"
    wait_saved(page)
    page.reload()
    assert doc(page) == document
    # The figure quoted in docs/editor.md.
    assert act.count == 8


def test_undo_redo_across_add_connect_delete_property(new_context):
    page = new_design(new_context(), "Undo lab")
    draw_nat_demo(page)
    drawn = doc(page)
    # A property edit, then a delete, each one undo step.
    page.evaluate("() => window.designer.select(['vm1'])")
    name = page.locator("#properties-body").get_by_label("Name", exact=True)
    name.fill("web")
    name.press("Enter")
    assert [n.get("name") for n in doc(page)["nodes"] if n["id"] == "vm1"] == ["web"]
    page.evaluate("() => window.designer.select(['natnet1'])")
    page.get_by_role("button", name="Delete", exact=True).click()
    after_delete = doc(page)
    assert "natnet1" not in [n["id"] for n in after_delete["nodes"]] and after_delete["links"] == []
    page.keyboard.press("Control+z")
    assert len(doc(page)["links"]) == 2
    page.keyboard.press("Control+z")
    assert doc(page) == drawn
    page.keyboard.press("Control+y")
    page.keyboard.press("Control+Shift+z")
    assert doc(page) == after_delete
    # Undo all the way back to the empty canvas: add, wire and place are undone too.
    undo = page.get_by_role("button", name="Undo", exact=True)
    while undo.is_enabled():
        undo.click()
    assert doc(page)["nodes"] == [] and doc(page)["links"] == []
    page.get_by_role("button", name="Redo", exact=True).click()
    assert [n["id"] for n in doc(page)["nodes"]] == ["host1"]


@pytest.mark.parametrize(
    ("label", "value", "error"),
    [
        ("MAC address", "08:00:27:zz:00:01", "MAC address: Six hexadecimal byte pairs separated by colons"),
        ("Address (dhcp or CIDR)", "10.0.0.300/24", "NIC address: A static IPv4 address with its prefix length"),
    ],
)
def test_a_wrong_field_shows_its_error_and_is_not_saved(new_context, label, value, error):
    page = new_design(new_context(), "Field checks")
    palette(page, "physical host").click()
    palette(page, "virtual machine").click()
    before = doc(page)
    field = page.locator("#properties-body").get_by_label(label)
    field.fill(value)
    expect(page.locator("#properties-body .field-error").filter(has_text=error)).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    field.press("Tab")
    assert doc(page) == before
    field.fill("dhcp" if "CIDR" in label else "08:00:27:aa:00:01")
    expect(field).to_have_attribute("aria-invalid", "false")
    field.press("Tab")
    nic = next(n for n in doc(page)["nodes"] if n["id"] == "vm1")["nics"][0]
    assert nic.get("ip" if "CIDR" in label else "mac") == ("dhcp" if "CIDR" in label else "08:00:27:aa:00:01")


def test_a_conflict_from_a_second_tab(new_context):
    context = new_context()
    first = new_design(context, "Two tabs")
    second = context.new_page()
    # A browser without websockets: the HTTP autosave with its version check is the fallback
    # (with one, both tabs co-edit: tests/browser/test_editor_coedit.py).
    second.add_init_script("delete window.WebSocket")
    second.goto(first.url)
    snapshot(second)
    palette(first, "LAN switch").click()
    wait_saved(first)
    palette(second, "internet").click()
    expect(second.locator("#editor-banner")).to_contain_text("This design changed elsewhere: your changes are not saved.", timeout=10_000)
    expect(second.locator("#save-status")).to_have_attribute("data-state", "conflict")
    # Save as a copy keeps the second tab's work in a new design.
    second.get_by_role("button", name="Save as a copy").click()
    expect(second.get_by_role("heading", level=1)).to_contain_text("(copy)")
    assert [n["kind"] for n in doc(second)["nodes"]] == ["internet"]
    first.reload()
    assert [n["kind"] for n in doc(first)["nodes"]] == ["lan_switch"]


def test_copy_paste_and_duplicate(new_context):
    page = new_design(new_context(), "Clipboard")
    palette(page, "physical host").click()
    palette(page, "virtual machine").click()
    page.locator("#properties-body").get_by_label("Name", exact=True).fill("web")
    page.locator("#properties-body").get_by_label("Name", exact=True).press("Enter")
    page.evaluate("() => window.designer.select(['vm1'])")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    nodes = {n["id"]: n for n in doc(page)["nodes"]}
    assert nodes["vm2"]["name"] == "web2" and nodes["vm2"]["host"] == "host1"
    assert nodes["vm2"]["nics"][0]["name"] == "eth0"
    assert snapshot(page)["view"]["selected"] == ["vm2"]
    page.keyboard.press("Control+d")
    assert [n["id"] for n in doc(page)["nodes"]] == ["host1", "vm1", "vm2", "vm3"]


def test_exports_png_and_svg(new_context):
    page = new_design(new_context(), "Exports")
    palette(page, "physical host").click()
    palette(page, "virtual machine").click()
    with page.expect_download() as png:
        page.get_by_role("button", name="Export PNG").click()
    data = open(png.value.path(), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0 and height > 0
    with page.expect_download() as svg:
        page.get_by_role("button", name="Export SVG").click()
    root = ElementTree.parse(svg.value.path()).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ids = [g.get("data-id") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert ids == ["host1", "vm1"]
    with page.expect_download() as exported:
        page.get_by_role("button", name="Export JSON").click()
    assert json.loads(open(exported.value.path()).read()) == doc(page)


def test_a_bad_import_lists_its_errors_and_changes_nothing(new_context, tmp_path):
    page = new_design(new_context(), "Import")
    palette(page, "LAN switch").click()
    before = doc(page)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "name": "x", "nodes": [{"id": "vm1", "kind": "vm", "host": "h",
                                                                    "nics": [{"name": "eth0", "mac": "nope"}]}],
                               "links": []}))
    page.locator("#import-file").set_input_files(str(bad))
    alert = page.locator("#editor-banner")
    expect(alert).to_contain_text("bad.json was not imported, nothing changed")
    expect(alert).to_contain_text("/nodes/0/nics/0/mac: MAC address: Six hexadecimal byte pairs")
    assert doc(page) == before
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    page.locator("#import-file").set_input_files(str(junk))
    expect(alert).to_contain_text(re.compile(r"not JSON: "))
    assert doc(page) == before


def test_keyboard_shortcuts_do_not_fire_while_typing(new_context):
    page = new_design(new_context(), "Keys")
    palette(page, "physical host").click()
    palette(page, "virtual machine").click()
    name = page.locator("#properties-body").get_by_label("Name", exact=True)
    name.fill("abc")
    # Ctrl+Z and Delete inside the field edit the text, not the design.
    name.press("Control+z")
    name.press("Delete")
    assert [n["id"] for n in doc(page)["nodes"]] == ["host1", "vm1"]
    name.press("Escape")
    page.get_by_role("button", name="Export JSON").focus()
    page.keyboard.press("Delete")
    assert [n["id"] for n in doc(page)["nodes"]] == ["host1"]
    page.keyboard.press("Control+z")
    assert [n["id"] for n in doc(page)["nodes"]] == ["host1", "vm1"]


def test_nics_added_and_removed_from_the_properties_panel(new_context):
    page = new_design(new_context(), "NICs")
    draw_nat_demo(page)
    page.evaluate("() => window.designer.select(['vm1'])")
    panel = page.locator("#properties-body")
    panel.get_by_role("button", name="Add a NIC").click()
    vm1 = next(n for n in doc(page)["nodes"] if n["id"] == "vm1")
    assert [nic["name"] for nic in vm1["nics"]] == ["eth0", "eth1"]
    panel.get_by_role("button", name="Remove eth0").click()
    vm1 = next(n for n in doc(page)["nodes"] if n["id"] == "vm1")
    assert [nic["name"] for nic in vm1["nics"]] == ["eth1"]
    assert [link["a"]["node"] for link in doc(page)["links"]] == ["vm2"]
    page.keyboard.press("Control+z")
    assert sorted(link["a"]["node"] for link in doc(page)["links"]) == ["vm1", "vm2"]
