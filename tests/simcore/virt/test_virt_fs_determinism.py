"""The same design and actions give the same consoles and trace whatever PYTHONHASHSEED is:
listings, disk images, hardware changes and their sentences depend on no set or hash order."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import json, sys
sys.path.insert(0, "tests/simcore/virt")
from virt_guests import DESIGN
from simcore.network import Network
trace = []
net = Network.from_design(DESIGN, trace=trace)
lines = ["ls -la /", "ls -l /usr/bin /etc", "mkdir -p a/b c", "touch c/z c/a c/M", "ls c", "df -h",
         "lsblk", "free -m", "sudo fallocate -l 1G /srv/big", "ls -l /srv"]
for i, line in enumerate(lines):
    net.command("vm1", line, at=1 + i / 10)
net.command("hv", "ls -l 'VirtualBox VMs/vm1' 'VirtualBox VMs/deb'", at=3)
net.command("hv", "VBoxManage list hdds", at=3.1)
net.vm_action("vm1", "poweroff", at=4)
net.vm_action("vm1", "modifyvm", memory=16384, cpus=8, at=6)
net.command("hv", "VBoxManage showvminfo vm1", at=7)
net.run_until(8)
print(json.dumps([net.console_lines(), [e["text"] for e in trace]]))
"""


def run(seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_consoles_and_trace_do_not_depend_on_the_hash_seed():
    first = run(1)
    assert '"vm1 now has 16384 MB of RAM' in first
    assert run(2) == first
