"""One TCP connection as a pure state machine (RFC 9293 §3.10, "Event Processing").

The socket knows nothing of interfaces, engines or clocks: the caller passes ``now`` (integer
nanoseconds) and every method returns the list of actions that follow (``actions.py``). Longer
than the usual module on purpose: it is the one state machine of RFC 9293's Figure 5, and
splitting the segment-arrival steps over files would hide their order, which the RFC fixes.

What it does, Linux-like (see docs/tcp.md for the full list and what is left out):
handshake with MSS/SACK-permitted/timestamps/window-scale options, data cut at the effective MSS
with PSH on the segment that empties the send buffer, ACKs when Linux sends them (quick ACKs at
the start, then delayed ACKs; the ACK of a FIN waits for the application's own FIN: ``delack.py``),
out-of-order data held and SACKed, RFC 6298
retransmission with doubling and a bounded number of retries, fast retransmit on the third
duplicate ACK, slow start and congestion avoidance from an initial window of 10 segments, FIN
from either side and simultaneous close, TIME-WAIT of 60 s, RST handling with RFC 5961's exact
match and challenge ACK.
"""

from __future__ import annotations

import random

from simcore.packets.tcp import ACK, FIN, PSH, RST, SYN, URG, Tcp, tcp_options

from .actions import (
    Action,
    AllAcked,
    CancelTimer,
    Closed,
    CloseReason,
    Connected,
    ConnKey,
    Deliver,
    Emit,
    EndOfStream,
    Note,
    SetTimer,
    TcpState,
    TimerKey,
    TimerKind,
)
from .config import NS_PER_MS, TcpConfig
from .delack import TCP_HEADER, AckPolicy
from .options import TS_OPTION_LEN, PeerSyn, read_syn_options, read_tsval, segment_options
from .reset import reset_for
from .rto import RtoEstimator
from .seq import seg_len, seq_add, seq_diff, seq_ge, seq_gt, seq_in_window, seq_le, seq_lt

S = TcpState
_SYNCHRONIZED = (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
_CAN_SEND = (S.ESTABLISHED, S.CLOSE_WAIT, S.FIN_WAIT_1, S.CLOSING, S.LAST_ACK)
_RECEIVES_TEXT = (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2)
_DUPACK_THRESHOLD = 3  # RFC 5681 §3.2


class TcpSocket:
    """A connection between ``local_ip:local_port`` and ``remote_ip:remote_port``.

    Active open: ``TcpSocket(...)`` then ``connect(now)``. Passive open: ``TcpSocket.accept``
    (what ``TcpListener`` calls for a SYN). ``rng`` is the run's ``random.Random``: it draws the
    initial sequence number and the timestamp offset, so a run is reproducible from its seed.
    """

    def __init__(self, local_ip: str, local_port: int, remote_ip: str, remote_port: int,
                 rng: random.Random, config: TcpConfig | None = None, *,
                 iss: int | None = None, ts_offset: int | None = None):
        for name, port in (("local_port", local_port), ("remote_port", remote_port)):
            if not 0 < port <= 0xFFFF:
                raise ValueError(f"TcpSocket: {name} must be in 1..65535, not {port!r}")
        self.key = ConnKey(local_ip, local_port, remote_ip, remote_port)
        self.cfg = config or TcpConfig()
        self.state = S.CLOSED
        self.close_reason: CloseReason | None = None
        # RFC 9293 §3.4.1: the ISN. TcpTable passes RFC 6528's (isn.py); a socket made alone draws
        # it, and its timestamp offset, from the run's RNG.
        self.iss = rng.getrandbits(32) if iss is None else iss
        self._ts_offset = rng.getrandbits(32) if ts_offset is None else ts_offset
        self.snd_una = self.snd_nxt = self.snd_max = self.iss
        self.snd_wnd = 0
        self._snd_wl1 = self._snd_wl2 = 0
        self.irs = 0
        self.rcv_nxt = 0
        self.rcv_wnd = self.cfg.initial_window(self.cfg.mss)  # an active open: 64240
        self._sndbuf = bytearray()
        self._buf_seq = seq_add(self.iss, 1)  # sequence number of _sndbuf[0]
        self._fin_queued = False
        self._eof_seen = False
        self._ooo: dict[int, bytes] = {}  # out-of-order data by sequence number
        self._ooo_fin: int | None = None  # sequence number of a FIN that arrived early
        # Negotiated at the handshake.
        self._ts_ok = self._sack_ok = self._ws_offered = False
        self._snd_wscale = self._rcv_wscale = 0
        self._ts_recent = 0
        self.eff_mss = self.cfg.mss
        # Retransmission and congestion state.
        self._rto = RtoEstimator(self.cfg)
        self._retries = 0
        self._timed: tuple[int, int] | None = None  # (sequence to be acked, sent at)
        self._dupacks = 0
        self.cwnd = 0
        self.ssthresh = 1 << 30
        self._timers: dict[TimerKind, int] = {}
        self._acks: AckPolicy | None = None  # receive-side ACK policy, from the handshake on

    def __repr__(self) -> str:
        return f"TcpSocket({self.key}, {self.state.value})"

    @property
    def send_queue(self) -> int:
        """Bytes written and not yet acknowledged (ss's Send-Q)."""
        return len(self._sndbuf)

    # -- user calls (RFC 9293 §3.10.1 - §3.10.6) -------------------------------------------------
    def connect(self, now: int) -> list[Action]:
        if self.state is not S.CLOSED or self.close_reason is not None:
            raise RuntimeError(f"{self!r}: connect() needs a fresh socket")
        acts: list[Action] = []
        self.state = S.SYN_SENT
        self.snd_nxt = self.snd_max = seq_add(self.iss, 1)
        self._send_syn(now, acts, ack=False)
        acts.append(Note(f"{self.key.local_ip}:{self.key.local_port} opens a connection to "
                         f"{self.key.remote_ip}:{self.key.remote_port}: SYN sent, SYN-SENT", kind="tcp.connect"))
        self._arm(TimerKind.RETRANSMIT, now + self._rto.rto, acts)
        return acts

    @classmethod
    def accept(cls, now: int, syn: Tcp, src_ip: str, dst_ip: str, rng: random.Random,
               config: TcpConfig | None = None, *, iss: int | None = None,
               ts_offset: int | None = None) -> tuple[TcpSocket, list[Action]]:
        """Passive open for a SYN that reached a listener: answer SYN,ACK, go to SYN-RECEIVED."""
        sock = cls(dst_ip, syn.dport, src_ip, syn.sport, rng, config, iss=iss, ts_offset=ts_offset)
        sock._take_peer_syn(syn, read_syn_options(syn.options))
        # Linux's tcp_openreq_init_rwin: the window counts in segments of what will really be
        # carried, our MSS less the timestamp option when timestamps are on (65160).
        sock.rcv_wnd = sock.cfg.initial_window(sock.cfg.mss - (TS_OPTION_LEN if sock._ts_ok else 0))
        sock.state = S.SYN_RECEIVED
        sock.snd_nxt = sock.snd_max = seq_add(sock.iss, 1)
        acts: list[Action] = []
        sock._send_syn(now, acts, ack=True)
        sock._arm(TimerKind.RETRANSMIT, now + sock._rto.rto, acts)
        return sock, acts

    def send(self, now: int, data: bytes) -> list[Action]:
        if self.state not in (S.SYN_SENT, S.SYN_RECEIVED, S.ESTABLISHED, S.CLOSE_WAIT) or self._fin_queued:
            raise RuntimeError(f"{self!r}: send() after close or on a dead connection")
        self._sndbuf += data
        acts: list[Action] = []
        self._output(now, acts)
        return acts

    def close(self, now: int) -> list[Action]:
        """The application has no more to send: queue a FIN behind the data (§3.10.4)."""
        acts: list[Action] = []
        if self.state is S.SYN_SENT:
            self._finish(CloseReason.ABORTED, acts)
        elif self.state is S.SYN_RECEIVED:
            self._fin_queued = True  # §3.10.4: the FIN waits until the handshake is done
        elif self.state in (S.ESTABLISHED, S.CLOSE_WAIT) and not self._fin_queued:
            self._fin_queued = True
            self.state = S.LAST_ACK if self.state is S.CLOSE_WAIT else S.FIN_WAIT_1
            self._output(now, acts)
        return acts

    def abort(self, now: int) -> list[Action]:
        """§3.10.5: send RST on a synchronized connection, forget everything."""
        acts: list[Action] = []
        if self.state in (S.SYN_RECEIVED, *_SYNCHRONIZED) and self.state is not S.TIME_WAIT:
            # Linux's active reset (tcp_send_active_reset) carries ACK too.
            self._emit(Tcp(self.key.local_port, self.key.remote_port, self.snd_nxt, self.rcv_nxt, RST | ACK, 0), acts)
        if self.state is not S.CLOSED:
            self._finish(CloseReason.ABORTED, acts)
        return acts

    def on_icmp_unreachable(self, now: int, reason: CloseReason) -> list[Action]:
        """An ICMP destination-unreachable about this connection. Linux aborts a connection
        still in SYN-SENT at once (``tcp_v4_err``); later it is a soft error, ignored here."""
        acts: list[Action] = []
        if self.state is S.SYN_SENT:
            acts.append(Note(f"ICMP unreachable while connecting to {self.key.remote_ip}: {reason.value}", kind="tcp.unreachable"))
            self._finish(reason, acts)
        return acts

    # -- timers --------------------------------------------------------------------------------
    def on_timer(self, now: int, key: TimerKey) -> list[Action]:
        acts: list[Action] = []
        if key.conn != self.key or self._timers.get(key.kind) != now:
            return acts  # cancelled or re-armed since: a stale engine event
        del self._timers[key.kind]
        if key.kind is TimerKind.TIME_WAIT:
            acts.append(Note(f"TIME-WAIT of {self.key} over after {self.cfg.time_wait_ns // 10**9} s", kind="tcp.closed"))
            self._finish(CloseReason.NORMAL, acts)
        elif key.kind is TimerKind.RETRANSMIT:
            self._on_rto(now, acts)
        elif key.kind is TimerKind.DELACK:
            if self._acks.on_timer(self._rto.rto) and self.state in _SYNCHRONIZED:
                self._send_ack(now, acts)  # no data or FIN went the other way in time to carry it
        return acts

    def _on_rto(self, now: int, acts: list[Action]) -> None:
        if self.state is S.SYN_SENT:
            limit, what = self.cfg.syn_retries, "SYN"
        elif self.state is S.SYN_RECEIVED:
            limit, what = self.cfg.synack_retries, "SYN,ACK"
        elif self.snd_una != self.snd_max:
            limit, what = self.cfg.data_retries, "segment"
        else:
            return
        if self._retries >= limit:
            acts.append(Note(f"{self.key}: no answer after {self._retries} retransmissions of the {what}; "
                             f"giving up (connection timed out)", kind="tcp.gave_up"))
            self._finish(CloseReason.TIMEOUT, acts)
            return
        self._retries += 1
        self._rto.backoff()  # RFC 6298 §5.5
        self._timed = None  # Karn: never time a retransmitted segment
        acts.append(Note(f"{self.key}: no ACK in time, retransmission {self._retries} of the {what}; "
                         f"RTO doubled to {self._rto.rto // NS_PER_MS} ms", kind="tcp.retransmit"))
        if self.state in (S.SYN_SENT, S.SYN_RECEIVED):
            self._send_syn(now, acts, ack=self.state is S.SYN_RECEIVED)
        else:
            # RFC 5681 §3.1 eq. (4): collapse to one segment and resend from the oldest unACKed byte.
            self.ssthresh = max(seq_diff(self.snd_max, self.snd_una) // 2, 2 * self.eff_mss)
            self.cwnd = self.eff_mss
            self.snd_nxt = self.snd_una
            self._dupacks = 0
        self._arm(TimerKind.RETRANSMIT, now + self._rto.rto, acts)
        self._output(now, acts)

    # -- segment arrival (RFC 9293 §3.10.7) ------------------------------------------------------
    def on_segment(self, now: int, seg: Tcp, src_ip: str, dst_ip: str) -> list[Action]:
        if (dst_ip, seg.dport, src_ip, seg.sport) != (self.key.local_ip, self.key.local_port,
                                                      self.key.remote_ip, self.key.remote_port):
            raise ValueError(f"{self!r}: segment {src_ip}:{seg.sport}->{dst_ip}:{seg.dport} is not for this socket")
        acts: list[Action] = []
        if self.state is S.CLOSED:
            return reset_for(seg, src_ip, dst_ip)
        if self.state is S.SYN_SENT:
            self._on_segment_syn_sent(now, seg, acts)
            return acts
        if self.state is S.SYN_RECEIVED and seg.flags & (SYN | ACK | RST) == SYN and seg.seq == self.irs:
            # The peer did not get our SYN,ACK and sent its SYN again: answer it again and restart
            # the timer (Linux's tcp_check_req does both).
            self._send_syn(now, acts, ack=True)
            self._arm(TimerKind.RETRANSMIT, now + self._rto.rto, acts)
            return acts
        if (self.state is S.SYN_RECEIVED and seg.flags & (SYN | ACK | RST) == SYN | ACK and seg.seq == self.irs
                and seg.ack == self.snd_max):
            # Simultaneous open (§3.5 Figure 8): the peer's SYN,ACK completes it. By the letter of
            # §3.10.7.4 its SYN is out of the window; Linux lets it pass (tcp_validate_incoming).
            self._ack_advances(now, seg.ack)
            self._disarm(TimerKind.RETRANSMIT, acts)
            self.state = S.FIN_WAIT_1 if self._fin_queued else S.ESTABLISHED
            self._start_window(seg)
            acts.append(Connected())
            acts.append(Note(f"{self.key}: simultaneous open done, ESTABLISHED", kind="tcp.established"))
            self._output(now, acts)
            return acts
        length = seg_len(seg.flags, len(seg.payload))
        # First: is the segment in the receive window (§3.10.7.4, the four-case table)?
        if not self._acceptable(seg.seq, length):
            if not seg.flags & RST:
                if self.state is S.TIME_WAIT and seg.flags & FIN:
                    self._arm(TimerKind.TIME_WAIT, now + self.cfg.time_wait_ns, acts)  # a FIN again
                if length and seq_lt(seg.seq, self.rcv_nxt) and self._acks is not None:
                    self._acks.enter_quickack(self.rcv_wnd)  # a duplicate: ACKs were lost (tcp_send_dupack)
                self._send_ack(now, acts)
            return acts
        # Second: RST. RFC 5961 §3.2: only an exact match resets; in-window earns a challenge ACK.
        if seg.flags & RST:
            if seg.seq == self.rcv_nxt:
                was = self.state
                acts.append(Note(f"RST from {self.key.remote_ip}:{self.key.remote_port} resets the connection "
                                 f"in {was.value}", kind="tcp.reset_received"))
                # §3.10.7.4: in SYN-RECEIVED an RST means the peer refused (or gave up on) our SYN,ACK.
                self._finish(CloseReason.REFUSED if was is S.SYN_RECEIVED else CloseReason.RESET, acts)
            else:
                self._send_ack(now, acts)
            return acts
        # Fourth: a SYN on a synchronized connection gets a challenge ACK (RFC 5961 §4).
        if seg.flags & SYN:
            self._send_ack(now, acts)
            return acts
        # Fifth: the ACK field.
        if not seg.flags & ACK:
            return acts
        if self.state is S.SYN_RECEIVED:
            if not (seq_lt(self.snd_una, seg.ack) and seq_le(seg.ack, self.snd_max)):
                return reset_for(seg, src_ip, dst_ip)
            self.state = S.FIN_WAIT_1 if self._fin_queued else S.ESTABLISHED
            self._start_window(seg)
            acts.append(Connected())
        if self.state is S.TIME_WAIT:
            return acts  # only a retransmitted FIN matters there, handled above
        if seq_gt(seg.ack, self.snd_max):
            self._send_ack(now, acts)  # ACKs something never sent
            return acts
        if self._on_ack(now, seg, acts):
            return acts  # LAST-ACK done: the connection is gone
        # Seventh and eighth: the text and the FIN.
        if self.state in _RECEIVES_TEXT or seg.flags & FIN:
            self._on_text(now, seg, acts)
        self._output(now, acts)
        return acts

    def _on_segment_syn_sent(self, now: int, seg: Tcp, acts: list[Action]) -> None:
        """§3.10.7.3."""
        if seg.flags & ACK and not (seq_gt(seg.ack, self.iss) and seq_le(seg.ack, self.snd_max)):
            if not seg.flags & RST:
                acts.extend(reset_for(seg, self.key.remote_ip, self.key.local_ip))
            return
        if seg.flags & RST:
            if seg.flags & ACK:
                acts.append(Note(f"{self.key.remote_ip} answers the SYN with RST,ACK: nothing listens on port "
                                 f"{self.key.remote_port} (connection refused)", kind="tcp.refused"))
                self._finish(CloseReason.REFUSED, acts)
            return
        if not seg.flags & SYN:
            return
        self._take_peer_syn(seg, read_syn_options(seg.options))
        if seg.flags & ACK:
            self._retries = 0
            self._ack_advances(now, seg.ack)
            self._disarm(TimerKind.RETRANSMIT, acts)
            self.state = S.ESTABLISHED
            self._start_window(seg)
            self._send_ack(now, acts)
            acts.append(Connected())
            acts.append(Note(f"{self.key}: handshake done, ESTABLISHED", kind="tcp.established"))
            self._output(now, acts)
        else:  # simultaneous open (§3.5, Figure 8)
            self.state = S.SYN_RECEIVED
            self._send_syn(now, acts, ack=True)

    def _acceptable(self, seq: int, length: int) -> bool:
        wnd = self.rcv_wnd
        if length == 0:
            return seq == self.rcv_nxt if wnd == 0 else seq_in_window(seq, self.rcv_nxt, wnd)
        if wnd == 0:
            return False
        return seq_in_window(seq, self.rcv_nxt, wnd) or seq_in_window(seq_add(seq, length - 1), self.rcv_nxt, wnd)

    def _on_ack(self, now: int, seg: Tcp, acts: list[Action]) -> bool:
        """Process SEG.ACK in a synchronized state; True when the connection ended."""
        ack = seg.ack
        if seq_gt(ack, self.snd_una):
            queued = len(self._sndbuf)
            self._ack_advances(now, ack)
            if self.snd_una == self.snd_max:
                self._disarm(TimerKind.RETRANSMIT, acts)
            else:  # RFC 6298 §5.3: restart the timer when new data is ACKed
                self._arm(TimerKind.RETRANSMIT, now + self._rto.rto, acts)
            if queued and not self._sndbuf:
                acts.append(AllAcked())  # the application may write its next step
        elif (ack == self.snd_una and not seg.payload and not seg.flags & FIN
              and self.snd_una != self.snd_max and seg.window << self._snd_wscale == self.snd_wnd):
            self._dupacks += 1  # RFC 5681 §2 "duplicate acknowledgment"
            if self._dupacks == _DUPACK_THRESHOLD:
                self._fast_retransmit(now, acts)
        # Window update, only from segments newer than the last one used (§3.10.7.4, SND.WL1/WL2).
        if seq_lt(self._snd_wl1, seg.seq) or (self._snd_wl1 == seg.seq and seq_le(self._snd_wl2, ack)):
            self.snd_wnd = seg.window << self._snd_wscale
            self._snd_wl1, self._snd_wl2 = seg.seq, ack
        fin_acked = self._fin_queued and ack == seq_add(self._buf_seq, len(self._sndbuf) + 1)
        if fin_acked:
            if self.state is S.FIN_WAIT_1:
                self.state = S.FIN_WAIT_2
            elif self.state is S.CLOSING:
                self._enter_time_wait(now, acts)
            elif self.state is S.LAST_ACK:
                acts.append(Note(f"{self.key}: our FIN is ACKed in LAST-ACK, connection closed", kind="tcp.closed"))
                self._finish(CloseReason.NORMAL, acts)
                return True
        return False

    def _ack_advances(self, now: int, ack: int) -> None:
        data = min(len(self._sndbuf), max(0, seq_diff(ack, self._buf_seq)))
        if data:
            del self._sndbuf[:data]
            self._buf_seq = seq_add(self._buf_seq, data)
        self.snd_una = ack
        if seq_lt(self.snd_nxt, ack):
            self.snd_nxt = ack
        self._retries = 0
        self._dupacks = 0
        if self._timed is not None and seq_ge(ack, self._timed[0]):
            self._rto.sample(now - self._timed[1])
            self._timed = None
        if self.cwnd and data:  # RFC 5681 §3.1: slow start below ssthresh, else congestion avoidance
            if self.cwnd < self.ssthresh:
                self.cwnd += min(data, self.eff_mss)
            else:
                self.cwnd += max(1, self.eff_mss * self.eff_mss // self.cwnd)

    def _fast_retransmit(self, now: int, acts: list[Action]) -> None:
        """RFC 5681 §3.2: the third duplicate ACK means the segment at SND.UNA was lost."""
        flight = seq_diff(self.snd_max, self.snd_una)
        self.ssthresh = max(flight // 2, 2 * self.eff_mss)
        self.cwnd = self.ssthresh
        self._timed = None
        acts.append(Note(f"{self.key}: third duplicate ACK for {self.snd_una - self.iss & 0xFFFFFFFF}: "
                         f"fast retransmit", kind="tcp.fast_retransmit"))
        self._emit_data(now, self.snd_una, acts)

    def _on_text(self, now: int, seg: Tcp, acts: list[Action]) -> None:
        """§3.10.7.4 seventh and eighth: accept in-order data, hold the rest, then the FIN."""
        seq, data = seg.seq, seg.payload
        if seg.flags & SYN:
            seq = seq_add(seq, 1)
        if self._ts_ok and seq_le(seq, self.rcv_nxt):
            tsval = read_tsval(seg.options)  # RFC 7323 §4.3: TS.Recent from in-order segments
            if tsval is not None:
                self._ts_recent = tsval
        fin_seq = seq_add(seq, len(data)) if seg.flags & FIN else None
        skip = seq_diff(self.rcv_nxt, seq)
        if skip > 0:  # already have the front of it
            data = data[skip:]
            seq = self.rcv_nxt
        data = data[: max(0, self.rcv_wnd - seq_diff(seq, self.rcv_nxt))]  # never beyond the window
        # An ACK at once for what is not plain in-order data (RFC 5681 §4.2: out-of-order data,
        # a gap filled); in-order data and the FIN go through the ACK policy.
        ack_now = bool(seg.payload) and not data
        if self.state not in _RECEIVES_TEXT:
            ack_now = ack_now or bool(data)
            data = b""  # data after the peer's FIN is not accepted
        if data and seq == self.rcv_nxt:
            chunks = [data]
            self.rcv_nxt = seq_add(self.rcv_nxt, len(data))
            had_hole = bool(self._ooo)
            self._acks.on_data(now, len(data), bool(seg.flags & (PSH | FIN | SYN | URG)), bool(seg.flags & PSH),
                               self.rcv_wnd, self._rto.rto)
            while self._ooo:  # fill from what arrived early
                first = min(self._ooo, key=lambda s: seq_diff(s, self.rcv_nxt))
                gap = seq_diff(self.rcv_nxt, first)
                if gap < 0:
                    break
                held = self._ooo.pop(first)
                if gap < len(held):
                    chunks.append(held[gap:])
                    self.rcv_nxt = seq_add(self.rcv_nxt, len(held) - gap)
            payload = b"".join(chunks)
            if had_hole and not self._ooo:
                self._acks.on_hole_filled()
        elif data:
            if len(data) > len(self._ooo.get(seq, b"")):
                self._ooo[seq] = data
            payload = b""
            ack_now = True
            acts.append(Note(f"{self.key}: segment at {seq_diff(seq, self.irs)} arrived before "
                             f"{seq_diff(self.rcv_nxt, self.irs)}: held, duplicate ACK sent", kind="tcp.out_of_order"))
        else:
            payload = b""
        if fin_seq is not None and seq_ge(fin_seq, self.rcv_nxt):
            self._ooo_fin = fin_seq
        fin_now = self._ooo_fin is not None and self._ooo_fin == self.rcv_nxt and not self._eof_seen
        if fin_now:
            self.rcv_nxt = seq_add(self.rcv_nxt, 1)  # the FIN occupies one sequence number
            self._eof_seen = True
        if fin_seq is not None and not fin_now and not data and not self._eof_seen:
            acts.append(Note(f"{self.key}: FIN at {seq_diff(fin_seq, self.irs)} arrived before "
                             f"{seq_diff(self.rcv_nxt, self.irs)}: held until the data before it comes",
                             kind="tcp.out_of_order"))
            ack_now = True
        if fin_now:
            if self.state in (S.SYN_RECEIVED, S.ESTABLISHED):
                self._acks.on_fin_established()  # tcp_fin: its ACK waits for our answer
            else:
                ack_now = True  # FIN-WAIT: Linux's tcp_fin ACKs at once
        self._ack_decision(now, acts, ack_now, app_reads=bool(payload))
        if payload:
            acts.append(Deliver(payload))
        if fin_now:
            acts.append(EndOfStream())
            self._on_fin(now, acts)

    def _on_fin(self, now: int, acts: list[Action]) -> None:
        if self.state in (S.SYN_RECEIVED, S.ESTABLISHED):
            self.state = S.CLOSE_WAIT
            acts.append(Note(f"{self.key}: FIN from the peer, CLOSE-WAIT until the application closes", kind="tcp.fin_received"))
        elif self.state is S.FIN_WAIT_1:
            self.state = S.CLOSING  # our FIN is not ACKed yet: simultaneous close (§3.6)
            acts.append(Note(f"{self.key}: the peer's FIN crossed ours (simultaneous close), CLOSING", kind="tcp.fin_received"))
        elif self.state is S.FIN_WAIT_2:
            self._enter_time_wait(now, acts)

    def _ack_decision(self, now: int, acts: list[Action], ack_now: bool, app_reads: bool) -> None:
        """Send the owed ACK now, or arm the delayed-ACK timer (``delack.py``)."""
        policy = self._acks
        if ack_now or policy.due_now(self.rcv_nxt, app_reads):
            self._send_ack(now, acts)
        elif policy.scheduled:
            at = policy.delayed_at(now, self._rto.srtt)
            if at is None:
                self._send_ack(now, acts)
            else:
                self._arm(TimerKind.DELACK, at, acts)

    # -- sending ---------------------------------------------------------------------------------
    def _output(self, now: int, acts: list[Action]) -> None:
        """Send what the windows allow (peer's receive window and our congestion window)."""
        if self.state not in _CAN_SEND:
            return
        while True:
            end = seq_add(self._buf_seq, len(self._sndbuf))
            remaining = seq_diff(end, self.snd_nxt)
            room = min(self.snd_wnd, self.cwnd) - seq_diff(self.snd_nxt, self.snd_una)
            fin_unsent = self._fin_queued and self.snd_nxt == end
            if remaining > 0 and room > 0:
                self._emit_data(now, self.snd_nxt, acts, limit=room)
            elif fin_unsent:
                self._emit_data(now, self.snd_nxt, acts)
            else:
                return

    def _emit_data(self, now: int, seq: int, acts: list[Action], limit: int | None = None) -> None:
        off = seq_diff(seq, self._buf_seq)
        n = min(len(self._sndbuf) - off, self.eff_mss, limit if limit is not None else self.eff_mss)
        payload = bytes(self._sndbuf[off : off + n])
        flags = ACK
        last = off + n == len(self._sndbuf)
        if n and last:
            flags |= PSH  # Linux marks the segment that empties the write queue
        if last and self._fin_queued:
            flags |= FIN
        self._emit(self._seg(now, flags, seq, payload), acts)
        after = seq_add(seq, seg_len(flags, n))
        if n and seq_gt(after, self.snd_max):
            self._acks.on_data_sent(now)  # new data: a quick reply makes the connection interactive
        if seq_gt(after, self.snd_max):
            if self._timed is None:
                self._timed = (after, now)
            self.snd_max = after
        if seq == self.snd_nxt:
            self.snd_nxt = after
        if TimerKind.RETRANSMIT not in self._timers:
            self._arm(TimerKind.RETRANSMIT, now + self._rto.rto, acts)

    def _send_syn(self, now: int, acts: list[Action], *, ack: bool) -> None:
        cfg = self.cfg
        if ack:  # RFC 7323 §1.3, RFC 2018 §2: answer only the options the SYN offered
            opts = tcp_options(
                mss=cfg.mss,
                sack_perm=self._sack_ok,
                timestamp=(self._tsval(now), self._ts_recent) if self._ts_ok else None,
                wscale=cfg.wscale if self._ws_offered else None,
            )
        else:
            opts = tcp_options(mss=cfg.mss, sack_perm=cfg.sack_perm,
                               timestamp=(self._tsval(now), 0) if cfg.timestamps else None, wscale=cfg.wscale)
        # RFC 7323 §2.2: the window of a SYN is never scaled.
        seg = Tcp(self.key.local_port, self.key.remote_port, self.iss, self.rcv_nxt if ack else 0,
                  SYN | ACK if ack else SYN, min(self.rcv_wnd, 0xFFFF), options=opts)
        if self._timed is None and self._retries == 0:
            self._timed = (seq_add(self.iss, 1), now)
        self._emit(seg, acts)

    def _take_peer_syn(self, seg: Tcp, peer: PeerSyn) -> None:
        self.irs = seg.seq
        self.rcv_nxt = seq_add(seg.seq, 1)
        cfg = self.cfg
        self._sack_ok = cfg.sack_perm and peer.sack_perm
        self._ts_ok = cfg.timestamps and peer.tsval is not None
        if self._ts_ok:
            self._ts_recent = peer.tsval
        if cfg.wscale is not None and peer.wscale is not None:  # RFC 7323 §2.2: both or neither
            self._snd_wscale, self._rcv_wscale, self._ws_offered = peer.wscale, cfg.wscale, True
        self.eff_mss = min(peer.mss, cfg.mss) - (TS_OPTION_LEN if self._ts_ok else 0)
        self._acks = AckPolicy(cfg.mss, TCP_HEADER + (TS_OPTION_LEN if self._ts_ok else 0), self.rcv_wnd)

    def _start_window(self, seg: Tcp) -> None:
        self.snd_wnd = seg.window if seg.flags & SYN else seg.window << self._snd_wscale
        self._snd_wl1, self._snd_wl2 = seg.seq, seg.ack
        self.cwnd = self.cfg.initial_cwnd_segments * self.eff_mss

    def _send_ack(self, now: int, acts: list[Action]) -> None:
        self._emit(self._seg(now, ACK, self.snd_nxt), acts)

    def _seg(self, now: int, flags: int, seq: int, payload: bytes = b"") -> Tcp:
        # Linux rounds the advertised window up to a multiple of the scale (64240 -> 502 * 128).
        window = min(0xFFFF, -(-self.rcv_wnd >> self._rcv_wscale))
        opts = segment_options(self._tsval(now) if self._ts_ok else None, self._ts_recent,
                               self._sack_blocks() if self._sack_ok else [])
        return Tcp(self.key.local_port, self.key.remote_port, seq, self.rcv_nxt, flags, window, payload, opts)

    def _sack_blocks(self) -> list[tuple[int, int]]:
        blocks: list[tuple[int, int]] = []
        for start in sorted(self._ooo, key=lambda s: seq_diff(s, self.rcv_nxt)):
            end = seq_add(start, len(self._ooo[start]))
            if blocks and seq_le(start, blocks[-1][1]):
                if seq_gt(end, blocks[-1][1]):
                    blocks[-1] = (blocks[-1][0], end)
            else:
                blocks.append((start, end))
        return blocks

    def _tsval(self, now: int) -> int:
        return (self._ts_offset + now // NS_PER_MS) & 0xFFFFFFFF  # a 1 ms clock, as Linux's

    def _emit(self, seg: Tcp, acts: list[Action]) -> None:
        acts.append(Emit(seg, self.key.local_ip, self.key.remote_ip))
        if seg.flags & ACK and self._acks is not None:
            self._acks.on_ack_sent(self.rcv_nxt)  # every ACK-bearing segment pays what is owed
            self._disarm(TimerKind.DELACK, acts)

    # -- bookkeeping -----------------------------------------------------------------------------
    def _enter_time_wait(self, now: int, acts: list[Action]) -> None:
        self.state = S.TIME_WAIT
        self._disarm(TimerKind.RETRANSMIT, acts)
        self._disarm(TimerKind.DELACK, acts)
        self._arm(TimerKind.TIME_WAIT, now + self.cfg.time_wait_ns, acts)
        acts.append(Note(f"{self.key}: both FINs are ACKed; TIME-WAIT for {self.cfg.time_wait_ns // 10**9} s "
                         f"(2 MSL) so that a late segment cannot reach a new connection on the same ports", kind="tcp.time_wait"))

    def _arm(self, kind: TimerKind, at_ns: int, acts: list[Action]) -> None:
        self._timers[kind] = at_ns
        acts.append(SetTimer(TimerKey(self.key, kind), at_ns))

    def _disarm(self, kind: TimerKind, acts: list[Action]) -> None:
        if self._timers.pop(kind, None) is not None:
            acts.append(CancelTimer(TimerKey(self.key, kind)))

    def _finish(self, reason: CloseReason, acts: list[Action]) -> None:
        for kind in list(self._timers):
            self._disarm(kind, acts)
        self.state = S.CLOSED
        self.close_reason = reason
        acts.append(Closed(reason))
