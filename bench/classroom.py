"""Classroom load: a teacher and 30 students, each student running their own copy of the NAT
lesson at 1x while every one of them also watches the teacher's run, on this one machine.

What it does, per setup (the same steps for both):

- prepares the database through the project's own actions: a teacher and N student accounts,
  each with their own copy of the lesson's design (made as `lessons/views.lesson_open` makes it),
  the teacher's copy shared by a viewer link that every student has opened
  (`do_open_share_link`: the link in the session and a membership), and a signed-in session each;
- opens per student two sockets, `/ws/designs/<own copy>/` and `/ws/designs/<teacher's copy>/`,
  and one for the teacher; every socket acknowledges what it receives (`events.ack`), as the
  browser does;
- the teacher starts their run (speed 1), then every student starts their own, all at once (or
  spread over `--stagger` seconds), and the runs go on for `--seconds` of wall time.

Figures: p50/p99 event latency (per `run.events` batch, receive time minus the `sent` wall time
the run's worker stamped on it, every batch of every socket, none left out as warm-up; shown
apart too: the batches sent after the start burst, BURST_S after the last student's Play), events
lost (every socket was open before its run started, so it should see every seq from 1 to the last
it got), the sockets the server closed and the errors it sent, and the memory of each run's
worker process (peak VmRSS over the run from /proc/<pid>/status; PSS and the private pages, USS,
from smaps_rollup: RSS counts in full the pages a worker shares with the fork server it came from,
USS is what one more run adds to the machine).

Setups: one Daphne, a temporary SQLite file, the in-memory channel layer; then two Daphnes, each on
its own port (as tests/scaleout/ starts them; the sockets spread over both, so the teacher's run,
hosted by one, is watched from both; every run's events go through the Redis channel layer), on a
fresh PostgreSQL database (127.0.0.1:5432, user postgres, dropped after)
and Redis db 9 (127.0.0.1:6379, flushed before and after): skipped, with the reason, when either
does not answer. Goals: p99 < 250 ms, <= 40 MB per student run, 0 events lost.

    .venv/bin/python bench/classroom.py [--students 30] [--seconds 30] [--stagger 0] [--only sqlite|cluster]

Last line: `ratio: <250 ms / p99>` of the first setup (SQLite + in-memory), >= 1 meets the goal.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from liveserver import (
    Stats,
    cluster_unavailable,
    free_port,
    fresh_cluster_env,
    served_env,
    shell_json,
    start_daphne,
    stop_process,
    viewer,
    wait_port,
)

LESSON = "nat-connection"
SPEED = 1.0
GOAL_P99_MS = 250.0
GOAL_MB = 40.0
BURST_S = 2.0  # batches sent this long after the last Play count as the start burst
REDIS_URL = "redis://127.0.0.1:6379/9"  # not used by the tests (fanout.py uses 7)
PROCESSES = 2  # Daphnes of the second setup


def prepare(env: dict, students: int) -> dict:
    script = f"""
from designer.access import Actor
from designer.actions import do_create_design, do_create_share_link, do_open_share_link
from simcore.lessons import pack
lesson = pack.shipped().lessons[{LESSON!r}]
name = f"Lesson: {{lesson['title']}}"[:200]

def lesson_copy(user):  # as designer.lessons.views.lesson_open
    return do_create_design(user, name=name, description=lesson["design"].get("description", "")[:2000],
                            document=dict(lesson["design"], name=name))

User = get_user_model()
teacher = User.objects.create_user(username="teacher", password=None)
taught = lesson_copy(teacher)
link = do_create_share_link(Actor.for_user(teacher), taught, role="viewer")
students = []
for i in range({students}):
    user = User.objects.create_user(username=f"student{{i + 1}}", password=None)
    own = lesson_copy(user)
    session = signed_in_session(user)
    do_open_share_link(Actor.for_user(user), session, link.token)  # the student opens the teacher's link
    session.save()
    students.append({{"design": own.pk, "session": session.session_key}})
print(json.dumps({{"teacher": {{"design": taught.pk, "session": signed_in_session(teacher).session_key}},
                  "students": students}}))
"""
    return shell_json(env, script)


# ------------------------------------------------------------------ run workers' memory (/proc)


def _parents() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    return parents


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def run_workers(roots: list[int]) -> tuple[list[int], list[int]]:
    """The run workers under the processes `roots` (the Daphnes): the children of a
    multiprocessing fork server (localrun._worker_context), which carry its command line; and the
    fork servers."""
    parents = _parents()
    below, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        kids = [p for p, parent in parents.items() if parent == pid]
        below.update(kids)
        todo += kids
    forked = {p for p in below if b"multiprocessing.forkserver" in _cmdline(p)}  # servers and workers
    forkservers = {p for p in forked if parents.get(p) not in forked}
    return sorted(p for p in below if parents.get(p) in forkservers), sorted(forkservers)


HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / HZ
    except (OSError, ValueError, IndexError):
        return 0.0


def schedstat(pid: int) -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for one) of a process's main thread so far
    (/proc/<pid>/schedstat; the Daphne's event loop runs there)."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            on_cpu, waiting = f.read().split()[:2]
        return int(on_cpu) / 1e9, int(waiting) / 1e9
    except (OSError, ValueError):
        return 0.0, 0.0


def machine_busy_seconds() -> float:
    """CPU time every core of the machine spent busy so far (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / HZ


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Memory:
    """Peak VmRSS and PSS (kB) of every run worker seen under a root process."""

    def __init__(self, roots: list[int]):
        self.roots = roots
        self.rss: dict[int, int] = {}
        self.pss: dict[int, int] = {}
        self.uss: dict[int, int] = {}  # private pages: what the run adds to the machine
        self.forkservers: dict[int, int] = {}  # their VmRSS
        self.cpu: dict[int, float] = {}  # CPU seconds of each worker, at its last sample

    def sample(self) -> list[int]:
        workers, forkservers = run_workers(self.roots)
        for pid in forkservers:
            self.forkservers[pid] = _kb(f"/proc/{pid}/status", "VmRSS:")
        for pid in workers:
            rss = _kb(f"/proc/{pid}/status", "VmRSS:")
            rollup = f"/proc/{pid}/smaps_rollup"
            pss = _kb(rollup, "Pss:")
            uss = _kb(rollup, "Private_Clean:") + _kb(rollup, "Private_Dirty:")
            self.rss[pid] = max(self.rss.get(pid, 0), rss)
            self.pss[pid] = max(self.pss.get(pid, 0), pss)
            self.uss[pid] = max(self.uss.get(pid, 0), uss)
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu_seconds(pid))
        return workers

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.to_thread(self.sample)  # /proc reads off the loop that stamps the receipts
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                pass


# ------------------------------------------------------------------ one setup


@dataclass
class Class:
    """What one setup saw."""

    students: int
    own: Stats = field(default_factory=Stats)  # the students' sockets on their own runs
    watching: Stats = field(default_factory=Stats)  # the students' sockets on the teacher's run
    teacher: Stats = field(default_factory=Stats)  # the teacher's socket on their run
    memory: Memory | None = None
    teacher_pid: int | None = None
    sockets: int = 0
    workers_at_end: int = 0
    load: tuple[float, float] = (0.0, 0.0)  # 1-min load average when the students started, at the end
    steady_after: float = 0.0  # wall time: BURST_S after the last student pressed Play
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds while the students' runs went
    # The Daphnes' event-loop threads: (on a CPU, waiting for one), seconds, in the start burst and after
    loop_sched: dict[str, tuple[float, float]] = field(default_factory=dict)
    logs: list[Path] = field(default_factory=list)

    def everyone(self) -> Stats:
        return self.own.merged(self.watching, self.teacher)


async def classroom(name: str, env: dict, processes: int, students: int, seconds: float, stagger: float) -> dict:
    """`processes` Daphnes, each on its own port; student i's own socket goes to process i % n and
    the one on the teacher's run to the next (as a load balancer would spread them), the
    teacher's to process 0. A run is hosted by the process of the socket that started it."""
    with tempfile.TemporaryDirectory(prefix="classroom-log-") as logdir:
        return await _classroom(name, env, processes, students, seconds, stagger, Path(logdir))


async def _classroom(name: str, env: dict, processes: int, students: int, seconds: float, stagger: float,
                     logdir: Path) -> dict:
    ports = [free_port() for _ in range(processes)]
    origins = [f"http://127.0.0.1:{port}" for port in ports]
    env = served_env(env, ports)
    t0 = time.monotonic()
    world = prepare(env, students)
    print(f"{name}: {students} students and the teacher prepared in {time.monotonic() - t0:.1f} s")
    seen = Class(students, logs=[logdir / f"daphne-{i}.log" for i in range(processes)])
    servers = [start_daphne({**env, "PORT": str(port), "DESIGNER_PROCESS": str(i)}, port, seen.logs[i])
               for i, port in enumerate(ports)]
    stop = asyncio.Event()
    tasks: list[asyncio.Task] = []
    try:
        for port in ports:
            await wait_port(port, timeout=90.0)
        starters: dict[object, object] = {}  # "teacher" or a student's number -> the socket that starts the run
        warm = [time.time()]  # every batch counts

        def open_socket(process: int, design: int, session: str, stats: Stats, starts=None) -> None:
            url = f"ws://127.0.0.1:{ports[process % processes]}/ws/designs/{design}/"
            keep = None if starts is None else (lambda proto: starters.__setitem__(starts, proto))
            tasks.append(asyncio.create_task(viewer(url, session, origins[process % processes], stats, stop, warm,
                                                    on_open=keep, from_start=True)))

        taught = world["teacher"]["design"]
        open_socket(0, taught, world["teacher"]["session"], seen.teacher, "teacher")
        for i, s in enumerate(world["students"]):
            open_socket(i, s["design"], s["session"], seen.own, i)
            open_socket(i + 1, taught, s["session"], seen.watching)
        seen.sockets = len(tasks)
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline:
            everyone = seen.everyone()
            if everyone.opened + len(everyone.closes) >= seen.sockets:
                break
            await asyncio.sleep(0.1)
        seen.memory = memory = Memory([server.pid for server in servers])

        def start(key) -> None:
            proto = starters.get(key)
            if proto is not None:
                proto.sendMessage(json.dumps({"type": "run.start", "speed": SPEED}).encode())

        start("teacher")  # first, alone: its worker is the first one there
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline and not memory.sample() and not seen.teacher.closes:
            await asyncio.sleep(0.1)
        seen.teacher_pid = (memory.sample() or [None])[0]
        load_before = os.getloadavg()[0]
        cpu_before = (time.monotonic(), machine_busy_seconds(), sum(cpu_seconds(s.pid) for s in servers),
                      sum(memory.cpu.values()))

        def sched() -> tuple[float, float]:
            each = [schedstat(s.pid) for s in servers]
            return sum(e[0] for e in each), sum(e[1] for e in each)

        sched_marks = [sched()]
        for i in range(students):
            start(i)
            if stagger:
                await asyncio.sleep(stagger / students)
        seen.steady_after = time.time() + BURST_S
        watch = asyncio.create_task(memory.watch(stop))
        await asyncio.sleep(BURST_S)
        sched_marks.append(sched())
        await asyncio.sleep(seconds - BURST_S)
        sched_marks.append(sched())
        seen.loop_sched = {
            "burst": tuple(b - a for a, b in zip(sched_marks[0], sched_marks[1], strict=True)),
            "after": tuple(b - a for a, b in zip(sched_marks[1], sched_marks[2], strict=True))}
        seen.workers_at_end = len(memory.sample())
        seen.cpu = {"wall": time.monotonic() - cpu_before[0], "machine": machine_busy_seconds() - cpu_before[1],
                    "daphne": sum(cpu_seconds(s.pid) for s in servers) - cpu_before[2],
                    "workers": sum(memory.cpu.values()) - cpu_before[3]}
        seen.load = (load_before, os.getloadavg()[0])
        stop.set()
        await asyncio.gather(*tasks, watch)
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        for server in servers:
            stop_process(server)
    return report(name, seen)


def report(name: str, seen: Class) -> dict:
    everyone = seen.everyone()
    lost, total = everyone.lost()
    p50, p99 = everyone.percentile(0.5), everyone.percentile(0.99)
    memory = seen.memory
    student_pids = [p for p in memory.rss if p != seen.teacher_pid] if memory else []
    mb = 1024 / 1e6  # kB (KiB, as /proc counts) to MB
    print(f"  sockets {everyone.opened} of {seen.sockets} opened; runs started (acknowledged) {everyone.acks} of "
          f"{seen.students + 1}; run workers seen {len(memory.rss) if memory else 0}, alive at the end "
          f"{seen.workers_at_end}")
    print(f"  load average (1 min) {seen.load[0]:.1f} when the students started, {seen.load[1]:.1f} at the end")
    if seen.cpu:
        c = seen.cpu
        print(f"  CPU while the students' runs went ({c['wall']:.1f} s, {os.cpu_count()} cores): the whole machine "
              f"{c['machine']:.1f} s busy, of it Daphne {c['daphne']:.1f} s, the run workers {c['workers']:.1f} s, "
              f"everything else (this client, other work) {c['machine'] - c['daphne'] - c['workers']:.1f} s")
    if seen.loop_sched:
        (on_b, wait_b), (on_a, wait_a) = seen.loop_sched["burst"], seen.loop_sched["after"]
        print(f"  the Daphne event-loop thread(s): in the start burst (from the first student's Play to {BURST_S:g} s after the last) "
              f"{on_b * 1000:.0f} ms on a CPU, {wait_b * 1000:.0f} ms runnable but waiting for one; after it "
              f"{on_a * 1000:.0f} ms on a CPU, {wait_a * 1000:.0f} ms waiting")
    for label, s in (("every socket", everyone), ("students' own runs", seen.own),
                     ("students on the teacher's", seen.watching), ("teacher on own run", seen.teacher)):
        s_lost, s_total = s.lost()
        print(f"  {label:<26} p50 {s.percentile(0.5):7.1f} ms   p99 {s.percentile(0.99):7.1f} ms   "
              f"batches {len(s.latencies):6}   lost {s_lost} of {s_total}")
    steady = sum(1 for sent in everyone.sent if sent >= seen.steady_after)
    print(f"  {'after the start burst':<26} p50 {everyone.percentile(0.5, seen.steady_after):7.1f} ms   p99 "
          f"{everyone.percentile(0.99, seen.steady_after):7.1f} ms   batches {steady:6}   (sent >= {BURST_S:g} s after "
          f"the last student pressed Play)")
    if student_pids:
        rss = [memory.rss[p] * mb for p in student_pids]
        pss = [memory.pss[p] * mb for p in student_pids]
        uss = [memory.uss[p] * mb for p in student_pids]
        workers = f"{len(rss)} runs" if len(rss) == seen.students else (
            f"{len(rss)} workers for {seen.students} runs: a run taken over by another process gets a new one")
        print(f"  memory per student run (peak VmRSS of its worker, {workers}): median "
              f"{statistics.median(rss):.1f} MB, max {max(rss):.1f} MB (goal <= {GOAL_MB:g} MB); PSS median "
              f"{statistics.median(pss):.1f} MB, max {max(pss):.1f} MB; private (USS) median "
              f"{statistics.median(uss):.1f} MB, max {max(uss):.1f} MB")
    if memory and seen.teacher_pid in memory.rss:
        print(f"  teacher's run: peak VmRSS {memory.rss[seen.teacher_pid] * mb:.1f} MB, "
              f"PSS {memory.pss[seen.teacher_pid] * mb:.1f} MB; the fork server(s) the workers come from: VmRSS "
              + ", ".join(f"{kb * mb:.1f} MB" for kb in memory.forkservers.values()))
    closes = everyone.closes
    print(f"  sockets closed by the server: {len(closes)}" + (f" ({', '.join(sorted(set(closes)))})" if closes else ""))
    if everyone.errors:
        print(f"  errors sent by the server: {len(everyone.errors)}, first: {everyone.errors[0]}")
    log = [line for path in seen.logs for line in path.read_text(errors="replace").splitlines() if line.strip()]
    print(f"  server log (warnings and errors): {len(log)} lines")
    kinds = collections.Counter(re.sub(r"\b[0-9a-f]{8,}\b|\d+", "#", line)[:160] for line in log)
    for kind, count in kinds.most_common(6):
        print(f"    {count:4} x {kind}")
    print(f"  {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal < {GOAL_P99_MS:g} ms), events lost {lost} of {total}")
    return {"p50": p50, "p99": p99, "lost": lost, "total": total}


# ------------------------------------------------------------------ the two setups


async def sqlite_setup(students: int, seconds: float, stagger: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="classroom-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        env.pop("REDIS_URL", None)
        return await classroom("SQLite + in-memory layer, 1 Daphne", env, 1, students, seconds, stagger)


async def cluster_setup(students: int, seconds: float, stagger: float) -> dict:
    with fresh_cluster_env("classroom", REDIS_URL) as env:
        return await classroom(f"PostgreSQL + Redis, {PROCESSES} Daphnes", env, PROCESSES, students, seconds,
                               stagger)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30.0, help="wall time of the runs, per setup")
    parser.add_argument("--only", choices=("sqlite", "cluster"), help="one setup only")
    parser.add_argument("--stagger", type=float, default=0.0,
                        help="seconds over which the students press Play (default: all at once)")
    args = parser.parse_args()
    print(f"classroom: 1 teacher + {args.students} students, lesson {LESSON!r} at {SPEED:g}x, {args.seconds:g} s "
          f"per setup, the students press Play " + (f"over {args.stagger:g} s" if args.stagger else "at once") + ";"
          f" {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    first = None
    if args.only != "cluster":
        first = await sqlite_setup(args.students, args.seconds, args.stagger)
    if args.only != "sqlite":
        why = cluster_unavailable(REDIS_URL)
        if why:
            print(f"PostgreSQL + Redis, {PROCESSES} Daphnes: skipped: {why}")
        else:
            second = await cluster_setup(args.students, args.seconds, args.stagger)
            first = first or second
    if first is None:
        return
    setup = "SQLite + in-memory" if args.only != "cluster" else f"PostgreSQL + Redis, {PROCESSES} Daphnes"
    print(f"ratio: {GOAL_P99_MS / first['p99']:.2f} ({GOAL_P99_MS:g} ms goal / p99 event latency, {setup}, "
          f"{args.students} students at 1x)")


if __name__ == "__main__":
    asyncio.run(main())
