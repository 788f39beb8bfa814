"""Speed of the design layer on a design at the schema's limits (run by hand, never by pytest).

    .venv/bin/python tests/simcore/design/bench_design.py

10,000 nodes (a host, 100 vswitches chained by trunk links, 9,899 VMs with one NIC each) and
9,998 links. Prints the best of three runs of each step, in milliseconds.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from simcore.design import check, normalized, strictjson, validate  # noqa: E402
from simcore.design.schema_dispatch import _CACHE  # noqa: E402


def big_design(switches: int = 100, vms: int = 9_899) -> dict:
    nodes = [{"id": "hv", "kind": "host", "os": "linux", "ram_mb": 1 << 20, "cpu_cores": 1024}]
    nodes += [{"id": f"sw{s}", "kind": "vswitch", "host": "hv"} for s in range(switches)]
    links = []
    for i in range(vms):
        s = i % switches
        ip = f"10.{s}.{i // switches // 250}.{i // switches % 250 + 1}/16"
        nodes.append(
            {
                "id": f"vm{i}",
                "kind": "vm",
                "host": "hv",
                "vcpus": 1,
                "ram_mb": 64,
                "nics": [{"name": "eth0", "ip": ip}],
            }
        )
        links.append({"id": f"l{i}", "a": {"node": f"vm{i}", "nic": "eth0"}, "b": {"node": f"sw{s}"}})
    links += [
        {"id": f"t{s}", "a": {"node": f"sw{s}"}, "b": {"node": f"sw{s + 1}"}} for s in range(switches - 1)
    ]
    return {"version": 1, "nodes": nodes, "links": links}


def best_ms(step, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    doc = big_design()
    text = json.dumps(doc)
    print(f"{len(doc['nodes'])} nodes, {len(doc['links'])} links, {len(text) / 1e6:.1f} MB of JSON")
    for name, step in [
        ("json.loads (for scale)", lambda: json.loads(text)),
        ("strictjson.loads", lambda: strictjson.loads(text)),
        ("validate (cold)", lambda: (_CACHE.clear(), validate(doc))),
        ("validate (item cache)", lambda: validate(doc)),
        ("check", lambda: check(doc)),
        ("normalized", lambda: normalized(doc)),
    ]:
        print(f"{name:24} {best_ms(step):8.0f} ms")


if __name__ == "__main__":
    main()
