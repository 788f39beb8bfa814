"""``ps``: the processes of a machine (procps-ng 4.0.4's formats: ``ps``, ``ps aux``, ``ps -ef``).

What runs where is the lesson: a VM or host runs systemd and its services; an LXD container
runs init and its own services (a whole system); a Docker container runs its one program (and
that program's children); the host sees every container's processes among its own (they are its
processes, in other namespaces) and each running VM as one process, ``VBoxHeadless``, holding the
VM's whole RAM.

A machine's list: ``node.guest.processes()`` when it has one (a container), else the system's
services; a host adds ``node.containers.host_processes()`` and its running VMs (duck-typed: the
console does not import ``simcore.virt``). Each row is (PID, user, RSS in KiB, command line);
the ``ps`` process itself is last, as the kernel lists it.
"""

from __future__ import annotations

from simcore.apps.console.shell import Console, command

SYSTEM = {  # what a booted server runs (Ubuntu, Debian, Alpine), with a plausible RSS in KiB
    "ubuntu-24.04": [("root", 12800, "/sbin/init"), ("root", 15360, "/usr/lib/systemd/systemd-journald"),
                     ("root", 7168, "/usr/lib/systemd/systemd-udevd"),
                     ("systemd-network", 8192, "/usr/lib/systemd/systemd-networkd"),
                     ("systemd-resolve", 12288, "/usr/lib/systemd/systemd-resolved"),
                     ("root", 2816, "/usr/sbin/cron -f -P"), ("syslog", 5120, "/usr/sbin/rsyslogd -n -iNONE"),
                     ("root", 8192, "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"),
                     ("root", 2048, "/sbin/agetty -o -p -- \\u --noclear - linux")],
    "debian-12": [("root", 10240, "/sbin/init"), ("root", 12288, "/lib/systemd/systemd-journald"),
                  ("root", 6144, "/lib/systemd/systemd-udevd"), ("root", 2560, "/usr/sbin/cron -f"),
                  ("root", 7680, "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"),
                  ("root", 1792, "/sbin/agetty -o -p -- \\u --noclear - linux")],
    "alpine-3.20": [("root", 1024, "/sbin/init"), ("root", 896, "/sbin/syslogd -t -n"),
                    ("root", 896, "/usr/sbin/crond -c /etc/crontabs -f"), ("root", 768, "/sbin/getty 38400 tty1")],
}


def processes(node) -> list[tuple[int, str, int, str]]:
    """(PID, user, RSS KiB, command) of everything running on ``node`` now, PID order."""
    guest = getattr(node, "guest", None)
    own = getattr(guest, "processes", None)
    if own is not None:
        return list(own())
    key = getattr(getattr(guest, "image", None), "key", "ubuntu-24.04")
    rows = []
    for i, (user, rss, cmd) in enumerate(SYSTEM.get(key, SYSTEM["ubuntu-24.04"])):
        rows.append((1 if i == 0 else 180 + 37 * i, user, rss, cmd))
    runtime = getattr(node, "containers", None)
    if runtime is not None:
        rows.extend(runtime.host_processes())
    for j, machine in enumerate(getattr(node, "machines", [])):
        if machine.state in ("Starting", "Running", "Paused", "Saving", "Restoring", "Stopping"):
            rss = machine.ram_mb * 1024 + 98_304  # the guest's whole RAM, plus VirtualBox's own
            rows.append((3100 + 10 * j, "student", rss, f"/usr/lib/virtualbox/VBoxHeadless --comment {machine.name} "
                                                         f"--startvm {machine.uuid} --vrde config"))
    return sorted(rows)


def _user(name: str) -> str:
    """procps shows a name longer than 8 as its first 7 characters and ``+``; an id as it is."""
    return name if len(name) <= 8 or name.isdigit() else name[:7] + "+"


def _mem(rss_kib: int, total_mib: int) -> str:
    return f"{rss_kib * 100 / (total_mib * 1024):.1f}" if total_mib else "0.0"


@command("ps", "report the running processes (ps, ps aux, ps -ef)")
def ps_command(console: Console, argv: list[str]) -> int:
    args = argv[1:]
    style = "plain"
    if args in (["aux"], ["-aux"], ["ax"], ["-e", "-f"], ["-ef"], ["-A"], ["-e"], ["axu"]):
        style = "bsd" if "u" in args[0] else "full" if "f" in "".join(args) else "list"
    elif args:
        console.print("error: unsupported option (BSD syntax)" if not args[0].startswith("-") else
                      "error: unsupported SysV option")
        console.print("")
        console.print("Usage:")
        console.print(" ps [options]")
        return 1
    rows = processes(console.node)
    guest = getattr(console.node, "guest", None)
    total = guest.memory()["total"] if guest is not None and hasattr(guest, "memory") else 0
    me = (max((r[0] for r in rows), default=1) + 7, "root" if guest is None else guest.fs.user, 4352,
          ("ps " + " ".join(args)).strip())
    if style == "plain":
        console.print("    PID TTY          TIME CMD")
        if getattr(guest, "processes", None) is None:
            console.print(f"{me[0] - 5:>7} pts/0    00:00:00 bash")
        console.print(f"{me[0]:>7} pts/0    00:00:00 ps")
        return 0
    rows = [*rows, me]
    if style == "bsd":
        console.print(f"{'USER':<8} {'PID':>7} {'%CPU':>4} {'%MEM':>4} {'VSZ':>6} {'RSS':>5} {'TTY':<8} {'STAT':<4} "
                      f"{'START':>5} {'TIME':>6} COMMAND")
        for pid, owner, rss, cmd in rows:
            tty, stat = ("pts/0", "R+") if pid == me[0] else ("?", "Ss" if pid == 1 else "S")
            console.print(f"{_user(owner):<8} {pid:>7} {'0.0':>4} {_mem(rss, total):>4} {rss * 2 + 4096:>6} {rss:>5} "
                          f"{tty:<8} {stat:<4} {'00:00':>5} {'0:00':>6} {cmd}")
    elif style == "full":
        console.print(f"{'UID':<8} {'PID':>7} {'PPID':>7}  C STIME TTY          TIME CMD")
        for pid, owner, _rss, cmd in rows:
            ppid = 0 if pid == 1 else 1
            tty = "pts/0" if pid == me[0] else "?"
            console.print(f"{_user(owner):<8} {pid:>7} {ppid:>7}  0 00:00 {tty:<8} 00:00:00 {cmd}")
    else:
        console.print("    PID TTY          TIME CMD")
        for pid, _owner, _rss, cmd in rows:
            tty = "pts/0" if pid == me[0] else "?"
            console.print(f"{pid:>7} {tty:<8} 00:00:00 {cmd.split()[0].rsplit('/', 1)[-1].rstrip(':')}")
    return 0
