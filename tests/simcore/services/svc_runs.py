"""Shared helpers of the services tests (imported by name: tests have no packages)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from simcore.design import normalized
from simcore.network import Network

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
S = 1_000_000_000
TSHARK = shutil.which("tshark") or ("/usr/bin/tshark" if os.path.exists("/usr/bin/tshark") else None)
BAD = '_ws.malformed || _ws.expert.severity >= "Error"'


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def run_example(name: str, until: float, seed: int = 0, trace: list | None = None) -> Network:
    net = Network.from_design(example(name), seed=seed, trace=trace)
    net.run_until(until)
    return net


def bare(doc: dict, seed: int = 0, trace: list | None = None) -> Network:
    """A network from ``doc`` without its script (the test types the commands)."""
    doc = {**doc, "script": []}
    return Network(normalized(doc), seed=seed, trace=trace)


def run_cli(tmp_path: Path, name: str, tag: str, hashseed: int) -> tuple[Path, str]:
    out_dir = tmp_path / tag
    out_dir.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "simcore", "run", str(EXAMPLES / name), "--pcap-dir", str(out_dir),
         "--trace", str(out_dir / "trace.jsonl"), "--seed", "7"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out_dir, proc.stdout


def tshark_problems(path: Path) -> str:
    proc = subprocess.run(
        [TSHARK, "-r", str(path), "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
         "-o", "tcp.check_checksum:TRUE", "-Y", BAD], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def tshark_info(path: Path, fields: tuple[str, ...] = ("_ws.col.Info",)) -> list[str]:
    args = [arg for field in fields for arg in ("-e", field)]
    proc = subprocess.run([TSHARK, "-r", str(path), "-T", "fields", "-E", "separator=|", *args],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def console(net: Network, node_id: str) -> list[str]:
    return net.nodes[node_id].console.output()
