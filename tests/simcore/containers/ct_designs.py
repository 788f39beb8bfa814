"""Designs and helpers for the container tests (not tests).

``host_design``: a Linux host ``hv`` (192.168.1.10 on ``eth0``, Ubuntu 24.04) and an outside PC
``pc`` (192.168.1.20) on the switch ``sw``; ``windows=True`` makes ``hv`` a Windows host. Lines
are typed on hv's console one second apart from t = 1 s unless given with their instant.
"""

from simcore.network import Network

S = 1_000_000_000
MS = 1_000_000


def host_design(*, windows: bool = False, script=(), extra_nodes=(), captures=()) -> dict:
    hv = {"id": "hv", "kind": "host", "os": "windows" if windows else "linux", "cpu_cores": 4, "ram_mb": 16384,
          "nics": [{"name": "eth0", "mac": "02:00:00:00:00:10", "ip": "192.168.1.10/24"}]}
    return {
        "version": 1,
        "name": "containers",
        "nodes": [
            hv,
            {"id": "pc", "kind": "outside_host",
             "nics": [{"name": "eth0", "mac": "02:00:00:00:00:20", "ip": "192.168.1.20/24"}]},
            {"id": "sw", "kind": "lan_switch"},
            *extra_nodes,
        ],
        "links": [
            {"id": "l1", "a": {"node": "hv", "nic": "eth0"}, "b": {"node": "sw"}},
            {"id": "l2", "a": {"node": "pc", "nic": "eth0"}, "b": {"node": "sw"}},
        ],
        "captures": list(captures),
        "script": [{"at": at, "node": node, "command": line} for at, node, line in script],
    }


def run(lines, *, until=None, trace=None, windows=False, node="hv", **kw) -> Network:
    """Type ``lines`` on ``node`` (a str: one second apart from 1 s; a tuple: (at, node, line))."""
    script, t = [], 1.0
    for item in lines:
        if isinstance(item, tuple):
            script.append(item)
        else:
            script.append((t, node, item))
            t += 1.0
    net = Network.from_design(host_design(windows=windows, script=script, **kw), seed=0,
                              trace=[] if trace is None else trace)
    net.run_until(until if until is not None else max(at for at, _n, _l in script) + 1.0)
    return net


def out(net, node="hv", at=None) -> list[str]:
    """What ``node``'s console printed (in the second from ``at`` on, when given: the answer to the
    line typed at ``at``, lines being typed one second apart)."""
    return [text for t, n, text in net.console_lines()
            if n == node and (at is None or int(at * S) <= t < int(at * S) + S)]


def events(trace, prefix="container.") -> list[dict]:
    return [e for e in trace if e["kind"].startswith(prefix)]
