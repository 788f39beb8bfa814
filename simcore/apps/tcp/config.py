"""Tunables of a TCP socket, with Linux 6.x defaults (and where each comes from)."""

from __future__ import annotations

from dataclasses import dataclass

NS_PER_MS = 1_000_000
NS_PER_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class TcpConfig:
    mss: int = 1460  # Ethernet MTU 1500 - 20 (IPv4) - 20 (TCP)
    # Receive space: Linux's initial window is this rounded down to a multiple of the MSS it
    # expects (tcp_select_initial_window): 44 * 1460 = 64240 on a SYN, 45 * 1448 = 65160 on a
    # SYN,ACK answering a SYN with timestamps (tcp_rmem[1] = 131072 halved by tcp_adv_win_scale=1).
    rcv_space: int = 65536
    sack_perm: bool = True  # offer SACK-permitted on SYN (net.ipv4.tcp_sack=1)
    timestamps: bool = True  # RFC 7323 timestamps (net.ipv4.tcp_timestamps=1)
    wscale: int | None = 7  # window scale offered (Linux's default shift for a 6 MB rmem)
    syn_retries: int = 6  # net.ipv4.tcp_syn_retries: SYN sent 7 times, gives up after 127 s
    synack_retries: int = 5  # net.ipv4.tcp_synack_retries
    data_retries: int = 15  # net.ipv4.tcp_retries2 (as a count; Linux turns it into a time)
    rto_initial_ns: int = 1 * NS_PER_S  # RFC 6298 §2.1
    rto_min_ns: int = 200 * NS_PER_MS  # Linux TCP_RTO_MIN (RFC 6298 says 1 s; Linux uses 200 ms)
    rto_max_ns: int = 120 * NS_PER_S  # Linux TCP_RTO_MAX
    time_wait_ns: int = 60 * NS_PER_S  # Linux TCP_TIMEWAIT_LEN (2*MSL with MSL = 30 s)
    initial_cwnd_segments: int = 10  # RFC 6928, Linux TCP_INIT_CWND

    def __post_init__(self) -> None:
        if not 88 <= self.mss <= 65495:
            raise ValueError(f"TcpConfig.mss must be in 88..65495, not {self.mss!r}")
        if self.wscale is not None and not 0 <= self.wscale <= 14:
            raise ValueError(f"TcpConfig.wscale must be in 0..14 (RFC 7323 §2.3), not {self.wscale!r}")
        limit = 0xFFFF << (self.wscale or 0)
        if not self.mss <= self.rcv_space or self.initial_window(self.mss - 12) > limit:
            raise ValueError(f"TcpConfig.rcv_space {self.rcv_space!r} must be at least the MSS and fit the window field")

    def initial_window(self, mss: int) -> int:
        return self.rcv_space // mss * mss
