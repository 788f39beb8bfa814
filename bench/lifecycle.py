"""What a snapshot costs, and how long taking, restoring and seeking take.

1. Memory. A 50-node design (a VirtualBox host, a vswitch, a DHCP server and 47 VMs, each with a
   static address and a data disk full of small files) runs 30 s: every VM pings the next one, so
   ARP caches and console histories are filled. Then a snapshot of the running ``vm1`` is taken.
   - the VM's live memory: every object the VM owns (its node's stack, console, DHCP and TCP
     state, services, guest: settings, filesystem trees...), walked with ``gc.get_referents``
     from the node's attributes and its guest's, stopping at what is not its own (other nodes,
     links, the engine, the tracer: the snapshot's own memo of the outside) and counted with
     ``sys.getsizeof``;
   - the snapshot's memory: the same walk from the snapshot's image, counting only objects that
     are neither the live VM's nor outside it (what the snapshot adds: the persistent filesystem
     trees are shared until one side writes).
   The goal: a snapshot costs no more than the VM itself (ratio = live / snapshot >= 1).
2. Times (wall clock, median and worst of 20): taking a snapshot of the running VM; restoring an
   online snapshot of it once powered off.
3. Seeking: ``examples/nat-dhcp.json`` in the run worker played to 1 hour of simulated time (its
   checkpoints as a live run makes them; at 10 min an online snapshot of its VM, at 20 min a power
   off, the restore and a start, all through ``run.vm``), then ``run.seek`` to 40 instants drawn from the hour
   (``random.Random(1)``), each from the end of the run: p50 and p95 in ms (goal: p95 <= 200 ms).

Run: ``.venv/bin/python bench/lifecycle.py [--quick]`` (about a minute; ``--quick``: 20 nodes, a
10-minute run, 10 seeks). The last line is ``ratio: <VM live memory / snapshot memory>``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simcore.network import Network  # noqa: E402
from simcore.virt.snapshots import _memo  # noqa: E402


def design(n_nodes: int) -> dict:
    vms = n_nodes - 3
    nodes = [
        {"id": "hv", "kind": "host", "platform": "virtualbox", "hypervisor_type": 2, "cpu_cores": 64,
         "ram_mb": 262144},
        {"id": "lan", "kind": "vswitch", "host": "hv"},
        {"id": "srv", "kind": "dhcp_server", "nics": [{"name": "eth0", "ip": "10.1.0.1/16"}],
         "services": [{"kind": "dhcp", "nic": "eth0", "range_start": "10.1.200.1", "range_end": "10.1.200.200"}]},
    ]
    links = [{"id": "ls", "a": {"node": "srv", "nic": "eth0"}, "b": {"node": "lan"}}]
    script = []
    for k in range(1, vms + 1):
        nodes.append({"id": f"vm{k}", "kind": "vm", "host": "hv", "ram_mb": 512,
                      "nics": [{"name": "eth0", "ip": f"10.1.{k // 250}.{k % 250 + 2}/16"}],
                      "disks": [{"name": f"vm{k}"}, {"name": "data", "size_mb": 1024, "mount": "/srv"}]})
        links.append({"id": f"l{k}", "a": {"node": f"vm{k}", "nic": "eth0"}, "b": {"node": "lan"}})
        nxt = k % vms + 1
        script.append({"at": 1 + k / 100, "node": f"vm{k}",
                       "command": f"ping -c 5 10.1.{nxt // 250}.{nxt % 250 + 2}"})
        for f in range(20):
            script.append({"at": 2 + k / 100 + f / 1000, "node": f"vm{k}",
                           "command": f"echo line {f} of vm{k} > /tmp/f{f}.txt"})
    return {"version": 1, "nodes": nodes, "links": links, "script": script}


def deep_size(roots: list, stop: set[int]) -> tuple[int, set[int]]:
    """Bytes of every object reachable from ``roots`` whose id is not in ``stop`` (nor a type,
    module or function: code is shared by every object); returns the size and the ids seen."""
    seen: set[int] = set()
    size = 0
    todo = list(roots)
    while todo:
        obj = todo.pop()
        i = id(obj)
        if i in seen or i in stop or isinstance(obj, type) or type(obj).__name__ in ("module", "function",
                                                                                     "builtin_function_or_method",
                                                                                     "code", "method_descriptor"):
            continue
        seen.add(i)
        size += sys.getsizeof(obj)
        todo.extend(gc.get_referents(obj))
    return size, seen


def memory(n_nodes: int) -> tuple[int, int, list[float], list[float]]:
    net = Network.from_design(design(n_nodes), seed=0)
    for k in range(1, n_nodes - 2):  # files on every VM's data disk
        guest = net.nodes[f"vm{k}"].guest
        from simcore.virt.fs import text_file

        for f in range(40):
            guest.fs.install(f"/srv/file{f:02d}.txt", text_file(f"record {f} of vm{k}\n" * 20))
    net.run_until(30)
    m = net.machines["vm1"]
    outside = _memo(m)
    stop = set(outside) - {id(m.node.__dict__)}
    # The VM's own: its node's attributes, its guest's attributes (the guest object is kept as
    # itself by the memo, so start from its dict), its services, the controller's guest fields.
    live_roots = [{k: v for k, v in m.node.__dict__.items()}, dict(m.node.guest.__dict__),
                  net.services.get("vm1"), list(m.clock._timers.values())]
    live, live_ids = deep_size(live_roots, stop)
    takes, restores = [], []
    for r in range(20):
        t0 = time.perf_counter()
        snap = m.snapshots.apply({"op": "take", "name": f"s{r}"}, "bench")
        takes.append(time.perf_counter() - t0)
    snap_bytes, _ = deep_size([snap.image.__dict__], stop | live_ids)
    m.request("poweroff", "bench")
    net.run_until(31)
    for r in range(20):
        t0 = time.perf_counter()
        m.snapshots.apply({"op": "restore", "name": f"s{r}"}, "bench")
        restores.append(time.perf_counter() - t0)
    return live, snap_bytes, takes, restores


def seeks(hours_s: float, samples: int) -> list[float]:
    from designer.simulation.worker import RunWorker

    doc = json.loads((ROOT / "examples" / "nat-dhcp.json").read_text())
    w = RunWorker({"run": "bench", "doc": doc, "seed": 0, "speed": 100.0}, now=0.0)
    now = 0.0
    # The VM's lifecycle in the run's log: an online snapshot, a power off, the restore, a start.
    plan = [(hours_s / 6, {"action": "snapshot", "params": {"op": "take", "name": "s1"}}),
            (hours_s / 3, {"action": "poweroff"}),
            (hours_s / 3 + 10, {"action": "snapshot", "params": {"op": "restore", "name": "s1"}}),
            (hours_s / 3 + 20, {"action": "start"})]
    while w.net.now_ns < hours_s * 1e9:  # ticks as a live run makes them (checkpoints included)
        now += 0.05
        w.tick(now)
        while plan and w.net.now_ns >= plan[0][0] * 1e9:
            reply = w.handle({"op": "run.vm", "node": "vm", "id": 0, **plan.pop(0)[1]}, now)
            assert reply[-1]["ok"], reply
    end_net, items, every = w.net, list(w.checkpoints.items), w.checkpoints.every_ns
    rng = random.Random(1)
    out = []
    for _ in range(samples):
        w.net, w.checkpoints.items, w.checkpoints.every_ns = end_net, list(items), every
        target = rng.uniform(0, hours_s)
        t0 = time.perf_counter()
        w.handle({"op": "run.seek", "t": target, "id": 1}, now)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_nodes, hour, samples = (20, 600.0, 10) if args.quick else (50, 3600.0, 40)
    live, snap, takes, restores = memory(n_nodes)
    print(f"design: {n_nodes} nodes; vm1 running, snapshot taken at 30 s")
    print(f"VM live memory (its own objects): {live / 1024:.1f} KiB")
    print(f"snapshot memory (what it adds): {snap / 1024:.1f} KiB")
    print(f"take: median {statistics.median(takes) * 1e3:.2f} ms, worst {max(takes) * 1e3:.2f} ms (20 takes)")
    print(f"restore: median {statistics.median(restores) * 1e3:.2f} ms, worst {max(restores) * 1e3:.2f} ms "
          "(20 restores of an online snapshot)")
    times = sorted(seeks(hour, samples))
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"seek in a {hour / 60:g}-minute run of examples/nat-dhcp.json: p50 {statistics.median(times) * 1e3:.1f} ms, "
          f"p95 {p95 * 1e3:.1f} ms ({samples} seeks; goal p95 <= 200 ms)")
    print(f"ratio: {live / max(1, snap):.2f} (VM live memory / snapshot memory; goal >= 1)")


if __name__ == "__main__":
    main()
