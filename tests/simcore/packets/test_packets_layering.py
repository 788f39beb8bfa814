"""The layer rule (simcore.packets imports only the stdlib and itself) and determinism."""

import ast
import json
import os
import pathlib
import subprocess
import sys

import simcore.packets

PACKAGE = pathlib.Path(simcore.packets.__file__).parent
REPO = PACKAGE.parent.parent


def test_packets_imports_only_stdlib_and_itself():
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level == 0 and node.module.split(".")[0] not in sys.stdlib_module_names:
                    offenders.append(f"{path.name}: from {node.module}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] not in sys.stdlib_module_names:
                        offenders.append(f"{path.name}: import {alias.name}")
    assert offenders == []


def test_every_public_name_is_exported():
    assert sorted(simcore.packets.__all__) == sorted(set(simcore.packets.__all__))
    for name in simcore.packets.__all__:
        assert hasattr(simcore.packets, name), name


_SCRIPT = """
import hashlib, json, sys
sys.path.insert(0, {samples!r})
from packet_samples import SAMPLES
from simcore.packets import layers, summary
h = hashlib.sha256()
for name, frame, _ in SAMPLES:
    h.update(frame.emit())
    h.update(json.dumps(layers(frame)).encode())
    h.update(summary(frame).encode())
print(h.hexdigest())
"""


def test_bytes_and_descriptions_do_not_depend_on_the_hash_seed():
    script = _SCRIPT.format(samples=str(pathlib.Path(__file__).parent))
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1, json.dumps(sorted(digests))
