"""The browser's validator (ajv 8 + ajv-formats) and ours agree on the shared fixtures.

Runs when Node and ajv are installed (``npm ci`` puts them in node_modules; or point
NETDESIGNER_AJV_NODE_MODULES at a node_modules holding ajv and ajv-formats); skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from design_samples import REPO, example, mutated

from simcore.design import SCHEMA_PATH
from simcore.design.schema_dispatch import schema_problems
from simcore.design.schema_errors import def_validator

HERE = Path(__file__).parent
FIXTURES = json.loads((HERE / "format_fixtures.json").read_text(encoding="utf-8"))


def ajv_node_modules() -> Path | None:
    for candidate in (os.environ.get("NETDESIGNER_AJV_NODE_MODULES"), REPO / "node_modules"):
        if (
            candidate
            and (Path(candidate) / "ajv" / "dist" / "2020.js").exists()
            and (Path(candidate) / "ajv-formats").exists()
        ):
            return Path(candidate)
    return None


pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or ajv_node_modules() is None,
    reason="needs node with ajv and ajv-formats installed",
)


def ajv_verdicts(cases: list[dict]) -> list[bool]:
    request = {"schema_path": str(SCHEMA_PATH), "node_modules": str(ajv_node_modules()), "cases": cases}
    done = subprocess.run(
        ["node", str(HERE / "ajv_verdicts.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_format_fixtures_agree():
    cases = [
        {"def": name, "value": value}
        for name, table in FIXTURES.items()
        if name != "description"
        for verdict in ("valid", "invalid")
        for value in table[verdict]
    ]
    ours = [def_validator(case["def"]).is_valid(case["value"]) for case in cases]
    assert ajv_verdicts(cases) == ours


def _set(path, value):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


DOCUMENTS = [
    example(),
    mutated(_set(("nodes", 0, "kind"), "hostt")),
    mutated(_set(("nodes", 1, "nics"), [])),
    mutated(_set(("nodes", 2, "host"), None)),
    mutated(_set(("captures",), [{"link": "l1", "node": "vm1", "nic": "eth0"}])),
    mutated(_set(("captures",), [{"node": "vm1"}])),
    mutated(_set(("captures",), [{"link": "l1"}])),
    mutated(_set(("nodes", 2, "routes"), [{"to": "default", "via": "192.168.56.1", "dev": "eth0"}])),
    mutated(_set(("nodes", 3, "services"), [{"kind": "http", "port": 65536}])),
    mutated(_set(("version",), 2)),
    {"version": 1, "nodes": [{"id": "x", "kind": "internet", "nics": [{"name": "eth0", "ip": "dhcp"}]}]},
]


def test_whole_documents_agree():
    ours = [not schema_problems(doc) for doc in DOCUMENTS]
    assert ours == [True, False, False, False, False, False, True, True, False, False, True]
    assert ajv_verdicts([{"def": None, "value": doc} for doc in DOCUMENTS]) == ours
