"""examples/vbox-modes.json: a VM in each VirtualBox mode on one host; facts, clean pcaps, determinism."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simcore.design import check, validate
from simcore.network import Network

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "vbox-modes.json"
TSHARK = shutil.which("tshark") or ("/usr/bin/tshark" if os.path.exists("/usr/bin/tshark") else None)
BAD = '_ws.malformed || _ws.expert.severity >= "Error"'
PCAPS = ["hv_enp1s0.pcap", "intA_eth0.pcap", "natA_eth0.pcap", "vmho_eth0.pcap", "vmnat_eth0.pcap"]


def load():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_example_validates_and_has_no_findings():
    doc = load()
    assert validate(doc) == []
    assert check(doc) == []


def test_example_facts():
    net = Network.from_design(load(), seed=0, trace=[])
    net.run_until(40)
    facts = net.facts()
    leases = [(f["node"], f["address"], f["server"], f["router"]) for f in facts if f["kind"] == "dhcp"]
    assert leases == [
        ("vmnat", "10.0.2.15/24", "10.0.2.2", "10.0.2.2"),
        ("natA", "10.0.2.4/24", "10.0.2.3", "10.0.2.1"),
        ("natB", "10.0.2.5/24", "10.0.2.3", "10.0.2.1"),
        ("vmho", "192.168.56.101/24", "192.168.56.100", None),
    ]
    pings = [(f["node"], f["dst"], f["received"]) for f in facts if f["kind"] == "ping"]
    assert pings == [
        ("vmnat", "198.51.100.20", 3),
        ("natA", "198.51.100.20", 3),
        ("vmho", "192.168.56.1", 3),
        ("intA", "10.9.0.12", 3),
        ("vmbr", "198.51.100.20", 3),
    ]
    # the three "no" pings could not even leave: no route from lanhost, vmho, intA
    refused = [(f["node"], f["line"]) for f in facts if f["kind"] == "command" and f["exit"] == 2]
    assert refused == [
        ("lanhost", "ping -c 1 -W 1 10.0.2.15"),
        ("vmho", "ping -c 1 -W 1 198.51.100.20"),
        ("intA", "ping -c 1 -W 1 198.51.100.10"),
    ]
    curls = [(f["node"], f["http_status"], f["body"]) for f in facts if f["kind"] == "curl"]
    assert curls == [("lanhost", 200, "<h1>vmnat</h1>"), ("natA", 200, "<h1>natB</h1>")]


def test_every_mode_is_announced_in_the_trace():
    trace = []
    net = Network.from_design(load(), seed=0, trace=trace)
    net.run_until(1)
    attached = [(e["node"], e["mode"]) for e in trace if e["kind"] == "vbox.attached"]
    assert attached == [
        ("vmnat", "nat"),
        ("natA", "natnetwork"),
        ("natB", "natnetwork"),
        ("vmho", "hostonly"),
        ("intA", "internal"),
        ("intB", "internal"),
        ("vmbr", "bridged"),
    ]


def run_cli(tmp_path, name, hashseed):
    out_dir = tmp_path / name
    out_dir.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "simcore",
            "run",
            str(EXAMPLE),
            "--pcap-dir",
            str(out_dir),
            "--trace",
            str(out_dir / "trace.jsonl"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return out_dir, proc.stdout


def test_same_pcaps_and_trace_whatever_the_hash_seed(tmp_path):
    a, out_a = run_cli(tmp_path, "a", 1)
    b, out_b = run_cli(tmp_path, "b", 4242)
    assert sorted(p.name for p in a.glob("*.pcap")) == PCAPS
    for name in [*PCAPS, "trace.jsonl"]:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert out_a.replace(str(a), "DIR") == out_b.replace(str(b), "DIR")


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
def test_tshark_reads_every_pcap_cleanly(tmp_path):
    out, _ = run_cli(tmp_path, "t", 0)
    for name in PCAPS:
        proc = subprocess.run(
            [TSHARK, "-r", str(out / name), "-Y", BAD, "-T", "fields", "-e", "frame.number"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "", f"{name}: {proc.stdout}"
        count = subprocess.run([TSHARK, "-r", str(out / name)], capture_output=True, text=True, timeout=60)
        assert count.stdout.count("\n") > 5, name
