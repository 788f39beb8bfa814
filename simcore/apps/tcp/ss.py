"""What ``ss -tan`` shows of a host's TCP table: listeners, then connections, with ss's state names.

Pure formatting over a ``TcpTable``; the console registers the command. Rows are sorted (by
address and port), never in dict or set order. Column widths are fixed here where ss sizes them
to the terminal; the words and the order are ss's (iproute2 6.x).
"""

from __future__ import annotations

from .actions import TcpState
from .table import TcpTable

SS_STATE = {
    TcpState.LISTEN: "LISTEN",
    TcpState.SYN_SENT: "SYN-SENT",
    TcpState.SYN_RECEIVED: "SYN-RECV",
    TcpState.ESTABLISHED: "ESTAB",
    TcpState.FIN_WAIT_1: "FIN-WAIT-1",
    TcpState.FIN_WAIT_2: "FIN-WAIT-2",
    TcpState.CLOSE_WAIT: "CLOSE-WAIT",
    TcpState.CLOSING: "CLOSING",
    TcpState.LAST_ACK: "LAST-ACK",
    TcpState.TIME_WAIT: "TIME-WAIT",
}


def _ip_key(ip: str) -> tuple[int, ...]:
    return tuple(int(part) for part in ip.split("."))


def ss_rows(table: TcpTable) -> list[tuple[str, int, int, str, str]]:
    """``(state, Recv-Q, Send-Q, local, peer)``. For a listener Recv-Q is the connections waiting
    in SYN-RECEIVED here (Linux: the accept queue) and Send-Q the backlog, as ss shows them."""
    rows = []
    for (ip, port) in sorted(table.listeners, key=lambda k: (k[1], _ip_key(k[0]))):
        listener, _factory = table.listeners[(ip, port)]
        rows.append(("LISTEN", listener.pending, listener.backlog, f"{ip}:{port}", "0.0.0.0:*"))
    for key in sorted(table.conns, key=lambda k: (_ip_key(k.local_ip), k.local_port, _ip_key(k.remote_ip),
                                                 k.remote_port)):
        sock = table.conns[key]
        rows.append((SS_STATE[sock.state], 0, sock.send_queue, f"{key.local_ip}:{key.local_port}",
                     f"{key.remote_ip}:{key.remote_port}"))
    return rows


def ss_lines(table: TcpTable, *, listening: bool | None = None) -> list[str]:
    """``ss -tan`` (``listening=None``), ``ss -tln`` (True) or ``ss -tn`` (False: ss's default filter
    leaves out LISTEN, TIME-WAIT and SYN-RECV)."""
    rows = ss_rows(table)
    if listening is True:
        rows = [r for r in rows if r[0] == "LISTEN"]
    elif listening is False:
        rows = [r for r in rows if r[0] not in ("LISTEN", "TIME-WAIT", "SYN-RECV")]
    out = [f"{'State':<10} {'Recv-Q':<6} {'Send-Q':<6} {'Local Address:Port':>21} {'Peer Address:Port':>21} Process"]
    for state, recvq, sendq, local, peer in rows:
        out.append(f"{state:<10} {recvq:<6} {sendq:<6} {local:>21} {peer:>21}")
    return out
