"""designer's imports point one way: models <- access <- actions <- doors (api/, pages/, the
websocket). `access` is a pure read and imports no action; `models` imports neither; the doors
import access and actions and never the reverse; no circle among designer modules, not even
through an import inside a function; and the doors fetch designs and share links only through
`access` (no `X.objects`, no `.share_links` / `.memberships` of their own).

Read from the source with `ast` (like tests/simcore/test_layers.py), so a lazy import inside a
function counts as much as one at the top.
"""

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESIGNER = ROOT / "designer"

# What each module may import from designer (besides errors, which everyone may). Modules and
# packages not named here are checked only by the door and circle rules.
ALLOWED = {
    # The lessons' models live in their package and are registered in the app by designer.models.
    "designer.models": {"designer.lessons.models"},
    "designer.access": {"designer.models"},
    "designer.actions": {"designer.access", "designer.models", "designer.limits", "designer.jsondoor",
                         "designer.coeditops"},
    # co-editing's operations: pure, below the actions that log them
    "designer.coeditops": set(),
}
# Doors: nothing below them may import them, and they do not import one another.
DOORS = ("designer.api", "designer.pages", "designer.consumers", "designer.routing", "designer.urls")
BELOW_DOORS = ("designer.models", "designer.access", "designer.actions", "designer.errors", "designer.limits",
               "designer.jsondoor", "designer.thumbnails", "designer.coeditops")
THIN_DOORS = ("designer.api", "designer.pages")
# Reached by a door only through designer.access (access_design, access_share_link, share_links_of).
FETCHED_BY_ACCESS = {"objects", "share_links", "memberships"}


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    return {
        module_name(root, p): p
        for p in sorted(root.rglob("*.py"))
        if "__pycache__" not in p.parts and "migrations" not in p.parts
    }


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The designer module `name` refers to: itself, or its nearest known parent."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def designer_imports(root: Path, path: Path, known: dict[str, Path]) -> set[str]:
    """The designer modules `path` imports, anywhere in the file (inside functions too)."""
    here = module_name(root, path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from designer import actions` names a module; `from designer.access import Need` does not.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            if target.split(".")[0] == root.name:
                resolved = _resolve(target, known)
                if resolved and resolved != here:
                    found.add(resolved)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {name: designer_imports(root, path, known) for name, path in known.items()}


def _within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def rule_violations(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, imported in sorted(graph.items()):
        allowed = ALLOWED.get(module)
        if allowed is not None:
            for target in sorted(imported - allowed - {"designer.errors", "designer"}):
                bad.append(f"{module} imports {target}")
        if _within(module, BELOW_DOORS):
            for target in sorted(t for t in imported if _within(t, DOORS)):
                bad.append(f"{module} imports the door {target}")
        door = next((d for d in DOORS if _within(module, (d,))), None)
        if door is not None:
            for target in sorted(t for t in imported if _within(t, DOORS) and not _within(t, (door,))):
                if not (module == "designer.urls" and _within(target, ("designer.pages",))) and not (
                    module == "designer.routing" and target == "designer.consumers"
                ):
                    bad.append(f"the door {module} imports the door {target}")
    return bad


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, each as the path that closes it (depth-first search)."""
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def door_fetches(root: Path) -> list[str]:
    """`X.objects`, `.share_links`, `.memberships` in api/ and pages/: fetching beside access."""
    bad = []
    for name, path in modules(root).items():
        if not _within(name, THIN_DOORS):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in FETCHED_BY_ACCESS:
                bad.append(f"{name}:{node.lineno} .{node.attr}")
    return bad


GRAPH = import_graph(DESIGNER)


def test_the_graph_sees_the_modules_it_checks():
    assert {"designer.models", "designer.access", "designer.actions", "designer.api.designs",
            "designer.pages.sharing", "designer.consumers"} <= set(GRAPH)
    assert "designer.access" in GRAPH["designer.actions"]
    assert {"designer.access", "designer.actions"} <= GRAPH["designer.api.designs"]
    assert "designer.pages.common" in GRAPH["designer.pages.sharing"]  # relative imports resolve


def test_imports_point_one_way():
    assert rule_violations(GRAPH) == []


def test_access_imports_no_action_and_models_import_neither():
    assert not {"designer.actions"} & GRAPH["designer.access"]
    assert not {"designer.access", "designer.actions"} & GRAPH["designer.models"]


def test_no_import_circle_among_designer_modules():
    assert circles(GRAPH) == []


def test_doors_fetch_designs_and_links_only_through_access():
    assert door_fetches(DESIGNER) == []


@pytest.fixture
def planted(tmp_path) -> Path:
    """A copy of designer/ to plant violations in."""
    root = tmp_path / "designer"
    shutil.copytree(DESIGNER, root, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    return root


def test_the_checks_catch_access_importing_an_action_inside_a_function(planted):
    # Exactly the old purge-on-read: access_design called actions.purge_if_expired lazily.
    with (planted / "access.py").open("a") as f:
        f.write("\n\ndef _purge(design):\n    from designer.actions import do_purge_trash\n\n    return do_purge_trash()\n")
    graph = import_graph(planted)
    assert "designer.access imports designer.actions" in rule_violations(graph)
    assert ["designer.access", "designer.actions", "designer.access"] in circles(graph)


def test_the_checks_catch_models_importing_access_and_a_lower_module_importing_a_door(planted):
    with (planted / "models.py").open("a") as f:
        f.write("\nfrom designer import access  # noqa\n")
    with (planted / "actions.py").open("a") as f:
        f.write("\nfrom designer.api.present import design_summary  # noqa\n")
    with (planted / "pages" / "home.py").open("a") as f:
        f.write("\nfrom designer.api import designs  # noqa\n")
    bad = rule_violations(import_graph(planted))
    assert "designer.models imports designer.access" in bad
    assert "designer.actions imports the door designer.api.present" in bad
    assert "the door designer.pages.home imports the door designer.api.designs" in bad


def test_the_checks_catch_a_door_fetching_a_share_link_itself(planted):
    with (planted / "pages" / "sharing.py").open("a") as f:
        f.write("\n\ndef peek(design, pk):\n    return design.share_links.filter(pk=pk).first()\n")
    with (planted / "api" / "links.py").open("a") as f:
        f.write("\n\ndef peek(pk):\n    from designer.models import ShareLink\n\n    return ShareLink.objects.get(pk=pk)\n")
    bad = door_fetches(planted)
    assert any(b.startswith("designer.pages.sharing:") and b.endswith(".share_links") for b in bad)
    assert any(b.startswith("designer.api.links:") and b.endswith(".objects") for b in bad)
