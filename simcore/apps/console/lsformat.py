"""How coreutils 9.4 lays out what ``ls`` and ``df`` print (a terminal 80 columns wide, TZ=UTC,
``LC_COLLATE=C``): names in columns, ``ls -l`` lines, sizes for humans, shell quoting.

Pure functions of their arguments; the inodes they read are duck-typed (``kind``, ``mode``,
``owner``, ``group``, ``mtime``, ``entries``, ``target``): the console does not import the
filesystem's package.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

LINE_LENGTH = 80
HALF_YEAR_S = 31556952 // 2  # coreutils' "six months" (half a Gregorian year)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NEEDS_QUOTES = re.compile(r"[^A-Za-z0-9_@%+=:,./-]")


def shell_quote(name: str, always: bool = False) -> str:
    """coreutils' shell-escape quoting: ``'my file'``; plain names bare unless ``always``."""
    if not always and name and not _NEEDS_QUOTES.search(name) and not name.startswith("~"):
        return name
    if "'" in name and '"' not in name and "$" not in name and "`" not in name and "\\" not in name:
        return f'"{name}"'
    return "'" + name.replace("'", "'\\''") + "'"


def human(n: int) -> str:
    """``-h`` sizes: powers of 1024, rounded up, one decimal below 10 (4.0K, 2.6G, 25G)."""
    if n < 1024:
        return str(n)
    units, e = "KMGTPE", 1
    while n >= 1024 ** (e + 1) * 1 and e < len(units):
        e += 1
    den = 1024 ** e
    tenths = -(-n * 10 // den)
    if tenths < 100:
        return f"{tenths // 10}.{tenths % 10}{units[e - 1]}"
    whole = -(-n // den)
    if whole >= 1024 and e < len(units):
        return f"1.0{units[e]}"
    return f"{whole}{units[e - 1]}"


def mode_string(node) -> str:
    kind = {"d": "d", "l": "l"}.get(node.kind, "-")
    bits = node.mode
    out = []
    for shift, special, mark in ((6, 0o4000, "s"), (3, 0o2000, "s"), (0, 0o1000, "t")):
        r, w, x = bits >> shift & 4, bits >> shift & 2, bits >> shift & 1
        xc = (mark if x else mark.upper()) if bits & special else ("x" if x else "-")
        out.append(("r" if r else "-") + ("w" if w else "-") + xc)
    return kind + "".join(out)


def date_string(mtime: int, now: int) -> str:
    """``Sep  1 08:00`` for the last six months, ``Mar  3  2024`` otherwise (and for the future)."""
    d = datetime.fromtimestamp(mtime, UTC)
    if now - HALF_YEAR_S < mtime <= now:
        return f"{MONTHS[d.month - 1]} {d.day:>2} {d.hour:02}:{d.minute:02}"
    return f"{MONTHS[d.month - 1]} {d.day:>2}  {d.year}"


def nlink(node) -> int:
    if node.kind != "d":
        return 1
    return 2 + sum(1 for child in (node.entries or {}).values() if child.kind == "d")


def quoted_names(names: list[str]) -> list[str]:
    """Names as ls shows them: quoted where needed, the others shifted one space to line up."""
    quoted = [shell_quote(n) for n in names]
    if any(q != n for q, n in zip(quoted, names, strict=True)):
        return [q if q != n else " " + n for q, n in zip(quoted, names, strict=True)]
    return quoted


def columns(names: list[str]) -> list[str]:
    """coreutils' vertical columns: as many as fit in 80 characters (two spaces between)."""
    if not names:
        return []
    n = len(names)
    widths = [len(x) for x in names]
    best = 1
    for cols in range(1, min(n, LINE_LENGTH // 3) + 1):
        rows = -(-n // cols)
        used_cols = -(-n // rows)
        col_w = [max(widths[c * rows:(c + 1) * rows]) for c in range(used_cols)]
        total = sum(col_w) + 2 * (used_cols - 1)
        if total < LINE_LENGTH:
            best = cols
    rows = -(-n // best)
    lines = []
    used_cols = -(-n // rows)
    col_w = [max(widths[c * rows:(c + 1) * rows]) for c in range(used_cols)]
    for r in range(rows):
        cells = [(names[c * rows + r], col_w[c]) for c in range(used_cols) if c * rows + r < n]
        line = "".join(name.ljust(w + 2) for name, w in cells[:-1]) + cells[-1][0]
        lines.append(line)
    return lines


def long_lines(entries: list[tuple[str, object, int]], now: int, human_sizes: bool) -> list[str]:
    """``ls -l`` lines of (name as shown, inode, size), columns aligned as coreutils does."""
    rows = []
    for name, node, size in entries:
        shown = f"{name} -> {node.target}" if node.kind == "l" else name
        rows.append((mode_string(node), str(nlink(node)), node.owner, node.group,
                     human(size) if human_sizes else str(size), date_string(node.mtime, now), shown))
    if not rows:
        return []
    w = [max(len(r[i]) for r in rows) for i in range(5)]
    return [f"{m} {n:>{w[1]}} {o:<{w[2]}} {g:<{w[3]}} {s:>{w[4]}} {d} {name}" for m, n, o, g, s, d, name in rows]


def total_line(entries: list[tuple[str, object, int]], human_sizes: bool) -> str:
    """``total N``: the blocks the listed entries take, in 1024-byte units."""
    kib = 0
    for _name, node, size in entries:
        if node.kind == "d":
            kib += 4
        elif node.kind == "f":
            kib += -(-size // 4096) * 4
    return f"total {human(kib * 1024) if human_sizes else kib}"
