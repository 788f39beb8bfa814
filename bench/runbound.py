"""Stop latency of a run under a flood against an idle one (docs/limits.md, "Runs").

A real worker process (the fork server Daphne uses) runs examples/internal-switch.json; for the
flood, vm1's console runs ``ping -i 0 192.168.56.12`` and it plays for 3 s of wall time; then
``run.stop`` is sent and the time until its reply is measured (several rounds each). Also printed:
the worker's peak resident memory and the trace events it streamed under the flood.

Run: ``.venv/bin/python bench/runbound.py`` (about 30 s). Last line:
``ratio: <median stop latency under flood / idle>``.
"""

from __future__ import annotations

import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from designer.simulation import worker  # noqa: E402


def one(line: str | None, play_s: float = 3.0) -> tuple[float, float, int]:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["designer.simulation.forkboot", "designer.simulation.worker", "simcore.network"])
    parent, child = ctx.Pipe()
    doc = json.loads((ROOT / "examples" / "internal-switch.json").read_text())
    proc = ctx.Process(target=worker.main, daemon=True,
                       args=(child, {"run": "bench", "doc": doc, "seed": 0, "speed": 1.0, "max_events": 5_000_000}))
    proc.start()
    child.close()
    while parent.recv()["kind"] != "seeked":
        pass
    if line:
        parent.send({"op": "console.run", "id": 1, "node": "vm1", "line": line})
    peak, events, end = 0, 0, time.monotonic() + play_s
    while time.monotonic() < end:
        if parent.poll(0.05):
            msg = parent.recv()
            if msg["kind"] == "batch":
                events += len(msg["events"])
        peak = max(peak, worker.rss_bytes(proc.pid))
    sent = time.monotonic()
    parent.send({"op": "run.stop", "id": 2})
    while True:
        msg = parent.recv()
        if msg["kind"] == "reply" and msg["id"] == 2:
            break
    latency = time.monotonic() - sent
    proc.join(10)
    if proc.is_alive():
        proc.kill()
    return latency, peak / 1048576, events


def main() -> None:
    rounds = 3
    idle = [one(None, 1.0) for _ in range(rounds)]
    flood = [one("ping -i 0 192.168.56.12") for _ in range(rounds)]
    idle_ms = statistics.median(r[0] for r in idle) * 1000
    flood_ms = statistics.median(r[0] for r in flood) * 1000
    print(f"stop latency, idle run: median {idle_ms:.1f} ms over {rounds} runs "
          f"({', '.join(f'{r[0] * 1000:.1f}' for r in idle)})")
    print(f"stop latency under ping -i 0: median {flood_ms:.1f} ms over {rounds} runs "
          f"({', '.join(f'{r[0] * 1000:.1f}' for r in flood)})")
    print(f"worker peak resident memory under the flood: {max(r[1] for r in flood):.0f} MiB "
          f"(ceiling {worker.DEFAULT_MAX_MEMORY_MB} MiB); trace events streamed in 3 s: "
          f"{statistics.median(r[2] for r in flood):,.0f}")
    print(f"ratio: {flood_ms / idle_ms:.2f} (stop latency under ping -i 0 vs idle, medians)")


if __name__ == "__main__":
    main()
