"""A private look back before the page joined the run (docs/live.md): the owner plays the NAT example
to 12 s, a student opens the view link then, drags the timeline to 7 s and sees the tables of 7 s
(asked of the server, `tables.at`: the vm's lease, its ARP cache) instead of "No tables from"; to
0.5 s, before the vm asked for a lease, and there is none yet; back to the run, the live tables."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_live_follow import late_student
from test_live_nat import live

pytestmark = pytest.mark.browser


def drag_timeline(page, seconds: float) -> None:
    page.get_by_label("Timeline").evaluate(
        f"(el) => {{ el.value = '{seconds}'; el.dispatchEvent(new Event('input', {{bubbles: true}}));"
        " el.dispatchEvent(new Event('change', {bubbles: true})); }")
    page.wait_for_function(f"() => window.designer.live().privateAt === {seconds}")


def test_a_late_viewer_looks_back_before_it_joined_and_sees_the_tables_of_then(new_context):
    owner, student = late_student(new_context, 12)
    run_before = live(owner)["status"]
    tables_when = student.locator(".live-tables .live-filters .live-muted")
    expect(tables_when).to_contain_text(re.compile(r"^as of \d+\.\d{3} s$"))
    leases = student.locator(".live-tablepanel[data-tab='dhcp'] table tbody tr")
    student.get_by_role("tab", name="DHCP leases", exact=True).click()
    expect(leases).not_to_have_count(0)  # the lease the vm took at about 1 s, in the live tables

    drag_timeline(student, 7)
    expect(tables_when).to_contain_text(re.compile(r"^as of \d+\.\d{3} s: your look back$"))
    shown_at = float(re.search(r"as of (\d+\.\d{3})", tables_when.inner_text()).group(1))
    assert 1.0 < shown_at <= 7.0, shown_at  # the newest tables at or before 7 s (they change when the network does)
    expect(tables_when).not_to_contain_text("No tables from")
    expect(leases).not_to_have_count(0)
    student.get_by_role("tab", name="ARP caches", exact=True).click()
    expect(student.locator(".live-tablepanel[data-tab='arp'] table")).not_to_have_count(0)

    # Before the lease: the DHCP server has none yet.
    drag_timeline(student, 0.5)
    expect(tables_when).to_contain_text(re.compile(r"^as of 0\.\d{3} s: your look back$"))
    student.get_by_role("tab", name="DHCP leases", exact=True).click()
    expect(leases).to_have_count(0)

    # The run did not move for anyone, and back to the run shows the live tables.
    run_after = live(owner)["status"]
    assert (run_after["t"], run_after["status"], run_after["seq"]) == (run_before["t"], run_before["status"],
                                                                       run_before["seq"])
    student.get_by_role("button", name="Back to the run").click()
    student.wait_for_function("() => window.designer.live().privateAt === null")
    expect(tables_when).to_contain_text(re.compile(r"^as of \d+\.\d{3} s$"))
    expect(leases).not_to_have_count(0)
