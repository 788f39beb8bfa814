"""The live simulation in the browser: the NAT example played by its owner and watched by
a viewer through a share link, over the real websocket of a live Daphne.

The owner presses Play; the lease appears in the DHCP lease table, the NAT table gains a row as
the VM pings (highlighted as new), the event list shows the sentences, a DHCP packet is inspected
layer by layer (its options, the hex dump), a command typed in the VM's terminal prints its
output. The viewer sees the same events in the same order and the consoles disabled with the
reason. Seeking back to 2 s puts the tables back as they were (no lease yet) for both. axe finds
no serious violation with the panel filled. The pcap links download the run's captures.

The example's own script types `dhclient eth0` at 1 s, `ping -c 3 203.0.113.10` at 8 s and
`conntrack -L` (on hv) at 12 s; the test types `ip addr` on the VM's console itself.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_a11y import violations
from test_browser_smoke import create_link, sign_up, snapshot

pytestmark = pytest.mark.browser

NAT_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "nat-dhcp.json"
CONSOLE_REASON = "console access is for the design's owner and editors (console access means admin access)"
_serial = itertools.count(1)


def live(page) -> dict:
    return page.evaluate("() => window.designer.live()")


def wait_live(page) -> None:
    snapshot(page)
    page.wait_for_function(
        "() => document.getElementById('live-root').dataset.ready === 'true'"
        " && window.designer.live().connected && window.designer.live().role"
    )


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()


def table_rows(page, section: str):
    return page.locator(f"table[data-section='{section}'] tbody tr")


def import_nat_example(page) -> str:
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(NAT_EXAMPLE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("NAT network with DHCP")
    return page.url


def seek(page, seconds: float) -> None:
    """Drag the timeline to `seconds`: the value changes (input), then the thumb is let go (change)."""
    page.get_by_label("Timeline").evaluate(
        """(el, t) => {
            el.value = String(t);
            el.dispatchEvent(new Event('input', {bubbles: true}));
            el.dispatchEvent(new Event('change', {bubbles: true}));
        }""",
        seconds,
    )


def test_nat_example_live_run_owner_and_viewer(new_context):
    owner = new_context().new_page()
    sign_up(owner, f"liveowner{next(_serial)}")
    design_url = import_nat_example(owner)
    owner.get_by_role("link", name="Share").click()
    viewer_url = create_link(owner, "viewer")
    owner.goto(design_url)
    wait_live(owner)

    viewer = new_context().new_page()
    viewer.goto(viewer_url)
    wait_live(viewer)
    assert live(viewer)["role"] == "viewer"

    # The viewer's controls are there but disabled, with the reason; so are the consoles.
    expect(viewer.get_by_role("button", name="Play", exact=True)).to_be_disabled()
    expect(
        viewer.get_by_text("Running the simulation is for the design's owner and editors").first
    ).to_be_visible()
    expect(viewer.get_by_text(f"Consoles are read-only here: {CONSOLE_REASON}.")).to_be_visible()
    viewer.get_by_label("Plain text").first.check()
    viewer_line = viewer.locator(".live-console[data-node='hv'] .live-plainline input")
    expect(viewer_line).to_be_disabled()
    assert CONSOLE_REASON in viewer_line.get_attribute("title")

    # Play at 2x: the script's dhclient leases 10.0.2.15 (after the server's 3 s address probe).
    owner.get_by_label("Speed").select_option("2")
    owner.get_by_role("button", name="Play", exact=True).click()
    # (The run's worker process imports the engine first: slow on a loaded machine.)
    expect(owner.locator(".live-status")).to_have_text("Playing", timeout=30_000)
    open_tab(owner, "DHCP leases")
    lease = table_rows(owner, "dhcp:hv:natnet").filter(has_text="10.0.2.15")
    expect(lease).to_have_count(1, timeout=20_000)
    expect(lease).to_contain_text("08:00:27:00:02:15")
    expect(lease).to_contain_text("bound")

    # The NAT table gains the ping's connection, highlighted as it appears.
    open_tab(owner, "NAT")
    conn = table_rows(owner, "conntrack:natnet").filter(has_text="icmp")
    expect(conn).to_have_count(1, timeout=20_000)
    expect(conn).to_contain_text("10.0.2.15")
    expect(conn).to_contain_text("203.0.113.2")
    expect(
        owner.locator("table[data-section='conntrack:natnet'] tr.live-changed[data-changed='true']")
    ).to_have_count(1)

    # The event list says what happened, in sentences.
    # (The list is virtualised: only rows in view exist, so filter, then read.)
    events = owner.locator(".live-events")
    owner.get_by_label("Protocol").select_option("DHCP")
    expect(events).to_contain_text("vm is bound to 10.0.2.15/24, default route via 10.0.2.2")
    owner.get_by_label("Protocol").select_option("NAT")
    expect(events).to_contain_text("new connection #1: 10.0.2.15 id")
    owner.get_by_label("Protocol").select_option("")
    # The script's conntrack -L prints on hv's terminal; then the owner pauses.
    expect(owner.locator(".live-console[data-node='hv'] .live-plainlog")).to_contain_text(
        "flow entries have been shown", timeout=20_000
    )
    owner.get_by_role("button", name="Pause", exact=True).click()
    expect(owner.locator(".live-status")).to_have_text("Paused")

    # A command typed in the VM's terminal (xterm: its helper textarea takes the keys).
    open_tab(owner, "vm")
    owner.locator(".live-console[data-node='vm'] .xterm-helper-textarea").focus()
    owner.keyboard.type("ip addr")
    owner.keyboard.press("Enter")
    expect(owner.locator(".live-console[data-node='vm'] .xterm-rows")).to_contain_text("queued at")
    owner.get_by_role("button", name="Next event →", exact=True).click()
    expect(owner.locator(".live-console[data-node='vm'] .xterm-rows")).to_contain_text(
        "vm$ ip addr", timeout=10_000
    )
    # Next event shows one line of the trace per press: the command's output lines come one by one.
    rows = owner.locator(".live-console[data-node='vm'] .xterm-rows")
    for _ in range(30):
        if "inet 10.0.2.15/24" in rows.inner_text():
            break
        before = live(owner)["lastSeq"]
        owner.get_by_role("button", name="Next event →", exact=True).click()
        owner.wait_for_function("(seq) => window.designer.live().lastSeq > seq", arg=before)
    expect(rows).to_contain_text("inet 10.0.2.15/24")

    # Both saw the same events in the same order (the viewer watched from before Play).
    owner_seq = live(owner)["lastSeq"]
    viewer.wait_for_function("(seq) => window.designer.live().lastSeq >= seq", arg=owner_seq)
    mine = [(e["seq"], e["text"]) for e in live(owner)["events"]]
    theirs = [(e["seq"], e["text"]) for e in live(viewer)["events"]]
    assert [s for s, _ in mine] == list(range(1, owner_seq + 1))
    assert theirs[: len(mine)] == mine
    # The viewer's terminal shows what the owner's run printed, though it cannot type.
    expect(viewer.locator(".live-console[data-node='vm'] .live-plainlog")).to_contain_text(
        "inet 10.0.2.15/24"
    )

    # A DHCP packet, layer by layer, with its options and bytes.
    owner.get_by_label("Protocol").select_option("DHCP")
    owner.get_by_role("group", name=re.compile("^Event list")).press("Home")
    first_dhcp_frame = owner.locator(".live-event[data-kind='frame.sent'][data-protocol='DHCP']").first
    expect(first_dhcp_frame).to_contain_text("255.255.255.255 port 67")
    first_dhcp_frame.click()
    inspector = owner.locator(".live-inspector")
    layers = inspector.locator("details.live-layer > summary")
    expect(layers).to_have_count(4)
    assert [layers.nth(i).inner_text().split(",")[0] for i in range(4)] == [
        "Ethernet II",
        "Internet Protocol Version 4",
        "User Datagram Protocol",
        "Dynamic Host Configuration Protocol",
    ]
    expect(inspector).to_contain_text("Option (53) message_type: Discover")
    expect(inspector).to_contain_text("Option (12) host_name: vm")
    dump = inspector.locator(".live-hexdump")
    expect(dump).to_contain_text("0000  ff ff ff ff ff ff 08 00  27 00 02 15 08 00 45 10")
    assert re.search(r"^0150 ", dump.inner_text(), re.M), "the hex dump covers the whole DHCP frame"
    # The packet's places are selected on the canvas: the VM and its link.
    assert set(snapshot(owner)["view"]["selected"]) >= {"vm", "l_vm"}

    # axe on the page with the live panel filled, in both themes.
    assert violations(owner) == []
    owner.emulate_media(color_scheme="dark")
    assert violations(owner) == []
    owner.emulate_media(color_scheme="light")

    # The captures of the run download as pcapng (all) and pcap (one point).
    all_link = owner.get_by_role("link", name="All capture points (pcapng)")
    answer = owner.request.get(all_link.get_attribute("href"))
    assert answer.status == 200 and answer.body()[:4] == b"\x0a\x0d\x0d\x0a"
    one = owner.request.get(owner.get_by_role("link", name="vm eth0 (pcap)").get_attribute("href"))
    assert one.status == 200 and len(one.body()) > 24

    # Back to 2 s: the server is still probing 10.0.2.15 (no lease bound), no NAT connection, the
    # VM without its address; the same for the viewer.
    seek(owner, 2.0)
    for page in (owner, viewer):
        page.wait_for_function("() => window.designer.live().status.t === 2000000000")
        open_tab(page, "DHCP leases")
        expect(table_rows(page, "dhcp:hv:natnet")).to_have_count(1)
        expect(table_rows(page, "dhcp:hv:natnet")).to_contain_text("probing")
        expect(table_rows(page, "dhcp:hv:natnet")).not_to_contain_text("bound")
        expect(page.locator(".live-tables")).not_to_contain_text("10.0.2.15/24")
        open_tab(page, "NAT")
        expect(table_rows(page, "conntrack:natnet")).to_have_count(0)
        assert all(e["t"] <= 2_000_000_000 for e in live(page)["events"])
        tables = live(page)["tables"]
        assert tables["addr:vm"] == [["eth0", "08:00:27:00:02:15", "—"]], "no address before the lease"

    # Back to 0.5 s, before dhclient: no DHCP record at all.
    seek(owner, 0.5)
    for page in (owner, viewer):
        page.wait_for_function("() => window.designer.live().status.t === 500000000")
        open_tab(page, "DHCP leases")
        expect(table_rows(page, "dhcp:hv:natnet")).to_have_count(0)
        assert live(page)["tables"]["dhcp:hv:natnet"] == []
        assert live(page)["consoles"]["vm"] == []

    owner.get_by_role("button", name="Stop", exact=True).click()
    expect(owner.locator(".live-status")).to_contain_text("Stopped")
    expect(viewer.locator(".live-status")).to_contain_text("Stopped")
