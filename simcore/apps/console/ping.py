"""``ping`` as iputils prints it (iputils 2024xxxx, Debian/Ubuntu), over ICMP echo (RFC 792).

Output, error texts and statistics follow iputils' ping_common.c: RTTs in microseconds with
integer arithmetic, ``time`` = last transmission minus first, ``pipe N`` when several probes
were outstanding at once. The ICMP identifier comes from the run's RNG; sequence numbers start
at 1. The payload is iputils': a 16-byte ``struct timeval`` (the simulated send time), then the
bytes 0x10, 0x11, ... .
"""

from __future__ import annotations

import getopt
import ipaddress
import math
import struct

from simcore.apps.console.shell import Console, Job, command
from simcore.packets import (
    ICMP_DEST_UNREACH,
    ICMP_ECHO_REQUEST,
    ICMP_TIME_EXCEEDED,
    PROTO_ICMP,
    IcmpEcho,
    IPv4,
)

S = 1_000_000_000
MAXWAIT_S = 10  # iputils' linger time once the count is sent, unless -W says otherwise
UNREACH_TEXT = {
    0: "Destination Net Unreachable",
    1: "Destination Host Unreachable",
    2: "Destination Protocol Unreachable",
    3: "Destination Port Unreachable",
    9: "Destination Net Prohibited",
    10: "Destination Host Prohibited",
    13: "Packet filtered",
}
EXCEEDED_TEXT = {0: "Time to live exceeded", 1: "Frag reassembly time exceeded"}
USAGE = [
    "",
    "Usage",
    "  ping [options] <destination>",
    "",
    "Options:",
    "  <destination>      DNS name or IP address",
    "  -c <count>         stop after <count> replies",
    "  -f                 flood ping",
    "  -i <interval>      seconds between sending each packet",
    "  -s <size>          use <size> as number of data bytes to be sent",
    "  -t <ttl>           define time to live",
    "  -W <timeout>       time to wait for response",
    "  -w <deadline>      reply wait <deadline> in seconds",
]
INT64_MAX = 9223372036854775807
# iputils' flood (-f) without -i: the next probe goes when a reply comes back, or after 10 ms
# (one hundred a second), whichever is first. The console user of a guest is root, so -f and
# -i below 2 ms are allowed (iputils refuses them to other users); what bounds a flood is the
# engine's budget per tick (docs/limits.md, "Runs"), not the command.
FLOOD_INTERVAL_NS = 10_000_000


class UsageError(Exception):
    pass


def _int_arg(text: str, low: int, high: int) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise UsageError(f"ping: invalid argument: '{text}'") from None
    if not low <= value <= high:
        raise UsageError(f"ping: invalid argument: '{text}': out of range: {low} <= value <= {high}")
    return value


def _seconds(text: str, message: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{message}: {text}") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"{message}: {text}")
    return int(round(value * S))


def format_ms(us: int) -> str:
    """iputils' reply time: 3 decimals below 1 ms, 2 below 10 ms, 1 below 100 ms, else none."""
    if us >= 100000 - 50:
        return f"{(us + 500) // 1000} ms"
    if us >= 10000 - 5:
        return f"{(us + 50) // 1000}.{((us + 50) % 1000) // 100} ms"
    if us >= 1000:
        return f"{(us + 5) // 1000}.{((us + 5) % 1000) // 10:02d} ms"
    return f"{us // 1000}.{us % 1000:03d} ms"


class Ping(Job):
    name = "ping"

    def __init__(self, console: Console, line: str, dst: str, *, count: int | None, interval_ns: int,
                 size: int, ttl: int, timeout_ns: int | None, deadline_ns: int | None, flood: bool = False):
        super().__init__(console, line)
        self.stack = console.stack
        self.engine = console.engine
        self.dst = dst
        self.count = count
        self.interval_ns = interval_ns
        self.size = size
        self.ttl = ttl
        self.timeout_ns = timeout_ns
        self.deadline_ns = deadline_ns
        self.flood = flood
        self.ident = 0
        self.sent_at: dict[int, int] = {}
        self.received: set[int] = set()
        self.ntransmitted = 0
        self.nreceived = 0
        self.nrepeats = 0
        self.nerrors = 0
        self.rtts_us: list[int] = []
        self.pipesize = 1
        self.start_ns = 0
        self.last_send_ns = 0
        self.finished = False
        self._token = 0
        self._pattern = bytes(i & 0xFF for i in range(16, max(size, 16)))

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> int | None:
        """Print the header and send the first probe; an exit status if it cannot start."""
        src = self.stack.source_for(self.dst)
        if src is None:
            self.console.print("ping: connect: Network is unreachable")
            return 2
        rng = self.engine.rng
        ident = rng.randrange(1 << 16)
        while ident in self.stack.icmp_sockets:
            ident = rng.randrange(1 << 16)
        self.ident = ident
        self.src = src
        self.stack.icmp_bind(ident, self)
        self.console.print(f"PING {self.dst} ({self.dst}) {self.size}({self.size + 28}) bytes of data.")
        self.start_ns = self.engine.now
        if self.deadline_ns is not None:
            self.engine.schedule(self.deadline_ns, self._deadline)
        self._send()
        return None

    def _payload(self, now: int) -> bytes:
        if self.size < 16:
            return bytes(self.size)  # iputils sends no timestamp when it does not fit
        sec, nsec = divmod(now, S)
        return struct.pack("<qq", sec, nsec // 1000) + self._pattern  # struct timeval on x86-64

    def _send(self) -> None:
        if self.finished:
            return
        now = self.engine.now
        self.ntransmitted += 1
        seq = self.ntransmitted & 0xFFFF
        self.sent_at[seq] = now
        self.last_send_ns = now
        echo = IcmpEcho(ICMP_ECHO_REQUEST, self.ident, seq, self._payload(now))
        packet = IPv4(self.src, self.dst, PROTO_ICMP, echo, self.ttl, self.stack.next_ident())
        error = self.stack.send_ip(packet)
        if error is not None:
            self.console.print(f"ping: sendmsg: {error}")
            self.nerrors += 1
        if self.count is None or self.ntransmitted < self.count:
            self._token += 1
            self.engine.schedule(self.interval_ns, self._send_if, self._token)
        else:
            # Count sent: wait for stragglers up to the linger time (-W, else 10 s).
            self._token += 1
            linger = self.timeout_ns if self.timeout_ns is not None else MAXWAIT_S * S
            self.engine.schedule(linger, self._linger_over, self._token)
        self._check_done()

    def _send_if(self, token: int) -> None:
        """The interval's send, unless a flood reply sent the next probe since (a new token)."""
        if token == self._token:
            self._send()

    def _linger_over(self, token: int) -> None:
        if token == self._token:
            self._finish(self._status())

    def _deadline(self) -> None:
        self._finish(self._status())

    def _status(self) -> int:
        return 0 if self.nreceived else 1

    def _check_done(self) -> None:
        if self.count is not None and self.ntransmitted >= self.count and \
                self.nreceived + self.nerrors >= self.count:
            self._finish(self._status())

    # -- replies ------------------------------------------------------------------------------
    def on_reply(self, packet: IPv4, echo: IcmpEcho) -> None:
        if self.finished or packet.src != self.dst and self.dst not in self.stack.local_ips:
            return
        seq = echo.seq
        sent = self.sent_at.get(seq)
        if sent is None:
            return
        us = (self.engine.now - sent) // 1000
        dup = seq in self.received
        if dup:
            self.nrepeats += 1
        else:
            self.received.add(seq)
            self.nreceived += 1
            self.rtts_us.append(us)
            self.pipesize = max(self.pipesize, self.ntransmitted - seq + 1)
        if not self.flood:  # iputils draws a flood as dots and backspaces: no line per reply
            line = (f"{8 + len(echo.data)} bytes from {packet.src}: icmp_seq={seq} ttl={packet.ttl} "
                    f"time={format_ms(us)}")
            self.console.print(line + (" (DUP!)" if dup else ""))
        self._check_done()
        if self.flood and not dup and not self.finished and (self.count is None or self.ntransmitted < self.count):
            self._send()  # as fast as replies come back

    def on_error(self, packet: IPv4, icmp, quoted: dict) -> None:
        if self.finished:
            return
        seq = quoted.get("seq", 0)
        if icmp.type == ICMP_DEST_UNREACH:
            text = UNREACH_TEXT.get(icmp.code, f"Dest Unreachable, Bad Code: {icmp.code}")
        elif icmp.type == ICMP_TIME_EXCEEDED:
            text = EXCEEDED_TEXT.get(icmp.code, f"Time exceeded, Bad Code: {icmp.code}")
        else:
            text = f"Bad ICMP type: {icmp.type}"
        self.nerrors += 1
        self.pipesize = max(self.pipesize, self.ntransmitted - seq + 1)
        self.console.print(f"From {packet.src} icmp_seq={seq} {text}")
        self._check_done()

    def interrupt(self) -> None:
        self.console.print("^C")
        self._finish(self._status())

    # -- statistics ---------------------------------------------------------------------------
    def stats(self) -> dict:
        rtt = None
        if self.rtts_us:
            n = len(self.rtts_us)
            tsum = sum(self.rtts_us) // n
            tsum2 = sum(r * r for r in self.rtts_us) // n
            mdev = math.isqrt(max(tsum2 - tsum * tsum, 0))
            rtt = {"min_us": min(self.rtts_us), "avg_us": tsum, "max_us": max(self.rtts_us), "mdev_us": mdev}
        loss = 0.0
        if self.ntransmitted:
            loss = (self.ntransmitted - self.nreceived) * 100.0 / self.ntransmitted
        return {"transmitted": self.ntransmitted, "received": self.nreceived, "errors": self.nerrors,
                "duplicates": self.nrepeats, "loss_pct": loss, "rtt": rtt,
                "time_ms": (self.last_send_ns - self.start_ns) // 1_000_000, "pipe": self.pipesize}

    def _finish(self, status: int) -> None:
        if self.finished:
            return
        self.finished = True
        self._token += 1
        self.stack.icmp_unbind(self.ident)
        st = self.stats()
        p = self.console.print
        p("")
        p(f"--- {self.dst} ping statistics ---")
        line = f"{st['transmitted']} packets transmitted, {st['received']} received"
        if st["duplicates"]:
            line += f", +{st['duplicates']} duplicates"
        if st["errors"]:
            line += f", +{st['errors']} errors"
        line += f", {st['loss_pct']:g}% packet loss, time {st['time_ms']}ms"
        p(line)
        tail = ""
        if st["rtt"]:
            r = st["rtt"]
            tail = "rtt min/avg/max/mdev = " + "/".join(
                f"{r[k] // 1000}.{r[k] % 1000:03d}" for k in ("min_us", "avg_us", "max_us", "mdev_us")) + " ms"
        if st["pipe"] > 1:
            tail += (", " if tail else "") + f"pipe {st['pipe']}"
        if tail:
            p(tail)
        self.console.fact({"kind": "ping", "dst": self.dst, "ident": self.ident, **st})
        self.console.job_done(self, status)


@command("ping", "send ICMP echo requests (iputils: -c count -i interval -s size -t ttl -W timeout -w deadline)")
def ping_command(console: Console, argv: list[str]):
    line = console.current_line or " ".join(argv)
    try:
        try:
            opts, args = getopt.gnu_getopt(argv[1:], "c:fi:s:t:W:w:qn4")
        except getopt.GetoptError as exc:
            if exc.msg.startswith("option -") and "requires argument" in exc.msg:
                raise UsageError(f"ping: option requires an argument -- '{exc.opt}'") from None
            raise UsageError(f"ping: invalid option -- '{exc.opt}'") from None
        count = None
        interval = S
        size = 56
        ttl = 64
        timeout = None
        deadline = None
        flood = False
        interval_given = False
        for opt, val in opts:
            if opt == "-c":
                count = _int_arg(val, 1, INT64_MAX)
            elif opt == "-f":
                flood = True
            elif opt == "-i":
                interval = _seconds(val, "ping: bad timing interval")
                interval_given = True
            elif opt == "-s":
                size = _int_arg(val, 0, 65507)
            elif opt == "-t":
                ttl = _int_arg(val, 0, 255)
            elif opt == "-W":
                timeout = _seconds(val, "ping: bad linger time")
            elif opt == "-w":
                deadline = _int_arg(val, 0, 2147483647) * S
        if not args:
            console.print("ping: usage error: Destination address required")
            return 2
        if len(args) > 1:
            raise UsageError(f"ping: {args[-1]}: Name or service not known")
    except UsageError as exc:
        console.print(str(exc))
        if "invalid option" in str(exc) or "requires an argument" in str(exc):
            for text in USAGE:
                console.print(text)
        return 2
    dst = args[0]
    try:
        dst = str(ipaddress.IPv4Address(dst))
    except ValueError:
        # No DNS in the simulator: like a host with an empty /etc/hosts.
        console.print(f"ping: {dst}: Name or service not known")
        return 2
    if flood and not interval_given:
        interval = FLOOD_INTERVAL_NS
    job = Ping(console, line, dst, count=count, interval_ns=max(interval, 1), size=size, ttl=ttl,
               timeout_ns=timeout, deadline_ns=deadline, flood=flood)
    status = job.start()
    if status is not None:
        return status
    return job
