"""What a machine is made of: ``df``, ``free``, ``nproc``, ``lsblk``, ``uname``, ``hostname``.

Formats are the tools' own: coreutils 9.4 (``df``, ``nproc``, ``uname``), procps-ng 4.0.4
(``free``), util-linux 2.39 (``lsblk``). They read ``console.node.guest`` (duck-typed, see
``files.py``): the VM's hardware as it is now, so a change of RAM, vCPUs, disks or DVD shows here.
"""

from __future__ import annotations

from simcore.apps.console.files import guest_fs, split_flags
from simcore.apps.console.lsformat import human, shell_quote
from simcore.apps.console.shell import Console, command

MIB = 1024 * 1024


def _guest(console: Console, name: str):
    return console.node.guest if guest_fs(console, name) is not None else None


# -- df ---------------------------------------------------------------------------------------
# coreutils df's columns: header, minimum width, alignment (the last column is never padded).
_DF_COLUMNS = (("Filesystem", 14, "<"), ("Type", 4, "<"), ("1K-blocks", 5, ">"), ("Used", 5, ">"),
               ("Available", 5, ">"), ("Use%", 4, ">"), ("Mounted on", 0, "<"))


@command("df", "report filesystem disk space usage (df [-h] [-T] [PATH...])")
def df_command(console: Console, argv: list[str]) -> int:
    guest = _guest(console, "df")
    parsed = guest and split_flags(console, argv, "hTk")
    if not parsed:
        return 1 if guest else 127
    flags, operands = parsed
    fs, status = guest.fs, 0
    mounts = list(fs.mounts)
    if operands:
        chosen = []
        for path in operands:
            if not fs.exists(path):
                console.print(f"df: {shell_quote(path)}: No such file or directory")
                status = 1
                continue
            chosen.append(_mount_of(fs, fs.abspath(path)))
        mounts = [m for m in mounts if m in chosen]
        if not mounts:
            return status
    h = "h" in flags
    header = ["Filesystem", "Type", "Size" if h else "1K-blocks", "Used", "Avail" if h else "Available", "Use%",
              "Mounted on"]
    rows = [header]
    for m in mounts:
        vol = m.volume
        size, used = vol.capacity, vol.used
        avail = size - used
        pct = f"{-(-used * 100 // (used + avail))}%" if used + avail else "-"
        cells = ([human(size), human(used) if used else "0", human(avail) if avail else "0"] if h else
                 [str(size // 1024), str(-(-used // 1024)), str(size // 1024 - -(-used // 1024))])
        rows.append([guest.device_of(vol), vol.fstype, *cells, pct, m.point])
    keep = [i for i in range(7) if i != 1 or "T" in flags]
    widths = {i: max(_DF_COLUMNS[i][1], *(len(r[i]) for r in rows)) for i in keep}
    for r in rows:
        cells = [f"{r[i]:{_DF_COLUMNS[i][2]}{widths[i]}}" if i != 6 else r[i] for i in keep]
        console.print(" ".join(cells))
    return status


def _mount_of(fs, path: str):
    best = None
    for m in fs.mounts:
        if (path == m.point or m.point == "/" or path.startswith(m.point + "/")) and (
                best is None or len(m.point) > len(best.point)):
            best = m
    return best


# -- free -------------------------------------------------------------------------------------
@command("free", "show the memory (free [-m|-g|-h|-k|-b])")
def free_command(console: Console, argv: list[str]) -> int:
    guest = _guest(console, "free")
    parsed = guest and split_flags(console, argv, "mghkbwt")
    if not parsed:
        return 1 if guest else 127
    flags, _ = parsed
    mem = guest.memory()  # MiB

    def cell(mib: int) -> str:
        if "h" in flags:
            return _free_human(mib * MIB)
        if "m" in flags:
            return str(mib)
        if "g" in flags:
            return str(mib // 1024)
        if "b" in flags:
            return str(mib * MIB)
        return str(mib * 1024)

    console.print("               total        used        free      shared  buff/cache   available")
    values = [mem[k] for k in ("total", "used", "free", "shared", "buff/cache", "available")]
    console.print(f"{'Mem:':<8}" + "".join(f"{cell(v):>12}" for v in values))
    console.print(f"{'Swap:':<8}" + "".join(f"{cell(0):>12}" for _ in range(3)))
    return 0


def _free_human(n: int) -> str:
    """procps' -h: Ki/Mi/Gi, one decimal under 10, ``0B`` for nothing."""
    if n < 1024:
        return f"{n}B"
    units, e = ("Ki", "Mi", "Gi", "Ti"), 1
    while n >= 1024 ** (e + 1) and e < len(units):
        e += 1
    tenths = (n * 10 + 1024 ** e // 2) // 1024 ** e
    if tenths < 100:
        return f"{tenths // 10}.{tenths % 10}{units[e - 1]}"
    return f"{(n + 1024 ** e // 2) // 1024 ** e}{units[e - 1]}"


# -- nproc, uname, hostname -------------------------------------------------------------------
@command("nproc", "print the number of processing units")
def nproc_command(console: Console, argv: list[str]) -> int:
    guest = _guest(console, "nproc")
    if guest is None:
        return 127
    console.print(str(guest.vcpus))
    return 0


@command("uname", "print system information (uname [-a|-s|-n|-r|-v|-m|-o])")
def uname_command(console: Console, argv: list[str]) -> int:
    guest = _guest(console, "uname")
    parsed = guest and split_flags(console, argv, "asnrvmpio")
    if not parsed:
        return 1 if guest else 127
    flags, _ = parsed
    image = guest.image
    tail = image.uname_tail.split()
    fields = {"s": "Linux", "n": guest.hostname, "r": image.kernel, "v": image.kernel_version, "m": tail[0],
              "o": tail[-1]}
    if "a" in flags:
        console.print(f"Linux {guest.hostname} {image.kernel} {image.kernel_version} {image.uname_tail}")
        return 0
    order = [k for k in "snrvmo" if k in flags] or ["s"]
    console.print(" ".join(fields[k] for k in order))
    return 0


@command("hostname", "show or (as root) set the machine's name")
def hostname_command(console: Console, argv: list[str]) -> int:
    guest = _guest(console, "hostname")
    if guest is None:
        return 127
    if len(argv) > 1:
        if guest.fs.user != "root":
            console.print("hostname: you must be root to change the host name")
            return 1
        guest.hostname = argv[1]
        return 0
    console.print(guest.hostname)
    return 0


# -- lsblk ------------------------------------------------------------------------------------
def lsblk_size(n: int) -> str:
    """util-linux's size_to_human_string: powers of 1024, one decimal rounded half up (25G, 1024M)."""
    exp = 0
    for shift in range(10, 70, 10):
        if n < 1 << shift:
            exp = shift - 10
            break
    else:
        exp = 60
    letter = "BKMGTPE"[exp // 10]
    whole, frac = (n >> exp, n % (1 << exp)) if exp else (n, 0)
    if frac:
        frac = ((frac * 1000 // (1 << exp)) + 50) // 100 * 10
        if frac == 100:
            whole, frac = whole + 1, 0
    return f"{whole}.{frac // 10}{letter}" if frac else f"{whole}{letter}"


@command("lsblk", "list block devices")
def lsblk_command(console: Console, argv: list[str]) -> int:
    guest = _guest(console, "lsblk")
    if guest is None:
        return 127
    mounted = {id(m.volume): m.point for m in guest.fs.mounts}
    rows = [["NAME", "MAJ:MIN", "RM", "SIZE", "RO", "TYPE", "MOUNTPOINTS"]]
    for dev in guest.block_devices():
        for prefix, d in [("", dev)] + [("└─" if i == len(dev.children) - 1 else "├─", c)
                                         for i, c in enumerate(dev.children)]:
            point = mounted.get(id(d.volume), "") if d.volume is not None else ""
            rows.append([prefix + d.name, f"{d.major:>3}:{d.minor:<3}", "1" if d.removable else "0",
                         lsblk_size(d.size), "0", d.type, point])
    w = [max(len(r[i]) for r in rows) for i in range(6)]
    align = "<>>>><"
    for r in rows:
        console.print(" ".join(f"{r[i]:{align[i]}{w[i]}}" for i in range(6)) + " " + r[6])
    return 0
