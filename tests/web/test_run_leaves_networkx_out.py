"""A run's worker never imports networkx (23 MB of a process, and of every run forked from the
fork server that preloads the engine): only the design checks' graph functions need it, and a run
asks only the over-commit checks (a host's allocation, after a change of its VMs' settings)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # tests/web/ -> the project

SCRIPT = """
import json, sys
import designer.simulation.worker  # what the fork server preloads, with simcore.network
from simcore.network import Network
trace = []
net = Network.from_design(json.load(open("examples/vm-lifecycle.json")), trace=trace)
net.run_until(10)
net.command("hv", "VBoxManage controlvm vm1 poweroff", at=11)
net.command("hv", "VBoxManage modifyvm vm1 --memory 65536", at=12)
net.run_until(13)
net.tables()
assert any("ask for 66560 MB of RAM" in e["text"] for e in trace if e["kind"] == "vm.hardware"), "over-committed"
print("networkx" in sys.modules)
"""


def test_a_run_with_tables_and_an_overcommitted_host_never_imports_networkx():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "config.settings",
                              "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_the_design_checks_still_find_a_switch_loop():
    from simcore.design import check

    doc = {"version": 1, "nodes": [{"id": "a", "kind": "lan_switch"}, {"id": "b", "kind": "lan_switch"}],
           "links": [{"id": "l1", "a": {"node": "a"}, "b": {"node": "b"}},
                     {"id": "l2", "a": {"node": "a"}, "b": {"node": "b"}}]}
    assert [p.code for p in check(doc)] == ["check.switch_loop"]
