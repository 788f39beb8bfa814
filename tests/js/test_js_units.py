"""Runs the browser code's pure-module tests (`node --test`) as part of the one suite.

The editor's model (document, commands, history, clipboard) is plain ES modules with no DOM, so
node runs them directly; this wrapper makes `make test` fail when they fail.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def js_test_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "static" / "src").rglob("*.test.js"))


def test_node_unit_tests_pass():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the editor's unit tests need Node.js 20")
    files = js_test_files()
    assert files, "no *.test.js files under static/src"
    proc = subprocess.run([node, "--test", *files], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout
