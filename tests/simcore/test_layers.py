"""simcore never imports Django, its imports only point down the layers, and no modules import
one another in a circle (inside a package either)."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
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
    "lessons": {"design", "network"},  # a lesson's checks read designs and run them
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


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted name -> file for every module of the package in ``package_dir`` (``__init__`` is the package)."""
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def import_graph(package_dir: Path) -> nx.DiGraph:
    """Which module of the package imports which, from every import statement anywhere in a file.

    Imports inside functions and under ``if TYPE_CHECKING`` count: a lazy import is how a circle
    hides. ``from pkg import name`` points at ``pkg.name`` when that is a module (a sibling reached
    through its package), else at ``pkg``; relative imports resolve from the module's package.
    """
    names = module_names(package_dir)
    graph = nx.DiGraph()
    graph.add_nodes_from(names)

    def known(dotted: str) -> str | None:
        while dotted and dotted not in names:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [known(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in names else known(module)
                           for a in node.names]
            graph.add_edges_from((name, t) for t in targets if t is not None and t != name)
    return graph


def import_circles(package_dir: Path) -> list[list[str]]:
    return sorted(sorted(c) for c in nx.strongly_connected_components(import_graph(package_dir)) if len(c) > 1)


def test_no_import_circles_in_simcore():
    assert import_circles(SIMCORE) == [], "modules that import one another, however indirectly"


def test_the_graph_sees_every_kind_of_import():
    graph = import_graph(SIMCORE)
    assert graph.has_edge("simcore.packets.ethernet", "simcore.packets.dispatch")  # from . import x
    assert graph.has_edge("simcore.packets", "simcore.packets.registry")  # in a package's __init__
    assert graph.has_edge("simcore.stack.ipv4", "simcore.stack.neighbour")  # absolute, to a submodule
    assert graph.has_edge("simcore.stack.neighbour", "simcore.stack.neighbour_actions")
    assert graph.has_edge("simcore.stack.ipv4", "simcore.packets")  # to a package
    assert not graph.has_edge("simcore.design.validate", "simcore.design")  # from simcore.design import strictjson


def _plant(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "simcore" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "simcore"


def test_the_checker_catches_a_planted_circle_inside_a_package(tmp_path):
    fake = _plant(tmp_path, {
        "__init__.py": "",
        "packets/__init__.py": "from .a import A\n",
        "packets/a.py": "from .b import B\nA = 1\n",  # relative
        "packets/b.py": "from . import c\nB = 2\n",  # from . import module
        # absolute, hidden in a function, as the VXLAN parser once did
        "packets/c.py": "def parse():\n    from simcore.packets.a import A\n    return A\n",
        "packets/d.py": "import simcore.packets.a\n",  # imports into the circle, not part of it
        "stack/__init__.py": "from simcore.stack.x import X\n",
        "stack/x.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from simcore.stack.y import Y\nX = 0\n",
        "stack/y.py": "from simcore.stack import x\n",  # via the package, to the module: still a circle
        "design/__init__.py": "from simcore.design.v import V\n",
        "design/v.py": "from simcore.design import w\nV = 3\n",  # a sibling through the package: no circle
        "design/w.py": "W = 4\n",
    })
    assert import_circles(fake) == [
        ["simcore.packets.a", "simcore.packets.b", "simcore.packets.c"],
        ["simcore.stack.x", "simcore.stack.y"],
    ]


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
