"""The teacher's path, with no reload between drawing and playing (issue 7 with issue 6): draw the
lecture's NAT demo from an empty canvas, press Play, and the two new VMs have consoles; `dhclient
eth0` typed in vm1's console gets a lease from the NAT network's DHCP server, shown in the lease
table; the pcap of vm1's NIC (a capture point the document never declared: a live run captures
every drawn NIC and link) downloads with the DHCP exchange in it.
"""

from __future__ import annotations

import io

import dpkt
import pytest
from playwright.sync_api import expect
from test_editor_draw import draw_nat_demo, new_design, wait_saved
from test_live_nat import open_tab, wait_live

pytestmark = pytest.mark.browser


def test_draw_the_nat_demo_then_play_and_lease_without_reloading(new_context):
    page = new_design(new_context(), "Drawn NAT demo")
    wait_live(page)
    expect(page.get_by_text("No node of this design has a console.")).to_be_visible()
    draw_nat_demo(page)
    wait_saved(page)

    page.get_by_label("Speed").select_option("5")
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Playing", timeout=30_000)
    # The panel was built for the empty design; the run started on the drawn one, so it lists
    # the new VMs now.
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

    href = page.get_by_role("link", name="vm1 eth0 (pcap)").get_attribute("href")
    answer = page.request.get(href)
    assert answer.status == 200
    frames = [dpkt.ethernet.Ethernet(raw) for _, raw in dpkt.pcap.Reader(io.BytesIO(answer.body()))]
    dhcp = [f for f in frames if isinstance(f.data, dpkt.ip.IP) and isinstance(f.data.data, dpkt.udp.UDP)
            and {f.data.data.sport, f.data.data.dport} == {67, 68}]
    assert len(dhcp) >= 4, f"DORA in vm1's capture, got {len(dhcp)} DHCP frames of {len(frames)}"
