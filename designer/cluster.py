"""N Daphne processes behind ONE port: `python -m designer.cluster -n 3 -b 127.0.0.1 -p 8000`.

The supervisor binds the listening socket once and starts N `daphne --fd <fd>` children that
share it (the kernel hands each new connection to one of the processes waiting in accept). It
restarts nothing: a child that dies stays dead (its runs are taken over by the others, its viewers
reconnect to the others: docs/websocket-protocol.md, "Several server processes"); the supervisor
exits when every child has exited, and passes SIGINT/SIGTERM on to them.

Several processes only make sense with state they all share: it refuses to start without
`REDIS_URL` (channel layer, run leases, run state) and `DATABASE_URL` (not the SQLite file).
`make cluster N=3` runs it.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def refuse_reason(env: dict[str, str]) -> str | None:
    missing = [name for name in ("REDIS_URL", "DATABASE_URL") if not env.get(name)]
    if missing:
        return (f"designer.cluster: {' and '.join(missing)} not set. Several processes need a shared channel "
                "layer and run state (REDIS_URL=redis://host:6379/0) and a shared database "
                "(DATABASE_URL=postgres://user@host:5432/name); with neither, use `make run` (one process).")
    if env["DATABASE_URL"].startswith("sqlite"):
        return "designer.cluster: DATABASE_URL is SQLite; several processes need PostgreSQL."
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--processes", type=int, default=3)
    parser.add_argument("-b", "--bind", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=8000)
    parser.add_argument("--daphne", default=str(Path(sys.executable).with_name("daphne")))
    parser.add_argument("--app", default="config.asgi:application")
    args = parser.parse_args(argv)
    reason = refuse_reason(dict(os.environ))
    if reason:
        print(reason, file=sys.stderr)
        return 2
    if not 1 <= args.processes <= 64:
        print(f"designer.cluster: -n must be 1..64, not {args.processes}", file=sys.stderr)
        return 2

    family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.bind, args.port))
    listener.listen(1024)
    listener.set_inheritable(True)
    fd = listener.fileno()

    children: list[subprocess.Popen] = []
    for i in range(args.processes):
        env = {**os.environ, "DESIGNER_PROCESS": str(i)}
        children.append(subprocess.Popen([args.daphne, "--fd", str(fd), args.app], cwd=ROOT, env=env,
                                         pass_fds=(fd,)))
    listener.close()  # the children hold it now
    print(f"designer.cluster: {args.processes} Daphne processes on http://{args.bind}:{args.port}/ "
          f"(pids {' '.join(str(c.pid) for c in children)})", flush=True)

    def forward(signum, _frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while any(child.poll() is None for child in children):
        time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
