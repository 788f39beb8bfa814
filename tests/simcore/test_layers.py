"""simcore never imports Django, and its imports only point down the layers."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SIMCORE = ROOT / "simcore"

# What each layer may import from simcore (besides itself). Lower layers know nothing of higher ones.
ALLOWED = {
    "design": set(),
    "engine": set(),
    "packets": set(),
    "net": {"engine", "packets"},
    "trace": {"engine", "packets"},
    "stack": {"engine", "packets", "net", "trace"},
    "apps": {"engine", "packets", "net", "stack", "trace"},
    "devices": {"engine", "packets", "net", "stack", "apps", "trace"},
    "virt": {"engine", "packets", "net", "stack", "apps", "trace", "devices", "design"},
    "assembly": {"design", "engine", "packets", "net", "trace", "stack", "apps", "devices", "virt"},
    "network": {"design", "engine", "packets", "net", "trace", "stack", "apps", "devices", "virt", "assembly"},
    "__main__": {"design", "engine", "packets", "net", "trace", "stack", "apps", "devices", "virt", "network",
                 "assembly"},
    "__init__": set(),
}


def layer_of(path: Path) -> str:
    rel = path.relative_to(SIMCORE)
    return rel.parts[0].removesuffix(".py")


def simcore_imports(path: Path) -> set[str]:
    """The simcore layers a module imports (absolute imports; relative ones stay in the package)."""
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "simcore":
                names = [f"simcore.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "simcore" and len(parts) > 1:
                found.add(parts[1])
    return found


MODULES = sorted(p for p in SIMCORE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_layer_is_known():
    unknown = sorted({layer_of(p) for p in MODULES} - set(ALLOWED))
    assert unknown == [], f"add these simcore layers to ALLOWED with what they may import: {unknown}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    layer = layer_of(path)
    bad = sorted(simcore_imports(path) - ALLOWED.get(layer, set()) - {layer})
    assert bad == [], f"{path.relative_to(ROOT)} ({layer}) imports {bad}"


def test_the_checker_catches_an_upward_import(tmp_path):
    fake = SIMCORE / "engine" / "x.py"
    src = tmp_path / "x.py"
    src.write_text("from simcore.devices import Switch\nimport simcore.packets\n")
    assert simcore_imports(src) == {"devices", "packets"}
    assert simcore_imports(src) - ALLOWED[layer_of(fake)] - {"engine"} == {"devices", "packets"}


def test_importing_all_of_simcore_never_imports_django():
    script = (
        "import importlib, json, pkgutil, sys\n"
        "import simcore\n"
        "names = sorted(m.name for m in pkgutil.walk_packages(simcore.__path__, 'simcore.'))\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps({'modules': names, 'django': sorted(m for m in sys.modules if m.split('.')[0] == 'django')}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["django"] == []
    assert {"simcore.network", "simcore.engine.kernel", "simcore.stack.ipv4", "simcore.__main__"} <= set(result["modules"])
