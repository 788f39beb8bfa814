"""The Content-Security-Policy holds on every main page: home, design editor, a live run with a
terminal open, the presenter view. Each answer carries the header and the browser reports no
violation (a `securitypolicyviolation` event, or a console error naming the policy), so no page
needs an inline script or a style attribute.

Also here, because it needs the editor: a problem list the server cut short ends with
"… and N more problems" (the editor's validation request is sent with 120 unknown fields added,
and the real server answers).
"""

from __future__ import annotations

import itertools
import json

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import import_nat_example, open_tab, wait_live

pytestmark = pytest.mark.browser
_serial = itertools.count(1)

RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber, column: e.columnNumber}));
"""


def violations(page, console: list[str]) -> list:
    return page.evaluate("() => window.__csp") + [m for m in console if "Content Security Policy" in m]


def assert_policy(response) -> None:
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src-attr 'none'" in policy, policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_main_pages_load_without_a_csp_violation(new_context):
    context = new_context()
    context.add_init_script(RECORD)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    sign_up(page, f"csp{next(_serial)}")

    assert_policy(page.goto("/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert violations(page, console) == []

    # The design editor (the canvas, the panels, the live panel) from an imported example.
    url = import_nat_example(page)
    assert_policy(page.goto(url))
    wait_live(page)
    expect(page.locator("#canvas")).to_have_attribute("data-ready", "true")
    assert violations(page, console) == []

    # A live run with a terminal open: xterm.js draws into <style> elements of its own.
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Playing", timeout=30_000)
    # The event list's rows are placed with a CSSOM `top` (a style attribute would be refused).
    expect(page.locator(".live-events li").first).to_be_visible(timeout=30_000)
    open_tab(page, "vm")
    expect(page.locator(".live-console[data-node='vm'] .xterm-rows")).to_be_visible()
    page.get_by_role("button", name="Pause", exact=True).click()
    found = violations(page, console)
    assert found == [], json.dumps(found[:5])

    # The presenter view.
    assert_policy(page.goto(url.rstrip("/") + "/present/"))
    page.wait_for_function("() => document.getElementById('canvas').dataset.ready === 'true'")
    found = violations(page, console)
    assert found == [], json.dumps(found[:5])


def test_a_cut_problem_list_says_how_many_more(new_context):
    page = new_context().new_page()
    sign_up(page, f"more{next(_serial)}")
    url = import_nat_example(page)

    def flood(route):
        doc = json.loads(route.request.post_data)
        doc.update({f"zz{i:03d}": i for i in range(120)})
        route.continue_(post_data=json.dumps(doc))

    page.route("**/api/validate", flood)
    page.goto(url)
    more = page.locator("#problems-list li[data-more='true']")
    expect(more).to_have_text("… and 70 more problems", timeout=20_000)
    expect(page.locator("#problems-list li[data-code='schema.unknown_field']")).to_have_count(50)
