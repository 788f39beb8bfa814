"""simcore.design stands alone: it imports nothing else from simcore, and never Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from design_samples import REPO

DESIGN = REPO / "simcore" / "design"


def imported_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


def test_design_imports_only_itself_from_simcore():
    outside = sorted(
        f"{path.name}: {module}"
        for path in DESIGN.glob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in ("simcore", "designer", "config", "django", "channels")
        and not module.startswith("simcore.design")
    )
    assert outside == []


def test_importing_design_loads_no_django_and_no_other_simcore_layer():
    code = (
        "import sys, simcore.design;"
        "print(sorted(m for m in sys.modules if m.startswith(('django', 'channels'))"
        " or (m.startswith('simcore.') and not m.startswith('simcore.design'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
