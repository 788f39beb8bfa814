"""The properties panel beyond names and NICs: a NAT network's gateway, uplink and DHCP
range, its port-forward rules in VirtualBox's form, and a NIC's DHCP / static address choice.

Each field is checked against the design schema as you type: an invalid value shows its error
beside the field and is not saved; a valid one is one undo step.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from test_browser_a11y import violations
from test_editor_draw import doc, draw_nat_demo, new_design, snapshot

pytestmark = pytest.mark.browser


def node(page, node_id: str) -> dict:
    return next(n for n in doc(page)["nodes"] if n["id"] == node_id)


def nat_demo(new_context, name: str):
    page = new_design(new_context(), name)
    draw_nat_demo(page)
    return page, page.locator("#properties-body")


@pytest.mark.parametrize(
    ("label", "bad", "error", "good", "path"),
    [
        (
            "Gateway",
            "10.0.2.2",
            "IPv4 network or address with prefix length: An IPv4 address and prefix length",
            "10.0.9.1/24",
            ("gateway",),
        ),
        (
            "Gateway MAC",
            "52:54:00:zz:00:01",
            "MAC address: Six hexadecimal byte pairs separated by colons",
            "52:54:00:12:34:56",
            ("gateway_mac",),
        ),
        (
            "Range start",
            "10.0.2.256",
            "IPv4 address: An IPv4 address in dotted quad form",
            "10.0.2.100",
            ("dhcp", "range_start"),
        ),
        (
            "Range end",
            "ten",
            "IPv4 address: An IPv4 address in dotted quad form",
            "10.0.2.200",
            ("dhcp", "range_end"),
        ),
        ("Lease time (s)", "30", "Lease time (s) must be >= 60", "7200", ("dhcp", "lease_s")),
    ],
)
def test_nat_network_fields_are_checked_and_saved(new_context, label, bad, error, good, path):
    page, panel = nat_demo(new_context, "NAT fields")
    page.evaluate("() => window.designer.select(['natnet1'])")
    before = doc(page)
    field = panel.get_by_label(label, exact=True)
    field.fill(bad)
    expect(panel.locator(".field-error").filter(has_text=error)).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    field.press("Tab")
    assert doc(page) == before
    field.fill(good)
    expect(field).to_have_attribute("aria-invalid", "false")
    field.press("Tab")
    value = node(page, "natnet1")
    for key in path:
        value = value[key]
    assert value == (int(good) if label.startswith("Lease") else good)
    page.keyboard.press("Control+z")
    assert doc(page) == before


def test_nat_network_uplink_is_a_choice_of_the_hosts_nics(new_context):
    page, panel = nat_demo(new_context, "Uplink")
    page.evaluate("() => window.designer.select(['host1'])")
    panel.get_by_role("button", name="Add a NIC").click()
    page.evaluate("() => window.designer.select(['natnet1'])")
    uplink = panel.get_by_label("Uplink", exact=True)
    expect(uplink.locator("option")).to_have_text(["eth0", "eth1"])
    assert node(page, "natnet1")["uplink"] == "eth0"
    uplink.select_option("eth1")
    assert node(page, "natnet1")["uplink"] == "eth1"


def test_port_forwards_are_added_edited_and_removed(new_context):
    page, panel = nat_demo(new_context, "Forwards")
    page.evaluate("() => window.designer.select(['natnet1'])")
    before = doc(page)
    panel.get_by_role("button", name="Add a port forward").click()
    panel.get_by_role("button", name="Add a port forward").click()
    assert node(page, "natnet1")["port_forwards"] == [
        {"name": "rule1", "proto": "tcp", "host_port": 2222, "guest_ip": "10.0.2.15", "guest_port": 22},
        {"name": "rule2", "proto": "tcp", "host_port": 2223, "guest_ip": "10.0.2.15", "guest_port": 22},
    ]
    rule = panel.locator("fieldset.forward").nth(1)
    rule.get_by_label("Name", exact=True).fill("dns")
    rule.get_by_label("Name", exact=True).press("Tab")
    rule = panel.locator("fieldset.forward").nth(1)
    rule.get_by_label("Protocol", exact=True).select_option("udp")
    rule = panel.locator("fieldset.forward").nth(1)
    port = rule.get_by_label("Host port", exact=True)
    port.fill("70000")
    expect(rule.locator(".field-error").filter(has_text="Host port must be <= 65535")).to_be_visible()
    port.press("Tab")
    assert node(page, "natnet1")["port_forwards"][1]["host_port"] == 2223
    rule = panel.locator("fieldset.forward").nth(1)
    rule.get_by_label("Host port", exact=True).fill("5353")
    rule.get_by_label("Host port", exact=True).press("Tab")
    rule = panel.locator("fieldset.forward").nth(1)
    rule.get_by_label("Guest IP", exact=True).fill("10.0.2.16")
    rule.get_by_label("Guest IP", exact=True).press("Tab")
    assert node(page, "natnet1")["port_forwards"][1] == {
        "name": "dns",
        "proto": "udp",
        "host_port": 5353,
        "guest_ip": "10.0.2.16",
        "guest_port": 22,
    }
    panel.get_by_role("button", name="Remove rule rule1").click()
    assert [r["name"] for r in node(page, "natnet1")["port_forwards"]] == ["dns"]
    panel.get_by_role("button", name="Remove rule dns").click()
    assert "port_forwards" not in node(page, "natnet1")
    undo = page.get_by_role("button", name="Undo", exact=True)
    for _ in range(8):
        undo.click()
    assert doc(page) == before


def test_a_nic_address_is_one_click_from_dhcp(new_context):
    page, panel = nat_demo(new_context, "Address choice")
    page.evaluate("() => window.designer.select(['vm1'])")
    address = panel.get_by_label("Address (dhcp or CIDR)")
    # Static: type an address; the Static radio follows the document.
    address.fill("10.0.2.20/24")
    address.press("Tab")
    assert node(page, "vm1")["nics"][0]["ip"] == "10.0.2.20/24"
    expect(panel.get_by_role("radio", name="Static")).to_be_checked()
    panel.get_by_role("radio", name="DHCP").click()
    assert node(page, "vm1")["nics"][0]["ip"] == "dhcp"
    expect(panel.get_by_role("radio", name="DHCP")).to_be_checked()
    panel.get_by_role("radio", name="None").click()
    assert "ip" not in node(page, "vm1")["nics"][0]
    # Static from None saves nothing until a valid address is typed, and focuses the field.
    panel.get_by_role("radio", name="Static").click()
    expect(address).to_be_focused()
    assert "ip" not in node(page, "vm1")["nics"][0]
    # The focus is in a field, where Ctrl+Z is the field's own: undo with the toolbar button.
    page.get_by_role("button", name="Undo", exact=True).click()
    assert node(page, "vm1")["nics"][0]["ip"] == "dhcp"


def test_auto_layout_is_one_undo_step(new_context):
    page, _ = nat_demo(new_context, "Auto layout")
    before = doc(page)
    page.get_by_role("button", name="Auto layout").click()
    page.wait_for_function(
        "(b) => JSON.stringify(window.designer.snapshot().document) !== b", arg=json.dumps(before)
    )
    after = doc(page)
    was = {n["id"]: n.get("position") for n in before["nodes"]}
    moved = [n["id"] for n in after["nodes"] if n.get("position") != was[n["id"]]]
    assert moved, "the layout moved nothing"
    # The canvas shows what the document says (a host's drawn centre is derived from its
    # guests' whole-number positions, so it may sit half a pixel off).
    view = {n["id"]: n["position"] for n in snapshot(page)["view"]["nodes"]}
    for n in after["nodes"]:
        assert (
            abs(view[n["id"]]["x"] - n["position"]["x"]) <= 1
            and abs(view[n["id"]]["y"] - n["position"]["y"]) <= 1
        )
    page.get_by_role("button", name="Undo", exact=True).click()
    assert doc(page) == before
    page.get_by_role("button", name="Redo", exact=True).click()
    assert doc(page) == after


def test_nat_network_panel_has_no_serious_axe_violation(new_context):
    page, panel = nat_demo(new_context, "NAT axe")
    page.evaluate("() => window.designer.select(['natnet1'])")
    panel.get_by_role("button", name="Add a port forward").click()
    panel.get_by_label("Lease time (s)", exact=True).fill("1")
    expect(panel.locator(".field-error").filter(has_text="Lease time (s) must be >= 60")).to_be_visible()
    assert violations(page) == []
    page.evaluate("() => window.designer.select(['vm1'])")
    expect(panel.get_by_role("radio", name="DHCP")).to_be_visible()
    assert violations(page) == []
