"""examples/bridged.json and examples/distributed-switch.json: facts, clean pcaps, determinism."""

import os
import shutil
import subprocess
import sys

import pytest
from l2ext_designs import ROOT, build, load_example

from simcore.design import validate

TSHARK = shutil.which("tshark") or ("/usr/bin/tshark" if os.path.exists("/usr/bin/tshark") else None)
BAD = '_ws.malformed || _ws.expert.severity >= "Error"'

EXAMPLES = {
    "bridged.json": {
        "pcaps": ["dhcpsrv_eth0.pcap", "host2_eth0.pcap", "hv_enp1s0.pcap", "vm_eth0.pcap"],
        "leases": [("vm", "198.51.100.100/24", "198.51.100.1")],
        "pings": [("vm", "198.51.100.20", 3, 3)],
    },
    "distributed-switch.json": {
        "pcaps": ["hvA_underlay.pcap", "vmA_eth0.pcap", "vmB_eth0.pcap"],
        "leases": [("vmA", "192.168.100.100/24", "192.168.100.1"), ("vmB", "192.168.100.101/24", "192.168.100.1")],
        "pings": [("vmA", "192.168.100.101", 3, 3), ("vmB", "192.168.100.100", 3, 3)],
    },
}


def run_cli(tmp_path, example, name, hashseed):
    out_dir = tmp_path / name
    out_dir.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "simcore", "run", str(ROOT / "examples" / example), "--pcap-dir", str(out_dir),
         "--trace", str(out_dir / "trace.jsonl")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return out_dir, proc.stdout


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_validates_without_problems(example):
    assert validate(load_example(example)) == []


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_facts(example):
    want = EXAMPLES[example]
    net, _ = build(load_example(example))
    net.run_until(30)
    facts = net.facts()
    leases = [(f["node"], f["address"], f["router"]) for f in facts if f["kind"] == "dhcp"]
    pings = [(f["node"], f["dst"], f["transmitted"], f["received"]) for f in facts if f["kind"] == "ping"]
    assert (leases, pings) == (want["leases"], want["pings"])


def test_bridged_example_lan_sees_the_vms_broadcasts_but_not_its_unicast_offer():
    net, _ = build(load_example("bridged.json"))
    net.run_until(30)
    seen = {name: [f for _t, f in net.captures[name].records] for name in ("host2_eth0", "hv_enp1s0")}
    vm_mac = "08:00:27:51:00:99"
    # The VM's DISCOVER (broadcast) reaches host2; the OFFER/ACK (unicast to the VM's MAC) do not.
    assert any(f.src == vm_mac and f.dst == "ff:ff:ff:ff:ff:ff" for f in seen["host2_eth0"])
    assert not any(f.dst == vm_mac and f.payload.__class__.__name__ == "IPv4"
                   and f.payload.src == "198.51.100.1" for f in seen["host2_eth0"])
    assert any(f.dst == vm_mac and f.payload.__class__.__name__ == "IPv4"
               and f.payload.src == "198.51.100.1" for f in seen["hv_enp1s0"])


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_is_deterministic_and_its_pcaps_dissect_cleanly(tmp_path, example):
    a, out_a = run_cli(tmp_path, example, "a", 0)
    b, out_b = run_cli(tmp_path, example, "b", 4242)
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(EXAMPLES[example]["pcaps"] + ["trace.jsonl"])
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert out_a.replace(str(a), "DIR") == out_b.replace(str(b), "DIR")
    for name in EXAMPLES[example]["pcaps"]:
        proc = subprocess.run(
            [TSHARK, "-r", str(a / name), "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
             "-o", "tcp.check_checksum:TRUE", "-Y", BAD], capture_output=True, text=True, timeout=60)
        assert (proc.returncode, proc.stdout) == (0, ""), name
    # The CLI prints the facts.
    for node, address, _router in EXAMPLES[example]["leases"]:
        assert f"{node}: eth0 leased {address}" in out_a
    for node, dst, sent, got in EXAMPLES[example]["pings"]:
        assert f"{node}: ping {dst}: {got}/{sent} replies" in out_a
