"""All TCP endpoints of one host: the demultiplexer the IPv4 stack hands protocol 6 to.

The glue needs only this class: ``on_segment`` for every TCP segment addressed to the host,
``on_timer`` when a ``SetTimer`` comes due, ``listen``/``connect`` for services and commands.
It finds the connection by its 4-tuple, else a listener by port, else answers with RST
(RFC 9293 §3.10.7.1); it passes socket events to the attached application (``stream.pump``),
forgets connections that reach CLOSED, and picks ephemeral ports the way Linux does.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from simcore.packets.tcp import ACK, RST, SYN, Tcp

from .actions import Action, CancelTimer, CloseReason, ConnKey, Note, SetTimer, TcpState, TimerKey, TimerKind
from .config import TcpConfig
from .isn import initial_sequence, timestamp_offset
from .listener import TcpListener
from .reset import reset_for
from .seq import seq_gt
from .socket import TcpSocket
from .stream import StreamApp, apply_ops, pump

# net.ipv4.ip_local_port_range defaults; connect() prefers even ports (Linux >= 4.6 leaves the
# odd ones to bind()).
EPHEMERAL_LOW, EPHEMERAL_HIGH = 32768, 60999

AppFactory = Callable[[ConnKey], StreamApp]


class TcpTable:
    def __init__(self, rng: random.Random, config: TcpConfig | None = None):
        self.rng = rng
        self.config = config or TcpConfig()
        self.secret = rng.getrandbits(128).to_bytes(16, "big")  # RFC 6528's key, one per host
        self.conns: dict[ConnKey, TcpSocket] = {}
        self.apps: dict[ConnKey, StreamApp] = {}
        self.listeners: dict[tuple[str, int], tuple[TcpListener, AppFactory | None]] = {}
        self._embryonic: dict[ConnKey, TcpListener] = {}  # SYN-RECEIVED sockets, per listener
        self._deadlines: dict[ConnKey, int] = {}

    # -- user calls ------------------------------------------------------------------------------
    def listen(self, port: int, app_factory: AppFactory | None = None, ip: str = "0.0.0.0") -> TcpListener:
        if (ip, port) in self.listeners:
            raise ValueError(f"TcpTable: {ip}:{port} is already listening (EADDRINUSE)")
        listener = TcpListener(ip, port, self.rng, self.config, secret=self.secret)
        self.listeners[(ip, port)] = (listener, app_factory)
        return listener

    def unlisten(self, port: int, ip: str = "0.0.0.0") -> None:
        self.listeners.pop((ip, port), None)

    def connect(self, now: int, local_ip: str, remote_ip: str, remote_port: int,
                app: StreamApp | None = None, local_port: int | None = None) -> tuple[TcpSocket, list[Action]]:
        port = local_port if local_port is not None else self.ephemeral_port(local_ip, remote_ip, remote_port)
        key = ConnKey(local_ip, port, remote_ip, remote_port)
        sock = TcpSocket(local_ip, port, remote_ip, remote_port, self.rng, self.config,
                         iss=initial_sequence(self.secret, key, now),
                         ts_offset=timestamp_offset(self.secret, local_ip, remote_ip))
        if sock.key in self.conns:
            raise ValueError(f"TcpTable: connection {sock.key} already exists (EADDRINUSE)")
        self.conns[sock.key] = sock
        acts: list[Action] = []
        if app is not None:
            self.apps[sock.key] = app
            start = getattr(app, "on_start", None)  # optional: an app that wants a deadline from the start
            ops = start(now) if start is not None else None
            if ops is not None and ops.deadline_ns is not None:
                self._deadlines[sock.key] = ops.deadline_ns
                acts.append(SetTimer(TimerKey(sock.key, TimerKind.APP), ops.deadline_ns))
        return sock, self._after(now, sock, sock.connect(now)) + acts

    def ephemeral_port(self, local_ip: str, remote_ip: str, remote_port: int) -> int:
        span = (EPHEMERAL_HIGH - EPHEMERAL_LOW + 1) // 2
        start = self.rng.randrange(span)
        for i in range(span):
            port = EPHEMERAL_LOW + 2 * ((start + i) % span)
            if ConnKey(local_ip, port, remote_ip, remote_port) not in self.conns:
                return port
        raise RuntimeError(f"TcpTable: no free ephemeral port on {local_ip} (EADDRNOTAVAIL)")

    def send(self, now: int, key: ConnKey, data: bytes) -> list[Action]:
        sock = self.conns[key]
        return self._after(now, sock, sock.send(now, data))

    def close(self, now: int, key: ConnKey) -> list[Action]:
        sock = self.conns[key]
        return self._after(now, sock, sock.close(now))

    def abort(self, now: int, key: ConnKey) -> list[Action]:
        sock = self.conns[key]
        return self._after(now, sock, sock.abort(now))

    # -- events ----------------------------------------------------------------------------------
    def on_segment(self, now: int, seg: Tcp, src_ip: str, dst_ip: str) -> list[Action]:
        key = ConnKey(dst_ip, seg.dport, src_ip, seg.sport)
        sock = self.conns.get(key)
        pre: list[Action] = []
        if sock is not None and sock.state is TcpState.TIME_WAIT and seg.flags & (SYN | ACK | RST) == SYN \
                and seq_gt(seg.seq, sock.rcv_nxt) and self._listener_for(dst_ip, seg.dport) is not None:
            # A new SYN for a 4-tuple still in TIME-WAIT, numbered beyond the old connection: Linux
            # ends the TIME-WAIT and accepts it (tcp_timewait_state_process, RFC 6191's idea).
            pre = [Note(f"{key}: a new SYN beyond the old connection ends its TIME-WAIT early", kind="tcp.time_wait_reused"),
                   *pump(now, sock, self.apps.pop(key, None), sock.abort(now))]
            del self.conns[key]
            self._deadlines.pop(key, None)
            sock = None
        if sock is not None:
            return self._after(now, sock, sock.on_segment(now, seg, src_ip, dst_ip))
        found = self._listener_for(dst_ip, seg.dport)
        if found is None:
            return reset_for(seg, src_ip, dst_ip)
        listener, factory = found
        sock, acts = listener.on_segment(now, seg, src_ip, dst_ip)
        acts = pre + acts
        if sock is None:
            return acts
        self.conns[key] = sock
        self._embryonic[key] = listener
        listener.pending += 1
        if factory is not None:
            self.apps[key] = factory(key)
        return self._after(now, sock, acts)

    def _listener_for(self, ip: str, port: int) -> tuple[TcpListener, AppFactory | None] | None:
        return self.listeners.get((ip, port)) or self.listeners.get(("0.0.0.0", port))

    def on_timer(self, now: int, key: TimerKey) -> list[Action]:
        sock = self.conns.get(key.conn)
        if sock is None:
            return []
        if key.kind is TimerKind.APP:
            if self._deadlines.get(key.conn) != now:
                return []
            del self._deadlines[key.conn]
            app = self.apps.get(key.conn)
            if app is None:
                return []
            return self._after(now, sock, apply_ops(now, sock, app.on_deadline(now)))
        return self._after(now, sock, sock.on_timer(now, key))

    def on_icmp_unreachable(self, now: int, key: ConnKey, reason: CloseReason) -> list[Action]:
        sock = self.conns.get(key)
        if sock is None:
            return []
        return self._after(now, sock, sock.on_icmp_unreachable(now, reason))

    # -- bookkeeping -----------------------------------------------------------------------------
    def _after(self, now: int, sock: TcpSocket, acts: list[Action]) -> list[Action]:
        key = sock.key
        deadlines: list[int] = []
        out = pump(now, sock, self.apps.get(key), acts, deadlines)
        listener = self._embryonic.get(key)
        if listener is not None and sock.state is not TcpState.SYN_RECEIVED:
            del self._embryonic[key]
            listener.pending -= 1
        if sock.state is TcpState.CLOSED:
            self.conns.pop(key, None)
            self.apps.pop(key, None)
            if self._deadlines.pop(key, None) is not None:
                out.append(CancelTimer(TimerKey(key, TimerKind.APP)))
        elif deadlines:
            at = deadlines[-1]
            self._deadlines[key] = at
            out.append(SetTimer(TimerKey(key, TimerKind.APP), at))
        return out
