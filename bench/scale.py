"""Scale benchmark: simcore against ns-3 on the same LAN design, in the same run.

The design (ns-3's side: ``bench/ns3_lan.cc``, built and run by this script):
S learning switches in a chain, H hosts on each (10.0.0.0/16, in order), every host sending a
100-byte UDP datagram every I seconds to one random other host (drawn once per host, as ns-3's
client is), starting at a random instant in [0, I), for T simulated seconds; every host has a UDP
sink on port 9. Links are 10 us long, as ns-3's CSMA channels. Here it is a generated design
document (``lan_switch`` chain, ``outside_host`` nodes, ``udp_traffic`` + ``udp_sink`` services)
run untraced. The random choices come from ``random.Random(seed)`` in this script, so the
document is the same on every run.

Printed (each line says what it measures):

- ns-3 wall: ns3_lan's own wall time of ``Simulator::Run`` (compiling, building the topology and
  start-up not counted);
- simcore wall: ``Network.run_until(T)`` (building the network not counted, printed apart);
- simulated seconds per wall second, events per wall second;
- the cold-start ARP storm: the first simulated second alone (every host resolves its peer);
- memory per host: tracemalloc's growth while building the network, divided by hosts (ns-3's
  figure, its resident growth while building the same design divided by hosts, is on its line);
- a DHCP boot storm: N VMs on one vswitch run ``dhclient eth0`` at the same instant against one
  DHCP server (with its address probe); wall time until every lease is bound.

Run: ``.venv/bin/python bench/scale.py`` (S=10 H=100 T=60: about a minute) or ``--quick``
(S=2 H=20 T=5, a few seconds). The last line is ``ratio: <ns-3 wall / simcore wall>``.
Speed is measured here only, never in tests.

ns-3 comes from PyPI's ``ns3`` wheel (headers and shared libraries), the ``bench`` dependency group
of pyproject.toml, locked in uv.lock. ``make run``/``make test`` do not install it; this script does
(``uv sync --frozen --inexact --group bench``, about a minute the first time: three of the wheel's
dependencies are built from source), then compiles ``ns3_lan.cc`` with g++ into ``bench/.build/``
(git-ignored), again only when the source or the compile command changed.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import ipaddress
import os
import random
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simcore.design import normalized  # noqa: E402
from simcore.network import Network  # noqa: E402

NS3_SOURCE = ROOT / "bench" / "ns3_lan.cc"
NS3_BUILD = ROOT / "bench" / ".build"
# The ns-3 modules ns3_lan.cc includes, linked as the wheel names them.
NS3_MODULES = ("core", "network", "csma", "bridge", "internet", "applications")
NS3_VERSION = "3.44"


def host_ip(k: int) -> str:
    """ns-3's Ipv4AddressHelper from 10.0.0.0/16: the k-th device gets 10.0.0.(k+1) onwards."""
    return str(ipaddress.IPv4Address("10.0.0.1") + k)


def lan_doc(switches: int, hosts: int, interval: float, seed: int = 1) -> dict:
    """The ns-3 LAN as a design document (every choice drawn here, once)."""
    rng = random.Random(seed)
    n = switches * hosts
    nodes, links = [], []
    for i in range(switches):
        nodes.append({"id": f"sw{i}", "kind": "lan_switch"})
        if i:
            links.append({"id": f"t{i}", "a": {"node": f"sw{i - 1}"}, "b": {"node": f"sw{i}"}, "delay_us": 10})
    for k in range(n):
        d = (k + 1 + rng.randrange(n - 1)) % n  # a random other host, as lanbench.cc draws it
        nodes.append({
            "id": f"h{k}", "kind": "outside_host",
            "nics": [{"name": "eth0", "ip": f"{host_ip(k)}/16"}],
            "services": [
                {"kind": "udp_sink", "port": 9},
                {"kind": "udp_traffic", "to": host_ip(d), "port": 9, "interval_s": interval, "size": 100,
                 "start_s": round(rng.uniform(0, interval), 9)},
            ],
        })
        links.append({"id": f"l{k}", "a": {"node": f"h{k}", "nic": "eth0"}, "b": {"node": f"sw{k // hosts}"},
                      "delay_us": 10})
    return {"version": 1, "name": f"LAN bench {switches}x{hosts}", "nodes": nodes, "links": links}


def boot_storm_doc(vms: int) -> dict:
    """``vms`` VMs on one vswitch of host hv, one DHCP server, everyone runs dhclient at t=1 s."""
    end = ipaddress.IPv4Address("10.1.0.10") + vms + 10
    nodes = [
        {"id": "hv", "kind": "host"},
        {"id": "vsw", "kind": "vswitch", "host": "hv"},
        {"id": "dhcp", "kind": "dhcp_server", "host": "hv",
         "nics": [{"name": "eth0", "ip": "10.1.0.1/16"}],
         "services": [{"kind": "dhcp", "nic": "eth0", "range_start": "10.1.0.10", "range_end": str(end),
                       "lease_s": 3600, "router": "10.1.0.1", "probe": True}]},
    ]
    links = [{"id": "ld", "a": {"node": "dhcp", "nic": "eth0"}, "b": {"node": "vsw"}}]
    script = []
    for k in range(vms):
        nodes.append({"id": f"vm{k}", "kind": "vm", "host": "hv", "nics": [{"name": "eth0", "ip": "dhcp"}]})
        links.append({"id": f"l{k}", "a": {"node": f"vm{k}", "nic": "eth0"}, "b": {"node": "vsw"}})
        script.append({"at": 1.0, "node": f"vm{k}", "command": "dhclient eth0"})
    return {"version": 1, "name": f"DHCP boot storm {vms}", "nodes": nodes, "links": links, "script": script}


def build(doc: dict) -> tuple[Network, float]:
    t0 = time.perf_counter()
    net = Network(normalized(doc), seed=0, trace=None)
    return net, time.perf_counter() - t0


def received(net: Network) -> int:
    return sum(s.received for services in net.services.values() for s in services
               if type(s).__name__ == "UdpSink")


def ns3_wheel() -> Path:
    """The installed ns3 wheel's directory (with include/ and lib64/), installed first if missing."""
    uv = ROOT / ".uv" / "bin" / "uv"
    if not uv.exists():
        raise RuntimeError(f"{uv} is missing: run `make setup` first")
    # --inexact: add the bench group to the environment `make` set up, remove nothing.
    proc = subprocess.run([str(uv), "sync", "--frozen", "--inexact", "--group", "bench"], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"uv sync --group bench failed: {proc.stderr.strip()[-500:]}")
    found = sorted((ROOT / ".venv" / "lib").glob("python3*/site-packages/ns3/include/ns3/core-module.h"))
    if not found:
        raise RuntimeError("the ns3 wheel is installed but has no include/ns3/core-module.h")
    return found[0].parents[2]


def build_ns3() -> Path:
    """Compile ns3_lan.cc against the wheel (once per source and command); return the program."""
    wheel = ns3_wheel()
    lib = wheel / "lib64"
    exe = NS3_BUILD / "ns3_lan"
    command = ["g++", "-O2", "-std=c++20", f"-I{wheel / 'include'}", str(NS3_SOURCE), f"-L{lib}",
               *(f"-lns{NS3_VERSION}-{m}" for m in NS3_MODULES), f"-Wl,-rpath,{lib}", "-o", str(exe)]
    stamp = NS3_BUILD / "ns3_lan.stamp"
    key = hashlib.sha256((" ".join(command) + "\n").encode() + NS3_SOURCE.read_bytes()).hexdigest()
    if exe.exists() and stamp.exists() and stamp.read_text() == key:
        return exe
    NS3_BUILD.mkdir(parents=True, exist_ok=True)
    print(f"compiling {NS3_SOURCE.relative_to(ROOT)} against ns-3 {NS3_VERSION} ...", file=sys.stderr, flush=True)
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"g++ failed: {proc.stderr.strip()[-1500:]}")
    stamp.write_text(key)
    return exe


def run_ns3(switches: int, hosts: int, seconds: float, interval: float) -> tuple[float | None, str]:
    """(ns-3's wall time of Simulator::Run, or None; its output line or why it did not run)."""
    try:
        exe = build_ns3()
    except (RuntimeError, OSError) as exc:
        return None, f"ns-3 not run: {exc}"
    proc = subprocess.run([str(exe), f"--S={switches}", f"--H={hosts}", f"--T={seconds:g}", f"--I={interval:g}"],
                          capture_output=True, text=True, timeout=3600)
    line = (proc.stdout.strip().splitlines() or [""])[-1]
    match = re.search(r"wall=([0-9.]+)s", line)
    if proc.returncode != 0 or match is None:
        return None, f"ns-3 failed ({proc.returncode}): {proc.stderr.strip()[-300:]}"
    return float(match.group(1)), line


def memory_per_host(doc: dict, hosts: int) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    net = Network(normalized(doc), seed=0, trace=None)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del net
    return (after - before) / hosts


def lease_count(net: Network) -> int:
    return sum(1 for node in net.nodes.values() for f in getattr(getattr(node, "console", None), "facts", [])
               if f.get("kind") == "dhcp")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="S=2 H=20 T=5, a 100-VM boot storm")
    ap.add_argument("--S", type=int, default=10)
    ap.add_argument("--H", type=int, default=100)
    ap.add_argument("--T", type=float, default=60.0)
    ap.add_argument("--I", type=float, default=0.1)
    ap.add_argument("--vms", type=int, default=1000, help="VMs in the DHCP boot storm")
    ap.add_argument("--no-ns3", action="store_true", help="skip ns-3 (no ratio line)")
    args = ap.parse_args()
    if args.quick:
        args.S, args.H, args.T, args.vms = 2, 20, 5.0, 100
    S, H, T, interval = args.S, args.H, args.T, args.I
    n = S * H
    print(f"design: {S} lan_switches in a chain, {H} outside_hosts each ({n} hosts), 100-byte UDP every "
          f"{interval:g} s to a random other host, {T:g} simulated s, links 10 us; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")

    ns3_wall, ns3_line = (None, "skipped") if args.no_ns3 else run_ns3(S, H, T, interval)
    print(f"ns-3: {ns3_line}")

    doc = lan_doc(S, H, interval)
    net, build_s = build(doc)
    print(f"simcore build: {build_s:.2f} s for {len(net.nodes)} nodes, {len(net.links)} links")
    t0 = time.perf_counter()
    net.run_until(min(1.0, T))
    storm_s = time.perf_counter() - t0
    storm_events = net.engine.events_run
    print(f"cold-start ARP storm (first simulated second): {storm_s:.2f} s wall, {storm_events} events, "
          f"{received(net)} datagrams delivered")
    t1 = time.perf_counter()
    net.run_until(T)
    rest_s = time.perf_counter() - t1
    wall = storm_s + rest_s
    events = net.engine.events_run
    rx = received(net)
    sent = sum(s.sent for services in net.services.values() for s in services if type(s).__name__ == "UdpTraffic")
    print(f"simcore wall: {wall:.2f} s  events={events} ({events / wall / 1e6:.3f} M ev/s)  "
          f"udp sent={sent} received={rx} ({rx / wall:.0f} pkts/wall-s)")
    print(f"simulated seconds per wall second: {T / wall:.2f} (steady state after the first second: "
          f"{(T - min(1.0, T)) / rest_s if rest_s > 0 else float('inf'):.2f})")
    del net
    gc.collect()

    per_host = memory_per_host(doc, n)
    print(f"memory per host: {per_host / 1024:.1f} KB (tracemalloc growth while building {n} hosts with their "
          f"ports, links and services; ns-3's: memory_per_host on its line)")

    storm = boot_storm_doc(args.vms)
    boot, build_boot = build(storm)
    for step in storm["script"]:
        boot.command(step["node"], step["command"], at=step["at"])
    t2 = time.perf_counter()
    horizon, bound = 1.0, 0
    while horizon < 120 and bound < args.vms:
        horizon += 1.0
        boot.run_until(horizon)
        bound = lease_count(boot)
    boot_s = time.perf_counter() - t2
    print(f"DHCP boot storm: {bound}/{args.vms} VMs bound by simulated {horizon:g} s (dhclient at 1 s); "
          f"{boot_s:.2f} s wall, {boot.engine.events_run} events (build {build_boot:.2f} s)")

    if ns3_wall is not None:
        print(f"ratio: {ns3_wall / wall:.3f} (ns-3 vs simcore on the same LAN design)")


if __name__ == "__main__":
    main()
