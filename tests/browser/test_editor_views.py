"""The canvas's views beyond plain nodes: the minimap of a large design, the NIC picker
when a wire ends on a node with several free NICs, a distributed switch drawn across the hosts it
spans, and a NAT network expanded into its switch, DHCP server and router (view only).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_editor_draw import doc, drag, new_design, screen_point, snapshot

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def import_document(page, document: dict) -> None:
    page.locator("#import-file").set_input_files(
        files=[
            {"name": "design.json", "mimeType": "application/json", "buffer": json.dumps(document).encode()}
        ]
    )
    page.wait_for_function(
        "(n) => window.designer.snapshot().document.nodes.length === n", arg=len(document["nodes"])
    )


def big_design(groups: int) -> dict:
    """`groups` hosts with 9 VMs each, far apart (10 nodes per group)."""
    nodes = []
    for g in range(groups):
        nodes.append({"id": f"host{g}", "kind": "host", "position": {"x": g * 900, "y": 0}})
        for v in range(9):
            nodes.append(
                {
                    "id": f"vm{g}x{v}",
                    "kind": "vm",
                    "host": f"host{g}",
                    "nics": [{"name": "eth0"}],
                    "position": {"x": g * 900 + (v % 3) * 90, "y": (v // 3) * 90},
                }
            )
    return {"version": 1, "name": "big", "nodes": nodes, "links": []}


def minimap(page) -> dict:
    return snapshot(page)["view"]["minimap"]


def wait_minimap(page, shown: bool) -> None:
    page.wait_for_function("(s) => window.designer.snapshot().view.minimap.shown === s", arg=shown)


# --- minimap ---------------------------------------------------------------------------------


def test_minimap_shows_for_a_large_design_and_click_pans_there(new_context):
    page = new_design(new_context(), "Minimap big")
    wait_minimap(page, False)  # an empty design has no minimap
    import_document(page, big_design(4))  # 40 nodes
    wait_minimap(page, True)
    canvas = page.locator("#canvas canvas.minimap")
    expect(canvas).to_be_visible()
    expect(page.locator("#minimap-toggle")).to_have_attribute("aria-pressed", "true")
    before = snapshot(page)["view"]
    rect = minimap(page)["viewport"]
    assert rect["w"] > 0 and rect["h"] > 0
    # Click near the minimap's left edge, middle height: the view moves so that point is centred.
    box = canvas.bounding_box()
    canvas.click(position={"x": 8, "y": box["height"] / 2})
    after = snapshot(page)["view"]
    assert after["zoom"] == before["zoom"]
    assert after["pan"]["x"] > before["pan"]["x"]  # the view went left
    page.wait_for_function("(x) => window.designer.snapshot().view.minimap.viewport.x < x", arg=rect["x"])
    # The centre of the canvas now shows the model point under the click.
    centre = page.evaluate(
        """() => { const s = window.designer.snapshot().view; const r = document.getElementById('canvas').getBoundingClientRect();
                   return [(r.width / 2 - s.pan.x) / s.zoom, (r.height / 2 - s.pan.y) / s.zoom]; }"""
    )
    assert centre[0] < 450  # left of the drawing's middle (hosts span x 0..2800)
    # A drag in the minimap pans along with the pointer.
    page.mouse.move(box["x"] + 10, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert snapshot(page)["view"]["pan"]["x"] < after["pan"]["x"]
    # Nothing in the document moved or changed.
    assert doc(page)["nodes"] == big_design(4)["nodes"]


def test_minimap_toggle_from_the_keyboard_and_arrow_keys_pan(new_context):
    page = new_design(new_context(), "Minimap keys")
    page.get_by_role("button", name="Add physical host", exact=True).click()
    wait_minimap(page, False)
    toggle = page.get_by_role("button", name="Minimap", exact=True)
    toggle.focus()
    page.keyboard.press("Enter")
    wait_minimap(page, True)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert minimap(page)["auto"] is False
    canvas = page.get_by_role("img", name=re.compile("^Minimap of the whole drawing"))
    canvas.focus()
    pan = snapshot(page)["view"]["pan"]
    page.keyboard.press("ArrowRight")
    assert snapshot(page)["view"]["pan"]["x"] < pan["x"]
    page.keyboard.press("ArrowUp")
    assert snapshot(page)["view"]["pan"]["y"] > pan["y"]
    toggle.focus()
    page.keyboard.press("Space")
    wait_minimap(page, False)
    expect(toggle).to_have_attribute("aria-pressed", "false")
    # The user's choice holds when the design grows past the threshold.
    import_document(page, big_design(4))
    page.wait_for_timeout(100)
    assert minimap(page)["shown"] is False


# --- NIC picker ------------------------------------------------------------------------------


def two_nic_design() -> dict:
    return {
        "version": 1,
        "name": "nics",
        "nodes": [
            {"id": "h", "kind": "host", "nics": [{"name": "eth0"}], "position": {"x": 0, "y": 0}},
            {"id": "sw", "kind": "lan_switch", "position": {"x": 300, "y": 0}},
            {
                "id": "pc",
                "kind": "outside_host",
                "position": {"x": 300, "y": 200},
                "nics": [{"name": "eth0", "ip": "192.168.1.10/24"}, {"name": "eth1", "ip": "dhcp"}],
            },
            {"id": "pc2", "kind": "outside_host", "position": {"x": 0, "y": 200}, "nics": [{"name": "eth0"}]},
        ],
        "links": [],
    }


def wire(page, a: str, b: str) -> None:
    page.get_by_role("button", name="Wire mode").click()
    drag(page, a, b)


def test_nic_picker_asks_which_nic_and_the_link_uses_it(new_context):
    page = new_design(new_context(), "NIC picker")
    import_document(page, two_nic_design())
    wire(page, "pc", "sw")
    menu = page.get_by_role("menu", name="Which NIC of pc?")
    expect(menu).to_be_visible()
    items = menu.get_by_role("menuitem")
    expect(items).to_have_text(["eth0 (192.168.1.10/24)", "eth1 (dhcp)", "Cancel (Escape)"])
    expect(items.first).to_be_focused()
    assert doc(page)["links"] == []  # nothing before the answer
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(menu).to_have_count(0)
    assert doc(page)["links"] == [{"id": "l1", "a": {"node": "pc", "nic": "eth1"}, "b": {"node": "sw"}}]
    # The link's end on the canvas shows the NIC and its address.
    edge = snapshot(page)["view"]["edges"][0]
    assert (edge["sourceLabel"], edge["sourceText"]) == ("eth1", "eth1 dhcp")
    # One undo removes the link.
    page.keyboard.press("Escape")
    page.keyboard.press("Control+z")
    assert doc(page)["links"] == []


def test_nic_picker_escape_cancels_with_nothing_changed(new_context):
    page = new_design(new_context(), "NIC picker escape")
    import_document(page, two_nic_design())
    before = doc(page)
    wire(page, "sw", "pc")  # the switch end first: the question is about the other end
    menu = page.get_by_role("menu", name="Which NIC of pc?")
    expect(menu).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    assert doc(page) == before
    # A click with the mouse on a choice works too.
    drag(page, "pc", "sw")
    page.get_by_role("menuitem", name="eth0 (192.168.1.10/24)").click()
    assert doc(page)["links"][0]["a"] == {"node": "pc", "nic": "eth0"}


def test_one_free_nic_is_not_asked_about(new_context):
    page = new_design(new_context(), "NIC picker one")
    import_document(page, two_nic_design())
    wire(page, "pc2", "sw")
    assert doc(page)["links"] == [{"id": "l1", "a": {"node": "pc2", "nic": "eth0"}, "b": {"node": "sw"}}]
    expect(page.get_by_role("menu")).to_have_count(0)


# --- distributed switch ----------------------------------------------------------------------


def test_distributed_switch_is_drawn_across_its_hosts_and_follows_them(new_context):
    page = new_design(new_context(), "Distributed switch")
    example = json.loads((EXAMPLES / "distributed-switch.json").read_text())
    import_document(page, example)
    parts = snapshot(page)["view"]["parts"]
    spans = sorted((p["source"], p["target"], p["label"]) for p in parts if p["id"].startswith("span:"))
    assert spans == [("dvs", "hvA", "VNI 100 via underlay"), ("dvs", "hvB", "VNI 100 via underlay")]

    # The spans end on the hosts' boxes and follow them: moving a VM inside hvA moves hvA's box.
    def span_end(host):
        return next(p for p in snapshot(page)["view"]["parts"] if p["id"] == f"span:dvs:{host}")["ends"][1]

    end_a, end_b = span_end("hvA"), span_end("hvB")
    x, y = screen_point(page, "vmA")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 120, y + 120, steps=6)
    page.mouse.up()
    assert (
        next(n for n in doc(page)["nodes"] if n["id"] == "vmA")["position"]
        != next(n for n in example["nodes"] if n["id"] == "vmA")["position"]
    )
    moved = span_end("hvA")
    assert abs(moved["x"] - end_a["x"]) + abs(moved["y"] - end_a["y"]) > 10
    assert span_end("hvB") == end_b
    # A span is not a link: it cannot be selected or deleted, and the document has no such link.
    page.keyboard.press("Control+a")
    assert not any(i.startswith("span:") for i in snapshot(page)["view"]["selected"])
    assert not any(link["id"].startswith("span:") for link in doc(page)["links"])
    # The spans are in the SVG export.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export SVG").click()
    svg = Path(download.value.path()).read_text()
    assert len(re.findall(r'<g class="span" data-switch="dvs" data-host="hv[AB]">', svg)) == 2
    assert svg.count("VNI 100 via underlay") == 2


# --- NAT network: one object, expandable ----------------------------------------------------


def test_nat_network_expands_into_switch_dhcp_and_router_view_only(new_context):
    page = new_design(new_context(), "NAT expand")
    example = json.loads((EXAMPLES / "nat-dhcp.json").read_text())
    import_document(page, example)
    page.evaluate("() => window.designer.select(['natnet'])")
    toggle = page.get_by_role("button", name="Show its parts (switch, DHCP server, router)")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert [p for p in snapshot(page)["view"]["parts"] if p["id"].startswith("part:")] == []
    before = doc(page)
    toggle.click()
    view = snapshot(page)["view"]
    assert view["expanded"] == ["natnet"]
    nodes = {p["id"]: p for p in view["parts"] if p["group"] == "nodes"}
    assert sorted(nodes) == ["part:natnet:dhcp", "part:natnet:router", "part:natnet:switch"]
    assert {p["parent"] for p in nodes.values()} == {"natnet"}
    nat = next(n for n in example["nodes"] if n["id"] == "natnet")
    assert nat["gateway"] in nodes["part:natnet:router"]["label"]
    assert nat["dhcp"]["range_start"] in nodes["part:natnet:dhcp"]["label"]
    edges = sorted(
        (p["source"], p["target"])
        for p in view["parts"]
        if p["group"] == "edges" and p["id"].startswith("part:")
    )
    assert edges == [("part:natnet:dhcp", "part:natnet:switch"), ("part:natnet:router", "part:natnet:switch")]
    # View only: the document is unchanged.
    assert doc(page) == before
    expect(page.get_by_role("button", name="Show its parts (switch, DHCP server, router)")).to_have_attribute(
        "aria-pressed", "true"
    )
    # The links to the NAT network still end on it.
    assert {(e["source"], e["target"]) for e in view["edges"]} == {
        (link["a"]["node"], link["b"]["node"]) for link in example["links"]
    }
    # Dragging the expanded NAT network moves it as one object: one position in the document.
    sw = nodes["part:natnet:switch"]["position"]
    s = snapshot(page)["view"]
    r = page.locator("#canvas").bounding_box()
    x, y = r["x"] + sw["x"] * s["zoom"] + s["pan"]["x"], r["y"] + sw["y"] * s["zoom"] + s["pan"]["y"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 30, steps=5)
    page.mouse.up()
    moved = next(n for n in doc(page)["nodes"] if n["id"] == "natnet")["position"]
    assert moved != nat["position"]
    assert [n["id"] for n in doc(page)["nodes"]] == [n["id"] for n in example["nodes"]]
    page.keyboard.press("Control+z")
    assert doc(page) == before
    # Collapse again (double click on it works too).
    page.evaluate("() => window.designer.select(['natnet'])")
    page.get_by_role("button", name="Show its parts (switch, DHCP server, router)").click()
    assert snapshot(page)["view"]["expanded"] == []
    assert [p for p in snapshot(page)["view"]["parts"] if p["id"].startswith("part:")] == []
    x, y = screen_point(page, "natnet")
    page.mouse.dblclick(x, y)
    assert snapshot(page)["view"]["expanded"] == ["natnet"]
