"""The properties panel's remaining fields: services added, edited and removed (an HTTP
server's port and page, a DHCP server's range, router, DNS and probe), static routes, a NAT
network's DHCP options, host resources, hypervisor platform and type, a container's image, and a
NIC's attachment mode and network name, all generated from the design schema.

Each field is checked as you type (error beside it, nothing saved while invalid); each change is
one undo step.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_editor_draw import doc, drag, draw_nat_demo, new_design, palette, snapshot

pytestmark = pytest.mark.browser


def node(page, node_id: str) -> dict:
    return next(n for n in doc(page)["nodes"] if n["id"] == node_id)


def host_and_vm(new_context, name: str):
    page = new_design(new_context(), name)
    palette(page, "physical host").click()
    palette(page, "virtual machine").click()
    page.evaluate("() => window.designer.select(['vm1'])")
    return page, page.locator("#properties-body")


def type_into(panel, label: str, text: str):
    field = panel.get_by_label(label, exact=True)
    field.fill(text)
    return field


def refused(page, panel, label: str, text: str, error: str) -> None:
    before = doc(page)
    field = type_into(panel, label, text)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(panel.locator(".field-error").filter(has_text=error)).to_be_visible()
    field.press("Tab")
    assert doc(page) == before


def saved(panel, label: str, text: str) -> None:
    field = type_into(panel, label, text)
    expect(field).to_have_attribute("aria-invalid", "false")
    field.press("Tab")


def test_services_added_edited_removed_each_one_undo_step(new_context):
    page, panel = host_and_vm(new_context, "Services")
    start = doc(page)
    assert "services" not in node(page, "vm1")
    panel.get_by_label("New service kind").select_option("http")
    panel.get_by_role("button", name="Add a service").click()
    # A new service is the schema's default of its kind; the port field shows 80 as its placeholder.
    assert node(page, "vm1")["services"] == [{"kind": "http"}]
    expect(panel.get_by_label("Port (service 1)", exact=True)).to_have_attribute("placeholder", "80")
    refused(page, panel, "Port (service 1)", "70000", "Port must be <= 65535")
    saved(panel, "Port (service 1)", "8080")
    saved(panel, "Body (service 1)", "<h1>hello</h1>")
    assert node(page, "vm1")["services"] == [{"kind": "http", "port": 8080, "body": "<h1>hello</h1>"}]

    # A DHCP service: range, router, DNS list and the probe flag, checked like any field.
    page.evaluate("() => window.designer.select(['vm1'])")
    panel.get_by_label("New service kind").select_option("dhcp")
    panel.get_by_role("button", name="Add a service").click()
    dhcp = node(page, "vm1")["services"][1]
    assert dhcp == {
        "kind": "dhcp",
        "nic": "eth0",
        "range_start": "192.168.1.100",
        "range_end": "192.168.1.200",
    }
    # The NIC is required: no "(not set)" choice that could never be saved.
    expect(panel.get_by_label("NIC (service 2)", exact=True).locator("option")).to_have_text(["eth0"])
    refused(page, panel, "Router (service 2)", "192.168.1", "IPv4 address")
    saved(panel, "Router (service 2)", "192.168.1.1")
    refused(page, panel, "DNS servers (service 2)", "1.1.1.1, nine", "IPv4 address")
    saved(panel, "DNS servers (service 2)", "1.1.1.1, 9.9.9.9")
    panel.get_by_label("Probe before offering (service 2)", exact=True).select_option("false")
    saved(panel, "Lease time (s) (service 2)", "600")
    dhcp = node(page, "vm1")["services"][1]
    assert (dhcp["router"], dhcp["dns"], dhcp["probe"], dhcp["lease_s"]) == (
        "192.168.1.1",
        ["1.1.1.1", "9.9.9.9"],
        False,
        600,
    )

    # udp_traffic: a wrong destination is refused.
    panel.get_by_label("New service kind").select_option("udp_traffic")
    panel.get_by_role("button", name="Add a service").click()
    refused(page, panel, "To (service 3)", "somewhere", "To")
    saved(panel, "Interval (s) (service 3)", "0.5")
    assert node(page, "vm1")["services"][2] == {"kind": "udp_traffic", "to": "random", "interval_s": 0.5}

    panel.get_by_role("button", name="Remove service 1").click()
    assert [s["kind"] for s in node(page, "vm1")["services"]] == ["dhcp", "udp_traffic"]
    page.keyboard.press("Escape")
    page.keyboard.press("Control+z")
    assert [s["kind"] for s in node(page, "vm1")["services"]] == ["http", "dhcp", "udp_traffic"]
    # Every step undoes on its own: 3 adds, 2 + 4 + 1 field edits (the remove is undone already).
    for _ in range(10):
        page.keyboard.press("Control+z")
    assert doc(page) == start


def test_static_routes_added_edited_removed(new_context):
    page, panel = host_and_vm(new_context, "Routes")
    before = doc(page)
    panel.get_by_role("button", name="Add a route").click()
    assert node(page, "vm1")["routes"] == [{"to": "default", "via": "192.168.1.1"}]
    refused(page, panel, "To (route 1)", "10.0.0.0/33", "Route destination")
    saved(panel, "To (route 1)", "10.9.0.0/16")
    refused(page, panel, "Via (route 1)", "10.0.0", "IPv4 address")
    panel.get_by_label("Device (route 1)", exact=True).select_option("eth0")
    assert node(page, "vm1")["routes"] == [{"to": "10.9.0.0/16", "via": "192.168.1.1", "dev": "eth0"}]
    panel.get_by_role("button", name="Remove route 1").click()
    assert "routes" not in node(page, "vm1")
    page.keyboard.press("Escape")
    for _ in range(4):
        page.keyboard.press("Control+z")
    assert doc(page) == before


def test_nat_network_dhcp_options(new_context):
    page = new_design(new_context(), "NAT DHCP options")
    draw_nat_demo(page)
    page.evaluate("() => window.designer.select(['natnet1'])")
    panel = page.locator("#properties-body")
    before = doc(page)
    # The DHCP server's fields are one group, in the schema's order, under its title.
    group = panel.locator("fieldset.group", has=page.locator("legend", has_text="DHCP server"))
    expect(group.locator("label")).to_have_text(
        ["Range start", "Range end", "Lease time (s)", "Router", "DNS servers", "Probe before offering"]
    )
    refused(page, panel, "Router", "10.0.2", "IPv4 address")
    saved(panel, "Router", "10.0.2.1")
    saved(panel, "DNS servers", "10.0.2.3, 1.1.1.1")
    panel.get_by_label("Probe before offering", exact=True).select_option("false")
    dhcp = node(page, "natnet1")["dhcp"]
    assert (dhcp["router"], dhcp["dns"], dhcp["probe"]) == ("10.0.2.1", ["10.0.2.3", "1.1.1.1"], False)
    page.keyboard.press("Escape")
    for _ in range(3):
        page.keyboard.press("Control+z")
    assert doc(page) == before


def test_host_resources_platform_and_container_image(new_context):
    page = new_design(new_context(), "Host fields")
    palette(page, "physical host").click()
    page.evaluate("() => window.designer.select(['host1'])")
    panel = page.locator("#properties-body")
    refused(page, panel, "CPU cores", "0", "CPU cores must be >= 1")
    saved(panel, "CPU cores", "16")
    saved(panel, "RAM (MB)", "65536")
    panel.get_by_label("Platform", exact=True).select_option("kvm")
    panel.get_by_label("Hypervisor type", exact=True).select_option("1")
    panel.get_by_label("Virtualization extensions", exact=True).select_option("true")
    host = node(page, "host1")
    assert (
        host["cpu_cores"],
        host["ram_mb"],
        host["platform"],
        host["hypervisor_type"],
        host["virtualization_extensions"],
    ) == (16, 65536, "kvm", 1, True)
    palette(page, "container").click()
    page.evaluate("() => window.designer.select(['ct1'])")
    saved(panel, "Image", "nginx:1.27")
    assert node(page, "ct1")["image"] == "nginx:1.27"


def test_nic_mode_and_network_name_from_the_schema(new_context):
    page, panel = host_and_vm(new_context, "NIC mode")
    before = doc(page)
    mode = panel.get_by_label("Attachment mode (eth0)", exact=True)
    expect(mode.locator("option")).to_have_text(
        # VirtualBox's own names, from the schema's x-choices.
        ["(not set)", "NAT", "NAT Network", "Bridged Adapter", "Internal Network", "Host-only Adapter"]
    )
    mode.select_option("internal")
    assert node(page, "vm1")["nics"][0]["mode"] == "internal"
    refused(page, panel, "Network name (eth0)", "-lab", "Network name")
    saved(panel, "Network name (eth0)", "lab1")
    assert node(page, "vm1")["nics"][0]["network"] == "lab1"
    page.keyboard.press("Escape")
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    assert doc(page) == before


def test_nic_port_forwards_in_nat_mode(new_context):
    page, panel = host_and_vm(new_context, "NIC forwards")
    before = doc(page)
    expect(panel.get_by_role("button", name="Add a port forward (eth0)")).to_have_count(0)
    panel.get_by_label("Attachment mode (eth0)", exact=True).select_option("nat")
    panel.get_by_role("button", name="Add a port forward (eth0)").click()
    nic = node(page, "vm1")["nics"][0]
    assert nic["port_forwards"] == [{"name": "rule1", "proto": "tcp", "host_port": 2222, "guest_port": 22}]
    refused(page, panel, "Name (eth0 rule 1)", "a,b", "Name")
    saved(panel, "Name (eth0 rule 1)", "ssh")
    refused(page, panel, "Guest port (eth0 rule 1)", "0", "Guest port must be >= 1")
    assert node(page, "vm1")["nics"][0]["port_forwards"][0]["name"] == "ssh"
    panel.get_by_role("button", name="Remove rule ssh (eth0)").click()
    assert "port_forwards" not in node(page, "vm1")["nics"][0]
    page.keyboard.press("Escape")
    for _ in range(4):
        page.keyboard.press("Control+z")
    assert doc(page) == before


def test_distributed_switch_members_added_changed_removed(new_context):
    page = new_design(new_context(), "Dswitch members")
    for _ in range(3):
        palette(page, "physical host").click()
    palette(page, "distributed switch").click()
    switch = next(n for n in doc(page)["nodes"] if n["kind"] == "distributed_switch")["id"]
    page.evaluate("(id) => window.designer.select([id])", switch)
    panel = page.locator("#properties-body")
    before = doc(page)

    def spans():
        return sorted(p["target"] for p in snapshot(page)["view"]["parts"] if p["id"].startswith("span:"))

    # A new distributed switch spans every host with a NIC.
    assert [m["host"] for m in node(page, switch)["members"]] == ["host1", "host2", "host3"]
    assert spans() == ["host1", "host2", "host3"]
    expect(panel.get_by_role("button", name="Add a host to span")).to_be_disabled()
    panel.get_by_role("button", name="Remove member 2").click()
    assert [m["host"] for m in node(page, switch)["members"]] == ["host1", "host3"]
    assert spans() == ["host1", "host3"]
    expect(panel.get_by_label("Underlay NIC (member 1)", exact=True).locator("option")).to_have_text(["eth0"])
    panel.get_by_role("button", name="Add a host to span").click()
    assert node(page, switch)["members"][-1] == {"host": "host2", "underlay": "eth0"}
    assert spans() == ["host1", "host2", "host3"]
    # Another host for member 1 brings its own underlay NIC, in one step.
    page.evaluate("() => window.designer.select(['host2'])")
    page.locator("#properties-body").get_by_role("button", name="Add a NIC").click()
    page.evaluate("(id) => window.designer.select([id])", switch)
    panel.get_by_label("Host (member 1)", exact=True).select_option("host2")
    assert node(page, switch)["members"][0]["host"] == "host2"
    assert spans() == ["host2", "host3"]
    page.keyboard.press("Escape")
    for _ in range(4):
        page.keyboard.press("Control+z")
    assert doc(page) == before


def test_virtual_switch_bridged_to_lists_its_hosts_nics(new_context):
    page = new_design(new_context(), "Bridged to")
    palette(page, "physical host").click()
    palette(page, "virtual switch").click()
    switch = next(n for n in doc(page)["nodes"] if n["kind"] == "vswitch")["id"]
    # Drag it onto the host: it is placed there (and so can bridge to the host's NICs).
    drag(page, switch, "host1")
    assert node(page, switch)["host"] == "host1"
    page.evaluate("(id) => window.designer.select([id])", switch)
    panel = page.locator("#properties-body")
    bridged = panel.get_by_label("Bridged to", exact=True)
    expect(bridged.locator("option")).to_have_text(["(not set)", "eth0"])
    bridged.select_option("eth0")
    assert node(page, switch)["bridged_to"] == "eth0"
    refused(page, panel, "MAC aging time (s)", "-1", "MAC aging time")
