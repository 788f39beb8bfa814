"""The browser model's layer rule: static/src/model/*.js imports nothing from live/ or editor/, nothing
of cytoscape or its extensions, and touches no browser-only global (the DOM, storage, the window).

That is what lets node run the model's tests with no browser, and the canvas stay a view of it.
The modules are read by esbuild's parser (tests/js/model_layers.mjs), so a comment, a string or a
parameter named ``document`` is not a use of the DOM.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "js" / "model_layers.mjs"
MODEL = ROOT / "static" / "src" / "model"


def read_model(model_dir: Path) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the browser model's layer check needs Node.js 20")
    proc = subprocess.run([node, str(SCRIPT), str(model_dir)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def violations(model_dir: Path) -> list[str]:
    """One line per broken rule: ``file: imports X`` or ``file: uses Y``."""
    src = model_dir.parent
    found = read_model(model_dir)
    out = []
    for imp in found["imports"]:
        where = Path(imp["from"]).name
        to = imp["to"]
        if to.startswith("/"):
            rel = Path(to).relative_to(src) if Path(to).is_relative_to(src) else Path(to)
            if rel.parts[:1] in (("live",), ("editor",)) or any(p.startswith("cytoscape") for p in rel.parts):
                out.append(f"{where}: imports {rel.as_posix()}")
        elif to.split("/")[0].startswith("cytoscape"):
            out.append(f"{where}: imports {to}")
    out += [f"{Path(g['file']).name}: uses {g['name']}" for g in found["globals"]]
    return out


def test_the_model_imports_no_view_and_touches_no_dom():
    assert sorted(p.name for p in MODEL.glob("*.js")), "no model modules found"
    assert violations(MODEL) == []


def test_the_check_catches_planted_violations(tmp_path):
    model = tmp_path / "src" / "model"
    model.mkdir(parents=True)
    (tmp_path / "src" / "live").mkdir()
    (tmp_path / "src" / "live" / "dom.js").write_text("export const el = 1;\n")
    (model / "ok.js").write_text(
        "// the document, the window and navigator, in a comment\n"
        "import { b } from './inner.js';\n"
        "export const words = 'document.body window.alert';\n"
        "export function title(document) { return document.title + b; }  // a parameter, not the DOM\n"
        "export const copy = globalThis.structuredClone;\n"
    )
    (model / "inner.js").write_text("export const b = `localStorage ${1 + 1}`;\n")
    (model / "bad.js").write_text(
        "import { el } from '../live/dom.js';\n"
        "import cytoscape from 'cytoscape';\n"
        "export { default as fcose } from 'cytoscape-fcose';\n"
        "export const load = () => import('../editor/canvas.js');\n"
        "export function width() { return window.innerWidth + el; }\n"
        "export const agent = `${navigator.userAgent}`;\n"
        "export const saved = globalThis.localStorage;\n"
        "export const cy = cytoscape;\n"
        "export const isEl = (x) => x instanceof HTMLElement;\n"
    )
    assert violations(model) == [
        "bad.js: imports editor/canvas.js",
        "bad.js: imports live/dom.js",
        "bad.js: imports cytoscape",
        "bad.js: imports cytoscape-fcose",
        "bad.js: uses window",
        "bad.js: uses navigator",
        "bad.js: uses globalThis.localStorage",
        "bad.js: uses HTMLElement",
    ]
