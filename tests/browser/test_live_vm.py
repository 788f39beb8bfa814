"""A VM that lives, in the browser at a projector's 1280x720: the vm-lifecycle example played by its
owner. vm1 boots on its console (the example's script starts it at 1 s) and asks for its address
(DORA in the event list); its badge on the canvas follows its state; the Virtual machines panel
enables only the legal power controls and says why the others are not, in VirtualBox's words; a
file is written in its console; Power off and Start from the panel (the boot log again, the file
still there); the script's pause at 12 s shows on the badge; a pulled cable makes the switch
forget the port on the wire; Power off, after which the script's savestate is refused in words;
the snapshot restored (Saved: it held the RAM), started, the file back; a clone with new MACs. Screenshots go to $VM_SCREENSHOTS (default: the test's tmp dir).
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import live, wait_live

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vm-lifecycle.json"
PROJECTOR = {"width": 1280, "height": 720}
_serial = itertools.count(1)


def badge(page, node: str):
    return page.locator(f".vm-badge[data-node='{node}']")


def vm_button(page, label: str):
    return page.locator(".live-vms").get_by_role("button", name=f"{label} vm1", exact=True)


def play(page):
    page.get_by_role("button", name="Play", exact=True).click()


def pause(page):
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Paused")


def events_text(page) -> list[str]:
    return [e.get("text") or "" for e in live(page)["events"]]


def test_a_vm_lives_in_the_live_panel(new_context, tmp_path):
    shots = Path(os.environ.get("VM_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    sign_up(page, f"livevm{next(_serial)}")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("VM lifecycle")
    wait_live(page)
    panel = page.locator(".live-vms")
    expect(panel.locator(".live-vm-state")).to_have_text("No run yet")
    expect(vm_button(page, "Start")).to_have_attribute("aria-disabled", "true")

    # Play (at half speed: the test's clicks land before the script's next step): the script starts
    # vm1 at 1 s; its boot log shows on its console, in plain text here.
    page.get_by_label("Speed").select_option("0.5")
    play(page)
    page.get_by_role("tab", name="vm1", exact=True).click()
    console = page.locator(".live-console[data-node='vm1']")
    console.get_by_label("Plain text").check()
    log = console.get_by_role("log")
    expect(log).to_contain_text("VirtualBox BIOS: 2048 MB RAM, 1 CPU; booting from the hard disk...", timeout=30_000)
    expect(log).to_contain_text("vm1 login: student (automatic login)", timeout=30_000)
    # DORA at boot, in the event list: systemd-networkd's DISCOVER, the server's OFFER, REQUEST, ACK.
    page.wait_for_function("() => window.designer.live().events.some((e) => e.text.includes('DHCPACK'))", timeout=30_000)
    pause(page)
    expect(badge(page, "vm1")).to_have_text("▶ Running")
    expect(badge(page, "vm2")).to_have_text("▶ Running")
    texts = events_text(page)
    running = texts.index("vm1 is running: its firmware starts, then the boot loader, the kernel and systemd")
    assert running < next(i for i, t in enumerate(texts) if "VirtualBox BIOS" in t)
    dhcp = [re.search(r"DHCP[A-Z]+", t).group(0) for t in texts if re.search(r"\(DHCP[A-Z]+", t)]
    assert list(dict.fromkeys(dhcp)) == ["DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPACK"], dhcp
    page.screenshot(path=str(shots / "vm-1-booted.png"))

    # Running: Start says why not (VirtualBox's words), on screen when pressed; the legal ones are on.
    expect(vm_button(page, "Start")).to_have_attribute("aria-disabled", "true")
    vm_button(page, "Start").click(force=True)  # aria-disabled: pressable, it says why
    expect(panel.locator(".live-vm-message")).to_have_text(
        "Not possible now: The machine 'vm1' is already locked by a session (or being locked or unlocked)")
    for label in ("Pause", "Save state", "ACPI shutdown", "Power off", "Reset"):
        expect(vm_button(page, label)).to_have_attribute("aria-disabled", "false")
    assert live(page)["vms"]["panel"]["controls"]["start"]["why"].startswith("The machine 'vm1' is already locked")

    # A file written on the console.
    line = console.get_by_role("textbox")
    line.fill("echo hi > note")
    line.press("Enter")
    line.fill("cat note")
    line.press("Enter")
    play(page)
    expect(log).to_contain_text("vm1$ cat note", timeout=15_000)
    assert "hi" in live(page)["consoles"]["vm1"]
    pause(page)

    # A snapshot of the running VM (with its RAM), then the file removed. Restoring and cloning
    # are refused while it runs, in VirtualBox's words.
    snaps = panel.locator(".live-vm-snapshots")
    snaps.get_by_label("Name").fill("with-note")
    snaps.get_by_role("button", name="Take snapshot").click()
    line.fill("rm note")
    line.press("Enter")
    play(page)
    expect(snaps.get_by_role("treeitem").first).to_contain_text("with-note", timeout=15_000)
    expect(snaps.get_by_role("treeitem").nth(1)).to_have_text("▸ Current state (Running)")
    expect(log).to_contain_text("vm1$ rm note", timeout=15_000)
    pause(page)
    snaps.get_by_role("treeitem").first.click()
    expect(snaps.get_by_role("button", name="Restore snapshot")).to_have_attribute("aria-disabled", "true")
    expect(snaps.get_by_role("button", name="Clone")).to_have_attribute(
        "title", re.compile(r"^Not now: Cannot clone the machine 'vm1' while it is running"))

    # Power off from the panel: the badge says so; Pause is then refused in words.
    vm_button(page, "Power off").click()
    expect(panel.locator(".live-vm-message")).to_contain_text("Power off of vm1: sent, it acts at")
    play(page)
    expect(badge(page, "vm1")).to_have_text("■ Powered off", timeout=15_000)
    pause(page)
    expect(vm_button(page, "Pause")).to_have_attribute("title", "Not now: Machine 'vm1' is not currently running")
    vm_button(page, "Pause").hover()
    expect(panel.locator(".live-vm-why").first).to_have_text("Pause: Machine 'vm1' is not currently running")
    page.screenshot(path=str(shots / "vm-2-powered-off.png"))

    # Start from the panel; the example's script then pauses vm1 at 12 s (during this boot: the
    # boot waits) and resumes it at 16 s: the badge follows. Then the boot log again, the file kept.
    vm_button(page, "Start").click()
    play(page)
    expect(badge(page, "vm1")).to_have_text("▶ Running", timeout=15_000)
    expect(badge(page, "vm1")).to_have_text("❚❚ Paused", timeout=30_000)
    expect(vm_button(page, "Resume")).to_have_attribute("aria-disabled", "false")
    page.screenshot(path=str(shots / "vm-3-paused.png"))
    expect(badge(page, "vm1")).to_have_text("▶ Running", timeout=30_000)
    page.wait_for_function(
        "() => window.designer.live().consoles.vm1.filter((l) => l.includes('login: student')).length === 2",
        timeout=30_000)
    pause(page)
    line.fill("cat note")
    line.press("Enter")
    play(page)
    # (removed after the snapshot: the disk keeps that across a power cycle)
    expect(log).to_contain_text("cat: note: No such file or directory", timeout=15_000)
    pause(page)

    # Pause and Resume from the panel.
    vm_button(page, "Pause").click()
    play(page)
    expect(badge(page, "vm1")).to_have_text("❚❚ Paused", timeout=15_000)
    pause(page)
    vm_button(page, "Resume").click()
    play(page)
    expect(badge(page, "vm1")).to_have_text("▶ Running", timeout=15_000)
    pause(page)

    # The cable pulled while running: the switch forgets the port (Linux bridge), on the wire.
    # The Hardware section is folded until opened (it is tall).
    panel.locator(".live-vm-hardware summary").click()
    panel.locator(".live-vm-hardware").get_by_role("button", name="Disconnect cable").click()
    play(page)
    page.wait_for_function(
        "() => window.designer.live().events.some((e) => e.kind === 'switch.flushed' && e.t > 16e9"
        " && e.text.includes('forgets 08:00:27:00:60:11'))", timeout=15_000)
    expect(panel.locator(".live-vm-hardware").get_by_role("button", name="Connect cable")).to_be_visible()
    pause(page)

    # Power off at the end; the script's savestate at 20 s is then refused, in words.
    vm_button(page, "Power off").click()
    play(page)
    expect(badge(page, "vm1")).to_have_text("■ Powered off", timeout=15_000)
    page.wait_for_function(
        "() => window.designer.live().events.some((e) => e.kind === 'vm.refused' && e.text.includes('savestate is refused'))",
        timeout=30_000)
    refused = [t for t in events_text(page) if "savestate is refused" in t]
    assert refused and "Machine 'vm1' is not currently running" in refused[0]
    pause(page)

    # Off: restore the snapshot (it held the RAM: the VM is then Saved), start it, the file is back.
    snaps.get_by_role("treeitem").first.click()
    snaps.get_by_role("button", name="Restore snapshot").click()
    play(page)
    expect(badge(page, "vm1")).to_have_text("⤓ Saved", timeout=15_000)
    pause(page)
    vm_button(page, "Start").click()
    line.fill("cat note")
    line.press("Enter")
    play(page)
    expect(badge(page, "vm1")).to_have_text("▶ Running", timeout=15_000)
    pause(page)
    # (the line typed before the start was read by nobody: the VM was not running yet)
    line.fill("cat note")
    line.press("Enter")
    play(page)
    page.wait_for_function("() => window.designer.live().consoles.vm1.filter((l) => l === 'hi').length === 2",
                           timeout=15_000)
    pause(page)
    page.screenshot(path=str(shots / "vm-5-restored.png"))

    # Power off, then clone with new MACs: a new VM of the run, powered off, its own MAC.
    vm_button(page, "Power off").click()
    play(page)
    expect(badge(page, "vm1")).to_have_text("■ Powered off", timeout=15_000)
    pause(page)
    snaps.get_by_label("Clone as").fill("vm3")
    snaps.get_by_role("button", name="Clone").click()
    play(page)
    page.wait_for_function("() => Object.keys(window.designer.live().vms.states).includes('vm3')", timeout=15_000)
    pause(page)
    macs = page.evaluate("""() => {
      const t = window.designer.live().tables;
      const mac = (id) => (t[`addr:${id}`] ?? []).map((r) => r[1]);
      return {vm1: mac('vm1'), vm3: mac('vm3')};
    }""")
    assert macs["vm3"] and macs["vm1"] and set(macs["vm3"]).isdisjoint(macs["vm1"]), macs
    assert live(page)["vms"]["states"]["vm3"] == "PoweredOff"
    # The host's VMs in the live tables, with their state and RAM.
    page.get_by_role("tab", name="VMs", exact=True).click()
    rows = page.locator("table[data-section='vms:hv'] tbody tr")
    expect(rows).to_have_count(3)  # vm1, vm2 and the clone
    expect(rows.nth(0)).to_contain_text(re.compile(r"vm1\s*PoweredOff\s*2048"))
    expect(rows.nth(2)).to_contain_text(re.compile(r"vm3\s*PoweredOff\s*2048"))
    page.screenshot(path=str(shots / "vm-4-end.png"), full_page=True)


def test_the_presenter_shows_the_vm_controls_on_one_screen(new_context, tmp_path):
    shots = Path(os.environ.get("VM_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    sign_up(page, f"presentvm{next(_serial)}")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("VM lifecycle")
    page.get_by_role("link", name="Present").click()
    page.wait_for_function("() => window.designer && window.designer.live() && window.designer.live().connected")
    page.locator("#present-stage").focus()
    page.keyboard.press("ArrowRight")  # a paused run to its first event
    expect(badge(page, "vm2")).to_have_text("▶ Running", timeout=30_000)
    pane = page.locator("#present-vms")
    expect(pane).to_be_visible()
    expect(pane.get_by_role("button", name="Pause vm1", exact=True)).to_be_visible()
    for selector in ("#present-vms .live-vm-buttons", "#present-consoles .live-term", ".vm-badge[data-node='vm1']"):
        box = page.locator(selector).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= PROJECTOR["height"] + 0.5, (selector, box)
    assert page.locator("#present-consoles .live-term").first.bounding_box()["height"] >= 120
    assert page.locator(".vm-badge[data-node='vm1']").evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)") >= 14
    page.screenshot(path=str(shots / "vm-6-presenter.png"))
