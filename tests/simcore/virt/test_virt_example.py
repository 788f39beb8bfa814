"""examples/vm-lifecycle.json tells its story: the boot and DORA, a pause that drops vm2's pings,
a save during which the server's lease runs out, a restore after which vm1 is still bound, renews
and gets a NAK on the wire, then the ACPI power button; and it is deterministic."""

import json
import os
import subprocess
import sys
from pathlib import Path

from virt_designs import S, dhcp_frames

from simcore.network import Network
from simcore.packets.dhcp import DHCPACK, DHCPDISCOVER, DHCPNAK, DHCPOFFER, DHCPREQUEST

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "vm-lifecycle.json"


def run(until=200):
    trace = []
    net = Network.from_design(json.loads(EXAMPLE.read_text()), seed=0, trace=trace)
    net.run_until(until)
    return net, trace


def test_the_story():
    net, trace = run()
    states = [(e["t"] / S, e["to"]) for e in trace if e["kind"] == "vm.state"]
    assert states == [(1.0, "Starting"), (1.5, "Running"), (12.0, "Paused"), (16.0, "Running"), (20.0, "Saving"),
                      (21.0, "Saved"), (90.0, "Restoring"), (91.0, "Running"), (160.0, "Running"),
                      (161.5, "Stopping"), (161.6, "PoweredOff")]
    kinds = [f[1] for f in dhcp_frames(net)]
    # boot: DORA; restored: the renewal refused (NAK); then a rebind nobody answers, the lease ends, DORA again
    assert kinds == [DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPACK, DHCPREQUEST, DHCPNAK, DHCPREQUEST,
                     DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPACK]
    nak = [f for f in dhcp_frames(net) if f[1] == DHCPNAK][0]
    assert nak[0] > 91 * S and nak[2:] == ("192.168.60.1", "255.255.255.255", "ff:ff:ff:ff:ff:ff")
    expired = [e["t"] for e in trace if e["kind"] == "dhcp.expire" and e["node"] == "dnsmasq"]
    assert 21 * S < expired[0] < 90 * S  # the server forgot the lease while vm1 was saved
    assert [e["reason"] for e in trace if e["kind"] == "packet.dropped" and e["node"] == "vm1"].count("vm.paused") == 4
    ping = [f for f in net.facts() if f.get("kind") == "ping"]
    assert [(f["transmitted"], f["received"]) for f in ping] == [(6, 2), (2, 0)]
    assert net.machines["vm1"].state == "PoweredOff"


def test_the_same_bytes_whatever_the_hash_seed(tmp_path):
    outs = []
    for seed in ("0", "12345"):
        folder, trace = tmp_path / seed, tmp_path / f"trace-{seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "simcore", "run", str(EXAMPLE), "-q", "--pcap-dir", str(folder),
                        "--trace", str(trace)], cwd=ROOT, env=env, check=True, capture_output=True)
        outs.append({"trace": trace.read_bytes(), **{p.name: p.read_bytes() for p in sorted(folder.iterdir())}})
    assert outs[0] == outs[1] and len(outs[0]) == 3
