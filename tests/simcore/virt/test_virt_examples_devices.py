"""examples/vm-devices.json and examples/vm-software-sim.json tell their stories, deterministically."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from virt_designs import MS, S

from simcore.network import Network

ROOT = Path(__file__).resolve().parents[3]
DEVICES = ROOT / "examples" / "vm-devices.json"
SOFTWARE = ROOT / "examples" / "vm-software-sim.json"


def run(path, until):
    trace = []
    net = Network.from_design(json.loads(path.read_text()), seed=0, trace=trace)
    net.run_until(until)
    return net, trace



def said(trace, node, at):
    return [e["line"] for e in trace if e["kind"] == "console.output" and e["node"] == node and e["t"] == at * S]


def test_vm_devices_disks_dvd_and_hardware_by_software():
    net, trace = run(DEVICES, 40)
    assert said(trace, "vm1", 8.0) == [
        "NAME   MAJ:MIN RM SIZE RO TYPE MOUNTPOINTS",
        "sda      8:0    0  20G  0 disk ",
        "└─sda1   8:1    0  20G  0 part /",
        "sdb      8:16   0   2G  0 disk /data",
        "sr0     11:0    1 2.6G  0 rom  ",
    ]
    # The DVD ejected, a disk hot-plugged on SATA while running: the guest sees both.
    assert said(trace, "vm1", 15.0)[-2:] == ["sdc      8:32   0  512M  0 disk ", "sr0     11:0    1 1024M  0 rom  "]
    # The RAM cannot change while it runs (VirtualBox's words), and can once it is off.
    refused = [e["msg"] for e in trace if e["kind"] == "vm.refused" and e["t"] == 16 * S]
    assert refused == ["The RAM of vm1 can only be changed while it is powered off; it is Running (VirtualBox: "
                       "The machine 'vm1' is already locked for a session (or being unlocked))"]
    assert said(trace, "vm1", 30.5) == ["4"]
    # The data disk keeps its file across the power cycle.
    assert said(trace, "vm1", 31.0)[-1].endswith(" big.bin")
    row = net.tables()["vms"]["vm1"]
    assert (row["state"], row["hardware"]["ram_mb"], row["hardware"]["vcpus"], row["hardware"]["dvd"]) == (
        "Running", 4096, 4, None)
    assert [d["path"].rsplit("/", 1)[1] for d in row["hardware"]["disks"]] == ["vm1.vdi", "data.vdi", "logs.vdi"]


def test_vm_software_sim_boot_time_and_rtt_differ_and_the_console_says_why():
    net, trace = run(SOFTWARE, 50)
    logins = {e["node"]: e["t"] for e in trace if e["kind"] == "console.output" and "login:" in e["line"]}
    assert logins == {"a1": 5 * S, "a2": 5 * S, "b1": 29500 * MS, "b2": 29500 * MS}
    first = {n: said(trace, n, 1.5)[0] for n in ("a1", "b1")}
    assert first["a1"].startswith("VirtualBox BIOS")
    assert first["b1"] == ("slow has no hardware virtualization (VT-x/AMD-V): b1 runs by software simulation, every "
                           "guest instruction simulated, about 8 times slower")
    rtt = [e["line"] for e in trace if e["kind"] == "console.output" and e["line"].startswith("rtt ")]
    assert rtt == ["rtt min/avg/max/mdev = 0.200/0.266/0.400/0.096 ms", "rtt min/avg/max/mdev = 0.900/1.200/1.800/0.424 ms"]
    assert [net.tables()["vms"][v]["software_virtualization"] for v in ("a1", "b1")] == [False, True]


@pytest.mark.parametrize("example", [DEVICES, SOFTWARE], ids=["vm-devices", "vm-software-sim"])
def test_the_same_bytes_whatever_the_hash_seed(example, tmp_path):
    outs = []
    for seed in ("0", "12345"):
        folder, trace = tmp_path / seed, tmp_path / f"trace-{seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "simcore", "run", str(example), "-q", "--pcap-dir", str(folder),
                        "--trace", str(trace)], cwd=ROOT, env=env, check=True, capture_output=True)
        outs.append({"trace": trace.read_bytes(), **{p.name: p.read_bytes() for p in sorted(folder.iterdir())}})
    assert outs[0] == outs[1] and len(outs[0]) == 1 + len(json.loads(example.read_text())["captures"])
