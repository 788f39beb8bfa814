"""The container examples tell their stories, have no findings, run deterministically and write
pcaps tshark reads without a complaint."""

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
EXAMPLES = ["containers-and-vms", "container-images", "docker-ports", "host-reboot"]
TSHARK = shutil.which("tshark") or ("/usr/bin/tshark" if os.path.exists("/usr/bin/tshark") else None)
BAD = '_ws.malformed || _ws.expert.severity >= "Error"'


def load(name):
    return json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))


def lines(name, until=20):
    trace = []
    net = Network.from_design(load(name), seed=0, trace=trace)
    net.run_until(until)
    return net, trace


def at(net, t, node="hv"):
    return [text for when, n, text in net.console_lines() if n == node and int(t * 1e9) <= when < int(t * 1e9) + 500_000_000]


@pytest.mark.parametrize("name", EXAMPLES)
def test_validates_without_findings(name):
    doc = load(name)
    assert validate(doc) == [] and check(doc) == []


def test_containers_and_vms_side_by_side():
    net, trace = lines("containers-and-vms")
    assert [c.split(None, 10)[10] for c in at(net, 7.5)[1:]] == ["sleep 3600", "ps aux"]  # one process
    assert len(at(net, 7.0)) == 8 and at(net, 7.0)[1].endswith(" /sbin/init")  # init and its services
    assert at(net, 8.5) == ["6.8.0-45-generic", "6.8.0-45-generic"] and at(net, 8.5, "vm1") == ["6.1.0-25-amd64"]
    host_ps = at(net, 10.5)
    vbox = [r for r in host_ps if "VBoxHeadless --comment vm1" in r]
    assert len(vbox) == 1 and int(vbox[0].split()[5]) > 1024 * 1024  # RSS in KiB: the VM's whole RAM
    assert "2 packets transmitted, 2 received, 0% packet loss, time 1000ms" in at(net, 12.0)
    conntrack = at(net, 13.0)
    assert "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown." in conntrack
    started = {e["container"]: (e["memory_mb"], e["start_s"]) for e in trace if e["kind"] == "container.state"}
    assert started == {"c1": (24, 1.0), "app": (1, 0.3)}
    assert net.machines["vm1"].state == "Running"


def test_images_registry_and_an_image_from_a_container():
    net, trace = lines("container-images")
    assert at(net, 3.5) == ["Error: The instance is currently running. Use --force to have it stopped and restarted"]
    assert at(net, 4.5)[0].startswith("Instance published with fingerprint: ")
    assert at(net, 6.0) == ["built in class"] == at(net, 7.5)
    assert at(net, 12.0, "pc") == ["<h1>class page</h1>"]
    assert [e["kind"] for e in trace if e["kind"] == "container.refused"] == ["container.refused"] * 2


def test_docker_port_publishing():
    net, trace = lines("docker-ports")
    assert at(net, 3.0, "pc")[:2] == ["HTTP/1.1 200 OK", "Server: nginx/1.22.1"]
    assert at(net, 4.0, "pc") == ["curl: (7) Failed to connect to 192.168.1.10 port 8081 after 0 ms: "
                                  "Couldn't connect to server"]
    assert at(net, 7.0, "pc") == ["<h1>published from a container</h1>"]
    assert at(net, 11.0, "pc") == ["<html><body><h1>It works!</h1></body></html>"]
    forwards = net.tables()["nat"]["hv-docker0"]["port_forwards"]
    assert [(f["host_port"], f["hits"]) for f in forwards] == [(8080, 1)]  # web2's rule; web's went with it


def test_host_reboot():
    net, trace = lines("host-reboot", until=26)
    power = [(e["t"] / 1e9, e["state"]) for e in trace if e["kind"] == "host.power"]
    assert power == [(10.0, "shutting down"), (13.0, "off"), (13.0, "booting"), (21.0, "running")]
    back = sorted(e["container"] for e in trace if e["kind"] == "container.state" and e["t"] == 21 * 10**9)
    assert back == ["site", "web1"]
    rows = at(net, 22.0)
    assert "| scratch | STOPPED |" in "\n".join(rows) and "| web1    | RUNNING |" in "\n".join(rows)
    assert at(net, 23.0) == ['"vm1" {ecf83029-dae7-4b08-9689-a65726408d9a}']  # vm1 resumed, vm2 stays off
    assert "inet 192.168.60.100/24 brd 192.168.60.255 scope global dynamic eth0" in "\n".join(at(net, 23.5, "vm1"))
    assert at(net, 24.0, "pc")[-10:][0] == "HTTP/1.1 200 OK"  # the port forward is back with nginx
    assert net.machines["vm2"].state == "PoweredOff"


def run_cli(tmp_path, name, hashseed):
    out_dir = tmp_path / f"{name}-{hashseed}"
    out_dir.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "simcore", "run", str(ROOT / "examples" / f"{name}.json"),
                           "--pcap-dir", str(out_dir), "--trace", str(out_dir / "trace.jsonl")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return out_dir


@pytest.mark.parametrize("name", EXAMPLES)
def test_same_bytes_whatever_the_hash_seed_and_tshark_reads_them(tmp_path, name):
    a, b = run_cli(tmp_path, name, 1), run_cli(tmp_path, name, 4242)
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir()) and "trace.jsonl" in files
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    if TSHARK is None:
        pytest.skip("tshark is not installed")
    for f in files:
        if not f.endswith(".pcap"):
            continue
        proc = subprocess.run([TSHARK, "-r", str(a / f), "-Y", BAD, "-T", "fields", "-e", "frame.number"],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "", f"{f}: {proc.stdout}"
