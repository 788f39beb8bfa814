"""Engine benchmark: the same switch-and-hosts workload on our kernel, a bare heapq loop and SimPy.

What each number measures (printed too):

- engine events/s: simcore.engine.Engine running the workload (untraced): N hosts on one switch,
  each pinging its neighbour every 10 ms. An event = one callback popped from the heap (a frame
  arriving at a port, a ping send, a timer), including the device work it triggers.
- bare heapq events/s: the *same* devices and workload, dispatched by the smallest possible loop
  (``while heap: t, _, _, fn, args = heappop(heap); now = t; fn(*args)``) with no limits, status or
  accounting. engine/heapq is the kernel's overhead on a real workload (target >= 0.7).
- simpy events/s: the same devices and workload scheduled through SimPy 4 (each callback a
  ``Timeout`` with a callback), the popular alternative (target: engine >= 1.5x SimPy).
- bare dispatch events/s: the heapq loop with empty callbacks, an upper bound of dispatch alone.
- memory per idle node: tracemalloc's growth when building an untraced network of idle hosts
  (NIC, stack, routes, ARP table, console) plus their switch ports and links, divided by hosts.

Run: ``.venv/bin/python bench/engine.py`` (``make bench``). The last line is the ratio.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simcore.design import normalized  # noqa: E402
from simcore.network import Network  # noqa: E402

HOSTS = 40
SIM_SECONDS = 2.0
ROUNDS = 5
S = 1_000_000_000


def workload_doc(hosts: int = HOSTS) -> dict:
    nodes = [{"id": "sw", "kind": "lan_switch"}]
    links, script = [], []
    for i in range(hosts):
        nodes.append({"id": f"h{i}", "kind": "outside_host",
                      "nics": [{"name": "eth0", "ip": f"10.0.{i // 200}.{i % 200 + 1}/16"}]})
        links.append({"id": f"l{i}", "a": {"node": f"h{i}", "nic": "eth0"}, "b": {"node": "sw"}})
    for i in range(hosts):
        j = (i + 1) % hosts
        script.append({"at": 0.001 * i / hosts, "node": f"h{i}",
                       "command": f"ping -i 0.01 -c 100000 10.0.{j // 200}.{j % 200 + 1}"})
    return {"version": 1, "nodes": nodes, "links": links, "script": script}


class BareLoop:
    """The smallest kernel the devices can run on: a heap of tuples and a counter."""

    def __init__(self, seed: int = 0):
        self.now = 0
        self.rng = random.Random(seed)
        self.heap: list = []
        self.seq = itertools.count()
        self.events_run = 0
        self.finished = False

    def schedule(self, delay_ns, fn, *args):
        heapq.heappush(self.heap, (self.now + delay_ns, 1, next(self.seq), fn, args))

    def at(self, t_ns, fn, *args, priority=1):
        heapq.heappush(self.heap, (t_ns, priority, next(self.seq), fn, args))

    def run_until(self, t_ns):
        heap, pop, n = self.heap, heapq.heappop, 0
        while heap and heap[0][0] <= t_ns:
            t, _p, _s, fn, args = pop(heap)
            self.now = t
            n += 1
            fn(*args)
        self.events_run += n
        self.now = t_ns


class SimpyKernel:
    """The same interface over a SimPy environment, in SimPy's fastest style: each callback hangs
    on a ``Timeout`` (no generator processes)."""

    def __init__(self, seed: int = 0):
        import simpy

        self.env = simpy.Environment()
        self.rng = random.Random(seed)
        self.events_run = 0
        self.finished = False

    @property
    def now(self):
        return self.env.now

    def _wrap(self, fn, args):
        def callback(_event):
            self.events_run += 1
            fn(*args)
        return callback

    def schedule(self, delay_ns, fn, *args):
        self.env.timeout(delay_ns).callbacks.append(self._wrap(fn, args))

    def at(self, t_ns, fn, *args, priority=1):
        self.schedule(t_ns - self.env.now, fn, *args)

    def run_until(self, t_ns):
        self.env.run(until=t_ns + 1)


class SimpyProcessKernel(SimpyKernel):
    """SimPy as its tutorials write it: every delayed action is a process that yields a timeout."""

    def _proc(self, delay_ns, fn, args):
        yield self.env.timeout(delay_ns)
        self.events_run += 1
        fn(*args)

    def schedule(self, delay_ns, fn, *args):
        self.env.process(self._proc(delay_ns, fn, args))


def build(kernel, doc) -> Network:
    net = Network(doc, seed=0, trace=None, engine=kernel)
    for item in doc["script"]:
        net.command(item["node"], item["command"], at=item["at"])
    return net


def run_once(make_kernel, doc) -> tuple[float, int]:
    net = build(make_kernel(), doc)
    gc.collect()
    start = time.process_time()
    net.engine.run_until(int(SIM_SECONDS * S))
    elapsed = time.process_time() - start
    return elapsed, net.engine.events_run


def compare(kernels: dict, doc: dict) -> dict:
    """Best-of-ROUNDS events/s per kernel, rounds interleaved so machine load hits all alike."""
    best: dict = {}
    events: dict = {}
    for _ in range(ROUNDS):
        for name, make in kernels.items():
            elapsed, n = run_once(make, doc)
            events[name] = n
            best[name] = min(best.get(name, elapsed), elapsed)
    counts = set(events.values())
    assert len(counts) == 1, events  # every kernel ran exactly the same events
    return {name: events[name] / best[name] for name in kernels} | {"events": counts.pop()}


def bare_dispatch(n: int) -> float:
    heap, seq = [], itertools.count()

    def noop():
        pass

    for i in range(n):
        heapq.heappush(heap, (i, 1, next(seq), noop, ()))
    start = time.process_time()
    while heap:
        _t, _p, _s, fn, args = heapq.heappop(heap)
        fn(*args)
    return n / (time.process_time() - start)


def memory_per_idle_node(hosts: int = 1000) -> float:
    doc = normalized({"version": 1, "nodes": [{"id": "sw", "kind": "lan_switch"}] + [
        {"id": f"h{i}", "kind": "outside_host", "nics": [{"name": "eth0", "ip": f"10.{i // 250}.{i % 250}.1/24"}]}
        for i in range(hosts)], "links": [
        {"id": f"l{i}", "a": {"node": f"h{i}", "nic": "eth0"}, "b": {"node": "sw"}} for i in range(hosts)]})
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    net = Network(doc, seed=0, trace=None)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(net.nodes) == hosts + 1
    return (after - before) / hosts


def traced_and_fork(doc: dict) -> tuple[float, float]:
    """Events/s of a fully traced run (what the web app streams), and the cost of one fork."""
    import os

    from simcore.trace import JsonLinesSink

    best = None
    with open(os.devnull, "w") as sink_file:
        for _ in range(2):
            net = Network(doc, seed=0, trace=JsonLinesSink(sink_file))
            for item in doc["script"]:
                net.command(item["node"], item["command"], at=item["at"])
            start = time.process_time()
            net.run_until(SIM_SECONDS / 2)
            elapsed = time.process_time() - start
            rate = net.engine.events_run / elapsed
            best = rate if best is None else max(best, rate)
    net = build(None, doc)
    net.engine.run_until(S)
    start = time.process_time()
    net.fork()
    return best, (time.process_time() - start) * 1000


def chain_doc(switches: int = 4, per_switch: int = 10) -> dict:
    """A second shape: switches in a chain, each host pinging the host one switch further on."""
    doc = workload_doc(switches * per_switch)
    doc["nodes"][0] = {"id": "sw0", "kind": "lan_switch"}
    doc["nodes"][1:1] = [{"id": f"sw{k}", "kind": "lan_switch"} for k in range(1, switches)]
    for i, link in enumerate(doc["links"]):
        link["b"]["node"] = f"sw{i // per_switch}"
    doc["links"] += [{"id": f"t{k}", "a": {"node": f"sw{k}"}, "b": {"node": f"sw{k + 1}"}} for k in range(switches - 1)]
    n = switches * per_switch
    for i, item in enumerate(doc["script"]):
        j = (i + per_switch) % n
        item["command"] = f"ping -i 0.01 -c 100000 10.0.{j // 200}.{j % 200 + 1}"
    return doc


def main() -> None:
    from simcore.engine import Engine

    kernels = {"engine": lambda: Engine(0), "heapq": lambda: BareLoop(0), "simpy": lambda: SimpyKernel(0),
               "simpy_proc": lambda: SimpyProcessKernel(0)}
    print(f"What is measured: events/s = callbacks run / CPU seconds of this process (time.process_time: the machine is shared), untraced, {SIM_SECONDS:g} simulated s, "
          f"best of {ROUNDS} interleaved rounds.")
    print("An event is one callback from the heap (a frame reaching a port, a ping send, a timer) with the")
    print("device work it triggers; every kernel runs the same devices and the same events.")
    shapes = [("one switch", normalized(workload_doc())), ("4 switches in a chain", normalized(chain_doc()))]
    results = []
    for label, doc in shapes:
        r = compare(kernels, doc)
        results.append(r)
        print(f"\nworkload: {HOSTS} hosts, {label}, each pinging another every 10 ms; {r['events']} events per run")
        print(f"  engine events/s (simcore Engine):                  {r['engine']:12,.0f}")
        print(f"  bare heapq events/s (same devices, minimal loop):  {r['heapq']:12,.0f}")
        print(f"  simpy events/s (callbacks on Timeouts, fastest):   {r['simpy']:12,.0f}")
        print(f"  simpy events/s (a process per delayed action):     {r['simpy_proc']:12,.0f}")
        print(f"  engine/heapq {r['engine'] / r['heapq']:.2f} (target >= 0.7); engine/simpy {r['engine'] / r['simpy']:.2f} "
              f"(callback style), {r['engine'] / r['simpy_proc']:.2f} (process style) (target >= 1.5)")
    traced_rate, fork_ms = traced_and_fork(shapes[0][1])
    print(f"\ntraced engine events/s (JsonLinesSink to /dev/null, with layers and frame hex): {traced_rate:12,.0f}")
    print(f"fork (checkpoint) of the {HOSTS}-host run at 1 s: {fork_ms:.1f} ms")
    print(f"\nbare dispatch events/s (heapq, empty callbacks, no devices): {bare_dispatch(results[0]['events']):12,.0f}")
    print(f"memory per idle node: {memory_per_idle_node() / 1024:.1f} KiB "
          "(tracemalloc growth building 1000 idle hosts: host + NIC + stack + console + switch port + link)")
    r = results[0]
    print(f"ratio: {r['engine'] / r['heapq']:.2f} (engine events/s vs bare heapq loop)")


if __name__ == "__main__":
    main()
