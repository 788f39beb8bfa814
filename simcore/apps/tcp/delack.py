"""When a Linux receiver acknowledges: quick ACKs, delayed ACKs, interactive ("pingpong") mode.

Pure bookkeeping for one socket, after Linux 6.1's ``tcp_input.c`` (``tcp_event_data_recv``,
``tcp_measure_rcv_mss``, ``tcp_incr_quickack``, ``tcp_fin``, ``__tcp_ack_snd_check``),
``tcp_output.c`` (``tcp_event_data_sent``, ``tcp_event_ack_sent``, ``tcp_send_delayed_ack``),
``tcp_timer.c`` (``tcp_delack_timer_handler``) and ``tcp.c`` (``tcp_cleanup_rbuf``, the ACK an
application's read sends). The socket tells it what arrived and what left; it answers whether
an ACK is due now, or the instant of the delayed-ACK timer.

- **Quick ACKs**: the first data of a connection arms 16 of them (``TCP_MAX_QUICKACKS``: the
  window over two receive MSS is larger); each ACK of new data uses one. While any are left and
  the connection is not interactive, every data segment is ACKed at once.
- **Interactive (pingpong) mode**: entered when the socket sends data within ``ato`` (40 ms) of
  receiving some (a reply: ``tcp_event_data_sent``, threshold 1) and when the peer's FIN arrives
  in ESTABLISHED (``tcp_fin``); left when a delayed ACK has to go out alone.
- **Otherwise**: ACK at once when more than one full segment is unacknowledged; else when the
  application reads a small or pushed segment and the connection is not interactive; else the
  delayed-ACK timer, ``ato`` from now (40 ms at first), which data or a FIN going the other way
  makes unnecessary (they carry the ACK).
"""

from __future__ import annotations

from .config import NS_PER_MS

TCP_ATO_MIN_NS = 40 * NS_PER_MS  # HZ/25
TCP_DELACK_MIN_NS = 40 * NS_PER_MS
TCP_DELACK_MAX_NS = 200 * NS_PER_MS  # HZ/5
MAX_ATO_NS = 500 * NS_PER_MS  # HZ/2
TCP_MAX_QUICKACKS = 16
TCP_MSS_DEFAULT = 536  # tcp_initialize_rcv_mss's first guess of the peer's segment size
TCP_MIN_MSS = 88
TCP_HEADER = 20


class AckPolicy:
    """Receive-side ACK state of one connection (``icsk_ack`` in Linux)."""

    __slots__ = ("advmss", "header_len", "quick", "ato", "pingpong", "lrcv", "scheduled", "pushed",
                 "pushed2", "ack_now", "rcv_mss", "last_seg_size", "rcv_wup", "timer_at")

    def __init__(self, advmss: int, header_len: int, rcv_wnd: int):
        self.advmss = advmss  # the MSS we announced
        self.header_len = header_len  # TCP header with the options every segment carries
        self.quick = 0
        self.ato = 0  # 0 until the first data arrives
        self.pingpong = False
        self.lrcv = 0  # when data last arrived
        self.scheduled = False  # an ACK is owed (ICSK_ACK_SCHED)
        self.pushed = self.pushed2 = False  # ICSK_ACK_PUSHED, ICSK_ACK_PUSHED2
        self.ack_now = False  # ICSK_ACK_NOW: a hole in the sequence space was just filled
        self.rcv_mss = max(min(advmss, rcv_wnd // 2, TCP_MSS_DEFAULT), TCP_MIN_MSS)
        self.last_seg_size = 0
        self.rcv_wup = 0  # RCV.NXT when we last told the peer our window (any ACK)
        self.timer_at: int | None = None

    # -- what arrived ------------------------------------------------------------------------
    def on_data(self, now: int, length: int, flags_remnant: bool, psh: bool, rcv_wnd: int, rto: int) -> None:
        """In-order data of ``length`` bytes (``tcp_event_data_recv``). ``flags_remnant``: the
        segment carried PSH, FIN, SYN or URG."""
        self.scheduled = True
        self._measure(length, flags_remnant, psh)
        if not self.ato:  # the first data: start the delayed-ACK engine in quick mode
            self._incr_quickack(rcv_wnd)
            self.ato = TCP_ATO_MIN_NS
        else:
            gap = now - self.lrcv
            if gap <= TCP_ATO_MIN_NS // 2:
                self.ato = self.ato // 2 + TCP_ATO_MIN_NS // 2
            elif gap < self.ato:
                self.ato = min(self.ato // 2 + gap, rto)
            elif gap > rto:  # a long silence: the sender restarts slowly, ACK quickly
                self._incr_quickack(rcv_wnd)
        self.lrcv = now

    def on_fin_established(self) -> None:
        """The peer's FIN in ESTABLISHED (``tcp_fin``): CLOSE-WAIT is interactive, the ACK waits
        for the application's own answer (usually its FIN)."""
        self.scheduled = True
        self.pingpong = True

    def on_hole_filled(self) -> None:
        self.ack_now = True  # RFC 5681 §4.2: ACK at once when a gap is filled

    def enter_quickack(self, rcv_wnd: int) -> None:
        """A duplicate or out-of-window segment (``tcp_enter_quickack_mode``)."""
        self._incr_quickack(rcv_wnd)
        self.pingpong = False
        self.ato = TCP_ATO_MIN_NS
        self.scheduled = True

    # -- the decision ------------------------------------------------------------------------
    def due_now(self, rcv_nxt: int, app_reads: bool) -> bool:
        """Is the owed ACK due now? ``app_reads``: the application reads the data at once (ours
        always do), so ``tcp_cleanup_rbuf``'s rule applies as well as ``__tcp_ack_snd_check``'s."""
        if not self.scheduled:
            return False
        beyond_one_segment = (rcv_nxt - self.rcv_wup) % (1 << 32) > self.rcv_mss
        if beyond_one_segment or (self.quick and not self.pingpong) or self.ack_now:
            return True
        return app_reads and (self.pushed2 or (self.pushed and not self.pingpong))

    def delayed_at(self, now: int, srtt: int | None) -> int | None:
        """Arm the delayed-ACK timer (``tcp_send_delayed_ack``): its instant, or None when an
        armed timer is about to expire anyway and the ACK should go now."""
        ato = self.ato
        if ato > TCP_DELACK_MIN_NS:
            max_ato = TCP_DELACK_MAX_NS if (self.pingpong or self.pushed) else MAX_ATO_NS
            if srtt is not None:
                max_ato = min(max_ato, max(srtt, TCP_DELACK_MIN_NS))
            ato = min(ato, max_ato)
        ato = min(ato, TCP_DELACK_MAX_NS)
        at = now + ato
        if self.timer_at is not None:
            if self.timer_at <= now + ato // 4:
                return None
            at = min(at, self.timer_at)
        self.timer_at = at
        return at

    def on_timer(self, rto: int) -> bool:
        """The delayed-ACK timer fired: True when the ACK must go out alone now."""
        self.timer_at = None
        if not self.scheduled:
            return False
        if self.pingpong:  # the reply we waited for did not come: not interactive after all
            self.pingpong = False
            self.ato = TCP_ATO_MIN_NS
        else:
            self.ato = min(self.ato * 2, rto)
        return True

    # -- what left -----------------------------------------------------------------------------
    def on_ack_sent(self, rcv_nxt: int) -> None:
        """Any segment carrying ACK left (``tcp_event_ack_sent``, ``tcp_select_window``)."""
        if self.quick:
            if self.scheduled:
                self.quick -= 1
            if not self.quick:
                self.ato = TCP_ATO_MIN_NS
        self.scheduled = self.pushed = self.pushed2 = self.ack_now = False
        self.timer_at = None
        self.rcv_wup = rcv_nxt

    def on_data_sent(self, now: int) -> None:
        """New data left (``tcp_event_data_sent``): a reply soon after receiving is interactive."""
        if self.ato and now - self.lrcv < self.ato:
            self.pingpong = True

    # -- helpers -------------------------------------------------------------------------------
    def _incr_quickack(self, rcv_wnd: int) -> None:
        quickacks = min(rcv_wnd // (2 * self.rcv_mss) or 2, TCP_MAX_QUICKACKS)
        self.quick = max(self.quick, quickacks)

    def _measure(self, length: int, flags_remnant: bool, psh: bool) -> None:
        """``tcp_measure_rcv_mss``: learn the peer's segment size; note small (pushed) segments."""
        last, self.last_seg_size = self.last_seg_size, 0
        if length >= self.rcv_mss:
            self.rcv_mss = min(length, self.advmss)
            if psh:
                self.pushed = True
            return
        on_wire = length + self.header_len
        if on_wire >= TCP_MSS_DEFAULT + TCP_HEADER or (on_wire >= TCP_MIN_MSS + TCP_HEADER and not flags_remnant):
            self.last_seg_size = length
            if length == last:
                self.rcv_mss = length
                return
        if self.pushed:
            self.pushed2 = True
        self.pushed = True
