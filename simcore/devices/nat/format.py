"""The connection table as ``conntrack -L`` prints it, and as rows for the web app's live table.

conntrack-tools (libnetfilter_conntrack's default output) prints one line per entry:
the protocol name left-aligned in 8 columns and its number, the seconds left, the TCP state,
the original tuple (``src= dst= sport= dport=``, or ``type= code= id=`` for ICMP), the
``packets= bytes=`` counters when accounting is on (``net.netfilter.nf_conntrack_acct=1``; off
by default), ``[UNREPLIED]`` while no reply has been seen, the reply tuple, ``[ASSURED]``, then
``mark=0 use=1``. The summary line goes to stderr: ``conntrack v1.4.7 (conntrack-tools): N flow
entries have been shown.``
"""

from __future__ import annotations

from collections.abc import Iterable

from simcore.packets import PROTO_ICMP, PROTO_TCP

from .conntrack import ConnEntry, NatKind
from .tuples import PROTO_LABELS, FlowTuple

CONNTRACK_VERSION = "1.4.7"


def _tuple_text(t: FlowTuple) -> str:
    if t.proto == PROTO_ICMP:
        return f"src={t.src} dst={t.dst} type={t.dport} code=0 id={t.sport}"
    return f"src={t.src} dst={t.dst} sport={t.sport} dport={t.dport}"


def conntrack_line(entry: ConnEntry, now: int, *, accounting: bool = False) -> str:
    proto = entry.proto
    parts = [f"{PROTO_LABELS[proto]:<8} {proto}", str(entry.seconds_left(now))]
    if proto == PROTO_TCP:
        parts.append(entry.state.value)
    parts.append(_tuple_text(entry.original))
    if accounting:
        parts.append(f"packets={entry.packets[0]} bytes={entry.bytes[0]}")
    if not entry.seen_reply:
        parts.append("[UNREPLIED]")
    parts.append(_tuple_text(entry.reply))
    if accounting:
        parts.append(f"packets={entry.packets[1]} bytes={entry.bytes[1]}")
    if entry.assured:
        parts.append("[ASSURED]")
    parts.append("mark=0 use=1")
    return " ".join(parts)


def format_conntrack(entries: Iterable[ConnEntry], now: int, *, accounting: bool = False) -> tuple[str, str]:
    """``(stdout, stderr)`` of ``conntrack -L``; each ends with a newline when not empty."""
    lines = [conntrack_line(e, now, accounting=accounting) for e in entries]
    stdout = "".join(line + "\n" for line in lines)
    stderr = f"conntrack v{CONNTRACK_VERSION} (conntrack-tools): {len(lines)} flow entries have been shown.\n"
    return stdout, stderr


def _end(addr: str, port: int, proto: int) -> str:
    return f"{addr} id {port}" if proto == PROTO_ICMP else f"{addr}:{port}"


def table_row(entry: ConnEntry, now: int, public_ip: str | None = None) -> dict:
    """One JSON-friendly row. ``inside``/``public``/``remote`` say who is who for the student:
    masquerade maps inside -> public towards remote; a port forward maps public -> inside for
    remote (the client); the router's own connections have no inside end."""
    o, r = entry.original, entry.reply
    proto = entry.proto
    if entry.kind is NatKind.SNAT:
        inside, public, remote = o.local_end(), _end(r.dst, r.sport if proto == PROTO_ICMP else r.dport, proto), \
            o.remote_end()
    elif entry.kind is NatKind.DNAT:
        inside, public, remote = r.local_end(), o.remote_end(), o.local_end()
    elif o.src == public_ip:  # the router's own connection, opened by the router
        inside, public, remote = None, o.local_end(), o.remote_end()
    else:  # the router's own connection, opened towards it (an echo request to its address)
        inside, public, remote = None, o.remote_end(), o.local_end()
    return {
        "id": entry.id,
        "protocol": PROTO_LABELS[proto],
        "state": entry.state.value,
        "nat": entry.kind.value,
        "rule": entry.rule,
        "inside": inside,
        "public": public,
        "remote": remote,
        "original": o.fields(),
        "reply": r.fields(),
        "expires_in": entry.seconds_left(now),
        "seen_reply": entry.seen_reply,
        "assured": entry.assured,
        "packets": {"original": entry.packets[0], "reply": entry.packets[1]},
        "bytes": {"original": entry.bytes[0], "reply": entry.bytes[1]},
    }


def table_rows(entries: Iterable[ConnEntry], now: int, public_ip: str | None = None) -> list[dict]:
    return [table_row(e, now, public_ip) for e in entries]
