"""The retransmission timeout (RFC 6298 smoothing), bounded the way Linux bounds it.

RFC 6298 §2.4 rounds the RTO up to 1 s; Linux instead adds a 200 ms floor to the variance term
(``__tcp_set_rto``: RTO = SRTT + max(4*RTTVAR, TCP_RTO_MIN)), so on a LAN the RTO is about 200 ms.
"""

from __future__ import annotations

from .config import TcpConfig


class RtoEstimator:
    """SRTT/RTTVAR smoothing with alpha = 1/8, beta = 1/4 and K = 4 (RFC 6298 §2)."""

    __slots__ = ("srtt", "rttvar", "rto", "_cfg")

    def __init__(self, cfg: TcpConfig):
        self._cfg = cfg
        self.srtt: int | None = None
        self.rttvar = 0
        self.rto = cfg.rto_initial_ns  # RFC 6298 §2.1: 1 s before any measurement

    def sample(self, rtt_ns: int) -> None:
        """A round-trip measurement of a segment that was never retransmitted (Karn's rule,
        RFC 6298 §3, is the caller's job)."""
        if self.srtt is None:  # §2.2: the first measurement
            self.srtt = rtt_ns
            self.rttvar = rtt_ns // 2
        else:  # §2.3
            self.rttvar = (3 * self.rttvar + abs(self.srtt - rtt_ns)) // 4
            self.srtt = (7 * self.srtt + rtt_ns) // 8
        self.rto = min(self._cfg.rto_max_ns, self.srtt + max(4 * self.rttvar, self._cfg.rto_min_ns))

    def backoff(self) -> None:
        """§5.5: double the RTO on every expiry, up to the maximum."""
        self.rto = min(self._cfg.rto_max_ns, self.rto * 2)
