"""Every page carries the Content-Security-Policy; no template needs an inline script or a style
attribute (the browser side is tests/browser/test_csp.py)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def directive(policy: str, name: str) -> str:
    for part in policy.split(";"):
        words = part.strip().split()
        if words and words[0] == name:
            return " ".join(words[1:])
    return ""


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_pages_carry_the_policy(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    # ajv compiles the editor's field validators at run time (config/settings.py says why)
    assert directive(policy, "script-src") == "'self' 'unsafe-eval'"
    assert directive(policy, "style-src-attr") == "'none'"
    assert directive(policy, "object-src") == "'none'"
    assert directive(policy, "frame-ancestors") == "'none'"
    assert "unsafe-inline" not in directive(policy, "script-src")


def test_templates_have_no_inline_script_or_style_attribute():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{path.relative_to(ROOT)}: inline {tag}"
        assert not re.search(r"\sstyle\s*=", text), f"{path.relative_to(ROOT)} has a style attribute"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path.relative_to(ROOT)} has an inline handler"


def test_make_run_has_debug_off_unless_asked():
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}

    def daphne_line(*args):
        out = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                             check=True).stdout
        return next(line for line in out.splitlines() if "daphne" in line and "config.asgi" in line)

    assert "DEBUG=0 " in daphne_line()
    assert "DEBUG=1 " in daphne_line("DEBUG=1")
