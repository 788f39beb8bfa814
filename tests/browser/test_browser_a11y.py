"""No serious or critical accessibility violation on the pages, as axe-core (npm, injected into the
page) finds them, in the light and the dark theme."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_browser_smoke import EXAMPLE, create_link, sign_up, snapshot

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def violations(page) -> list[tuple[str, str, list]]:
    """(rule, impact, first targets) of every serious or critical violation on the current page."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run npm ci")
    # Evaluated through DevTools, not an inline <script>: the pages' Content-Security-Policy
    # refuses inline scripts (tests/browser/test_csp.py), and it must stay on here too.
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_serious_violation(new_context, scheme):
    page = new_context().new_page()
    page.emulate_media(color_scheme=scheme)
    found = {}
    for path in ("/", "/examples/", "/accounts/login/", "/accounts/signup/"):
        page.goto(path)
        found[path] = violations(page)
    sign_up(page, f"a11y{scheme}")
    page.get_by_label("Design file (.json)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    snapshot(page)
    found["design"] = violations(page)
    design_url = page.url
    page.get_by_role("link", name="Share").click()
    create_link(page, "viewer")
    found["share"] = violations(page)
    page.goto(design_url)
    page.get_by_role("link", name="Revisions").click()
    found["revisions"] = violations(page)
    for path in ("/", "/trash/", "/accounts/password/"):
        page.goto(path)
        found[path] = violations(page)
    assert {where: v for where, v in found.items() if v} == {}, json.dumps(found, indent=1)
