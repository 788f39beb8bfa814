"""The teacher's path, with no reload between drawing and playing: draw the
lecture's NAT demo from an empty canvas (the panel lists the new VMs' consoles and captures before
any run) and wire the host to the Internet, press Play, and the two new VMs have consoles; `dhclient eth0` typed in vm1's console gets a lease from the NAT network's
DHCP server (the lease table shows it); vm1 pings the Internet and the NAT table gains the
connection; the pcap of vm1's NIC (a capture point the document never declared: a live run
captures every drawn NIC and link) downloads with the DHCP exchange in it.
"""

from __future__ import annotations

import io

import dpkt
import pytest
from playwright.sync_api import expect
from test_editor_draw import doc, draw_nat_demo, new_design, palette, screen_point, snapshot, wait_saved
from test_live_nat import open_tab, wait_live

pytestmark = pytest.mark.browser


def test_draw_the_nat_demo_then_play_and_lease_without_reloading(new_context):
    page = new_design(new_context(), "Drawn NAT demo")
    wait_live(page)
    expect(page.get_by_text("No node of this design has a console yet")).to_be_visible()
    expect(page.get_by_text("This design has no NIC to capture yet")).to_be_visible()
    draw_nat_demo(page)
    # Before Play the panel follows the drawing: the new VMs have consoles and captures already.
    expect(page.get_by_role("tab", name="vm1", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="vm1 eth0 (pcap)")).to_be_attached()
    expect(page.get_by_text("No node of this design has a console yet")).to_have_count(0)
    expect(page.get_by_text("This design has no NIC to capture yet")).to_have_count(0)
    # Wiring the host to the Internet addresses the Internet's NIC and routes the host through it.
    palette(page, "internet").click()
    page.get_by_role("button", name="Wire mode").click()
    # From the host's own box (its top padding), not from a VM inside it.
    x2, y2 = screen_point(page, "internet1")
    x1, _ = screen_point(page, "host1")
    top = min(screen_point(page, n)[1] for n in ("vm1", "vm2", "natnet1"))
    y1 = top - 22 * snapshot(page)["view"]["zoom"]
    page.mouse.move(x1, y1)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x1 + (x2 - x1) * i / 10, y1 + (y2 - y1) * i / 10)
    page.mouse.up()
    page.get_by_role("button", name="Wire mode").click()
    wait_saved(page)
    nodes = {n["id"]: n for n in doc(page)["nodes"]}
    assert nodes["host1"]["routes"] == [{"to": "default", "via": nodes["internet1"]["nics"][0]["ip"].split("/")[0]}]

    page.get_by_label("Speed").select_option("5")
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Playing", timeout=30_000)
    # The run started on the drawn design: its VMs are still listed.
    expect(page.get_by_role("tab", name="vm1", exact=True)).to_be_visible()
    expect(page.get_by_role("tab", name="vm2", exact=True)).to_be_visible()

    open_tab(page, "vm1")
    vm1 = page.locator(".live-console[data-node='vm1']")
    vm1.get_by_label("Plain text").check()
    line = vm1.get_by_role("textbox")
    line.fill("dhclient eth0")
    line.press("Enter")
    open_tab(page, "DHCP leases")
    lease = page.locator("table[data-section^='dhcp:'] tbody tr").filter(has_text="10.0.2.15")
    expect(lease).to_have_count(1, timeout=30_000)
    expect(lease).to_contain_text("bound", timeout=30_000)

    line.fill("ping -c 2 8.8.8.8")
    line.press("Enter")
    expect(vm1.get_by_role("log")).to_contain_text("2 packets transmitted, 2 received", timeout=30_000)
    open_tab(page, "NAT")
    expect(page.locator("table[data-section='conntrack:natnet1'] tbody tr").filter(has_text="8.8.8.8").first).to_be_visible()

    href = page.get_by_role("link", name="vm1 eth0 (pcap)").get_attribute("href")
    answer = page.request.get(href)
    assert answer.status == 200
    frames = [dpkt.ethernet.Ethernet(raw) for _, raw in dpkt.pcap.Reader(io.BytesIO(answer.body()))]
    dhcp = [f for f in frames if isinstance(f.data, dpkt.ip.IP) and isinstance(f.data.data, dpkt.udp.UDP)
            and {f.data.data.sport, f.data.data.dport} == {67, 68}]
    assert len(dhcp) >= 4, f"DORA in vm1's capture, got {len(dhcp)} DHCP frames of {len(frames)}"
