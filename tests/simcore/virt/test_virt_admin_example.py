"""examples/vm-admin.json tells its story: a file back after a snapshot restore, a restore refused
while the VM runs, a clone refused while running and made once it is off, then started."""

import json
from pathlib import Path

from simcore.network import Network

S = 1_000_000_000
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "vm-admin.json"


def test_the_admin_story():
    trace = []
    net = Network.from_design(json.loads(EXAMPLE.read_text()), trace=trace)
    net.run_until(25)
    out = net.console_lines()
    web1 = [text for t, n, text in out if n == "web1" and t >= 3 * S and not text.startswith(("[", "GRUB", "Load"))]
    assert web1[0] == "cat: index.html: No such file or directory"
    assert "site v1" in web1
    hv = [text for t, n, text in out if n == "hv"]
    assert ("VBoxManage: error: Cannot delete the current state of the running machine (machine state: Running)"
            in hv)
    assert ("VBoxManage: error: Cannot clone the machine 'web1' while it is running (machine state: Running): "
            "usually the VM to be cloned must be stopped; power it off or save its state first") in hv
    assert 'Machine has been successfully cloned as "web2"' in hv
    assert 'VM "web2" has been successfully started.' in hv
    assert net.machines["web2"].state == "Running" and net.tables()["vms"]["web2"]["created_in_run"]
    assert [e["kind"] for e in trace if e["kind"] in ("vm.snapshot", "vm.cloned")] == [
        "vm.snapshot", "vm.snapshot", "vm.cloned"]


def test_the_admin_story_s_pcaps_dissect_cleanly_with_the_cli(tmp_path):
    import os
    import shutil
    import subprocess
    import sys

    import pytest

    tshark = shutil.which("tshark")
    if tshark is None:
        pytest.skip("tshark is not installed")  # CI installs it (.ci/system-packages)
    root = EXAMPLE.parents[1]
    proc = subprocess.run([sys.executable, "-m", "simcore", "run", str(EXAMPLE), "--pcap-dir", str(tmp_path)],
                          cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    pcaps = sorted(tmp_path.glob("*.pcap"))
    assert [p.name for p in pcaps] == ["admin_eth0.pcap", "web1_eth0.pcap", "web2_eth0.pcap"]  # the clone too
    for path in pcaps:
        bad = subprocess.run([tshark, "-r", str(path), "-Y", '_ws.malformed || _ws.expert.severity >= "Error"'],
                             capture_output=True, text=True, timeout=60)
        assert bad.returncode == 0 and bad.stdout == "", bad.stdout
    web1 = subprocess.run([tshark, "-r", str(tmp_path / "web1_eth0.pcap"), "-T", "fields", "-e", "_ws.col.Info"],
                          capture_output=True, text=True, timeout=60).stdout
    assert "Echo (ping) reply" in web1
