"""The options a socket puts on its segments, and what it learns from the peer's SYN.

Linux's layout (what tcpdump shows as ``[mss 1460,sackOK,TS val … ecr 0,nop,wscale 7]``) is built
by ``simcore.packets.tcp.tcp_options``; after the handshake every segment carries
``NOP NOP TS`` when both sides offered timestamps (RFC 7323 §3.2), followed by
``NOP NOP SACK`` blocks when out-of-order data is held (RFC 2018 §3).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from simcore.packets.tcp import OPT_NOP, OPT_SACK, OPT_TIMESTAMP, decode_tcp_options

DEFAULT_MSS = 536  # RFC 9293 §3.7.1: assume 536 when the SYN carries no MSS option
TS_OPTION_LEN = 12  # NOP NOP kind len val ecr: what timestamps cost every segment


@dataclass(frozen=True, slots=True)
class PeerSyn:
    """What the peer's SYN (or SYN-ACK) offered."""

    mss: int
    sack_perm: bool
    tsval: int | None
    wscale: int | None


def read_syn_options(options: bytes) -> PeerSyn:
    opts = decode_tcp_options(options)
    ts = opts.get("timestamp")
    ws = opts.get("wscale")
    # RFC 7323 §2.3: a shift above 14 is treated as 14.
    return PeerSyn(
        mss=opts.get("mss", DEFAULT_MSS),
        sack_perm=bool(opts.get("sack_perm")),
        tsval=ts[0] if ts else None,
        wscale=min(ws, 14) if ws is not None else None,
    )


def read_tsval(options: bytes) -> int | None:
    """TSval of a non-SYN segment, found fast in the usual ``NOP NOP TS`` position."""
    if len(options) >= 12 and options[2] == OPT_TIMESTAMP and options[3] == 10:
        return int.from_bytes(options[4:8], "big")
    ts = decode_tcp_options(options).get("timestamp") if options else None
    return ts[0] if ts else None


def segment_options(tsval: int | None, tsecr: int, sack_blocks: list[tuple[int, int]]) -> bytes:
    """Options of a non-SYN segment: timestamps first, then up to the SACK blocks that fit in
    the 40 option bytes (3 with timestamps, 4 without; RFC 2018 §3)."""
    out = b""
    if tsval is not None:
        out += struct.pack("!BBBBII", OPT_NOP, OPT_NOP, OPT_TIMESTAMP, 10, tsval, tsecr)
    if sack_blocks:
        room = (40 - len(out) - 4) // 8
        blocks = sack_blocks[:room]
        out += struct.pack("!BBBB", OPT_NOP, OPT_NOP, OPT_SACK, 2 + 8 * len(blocks))
        for left, right in blocks:
            out += struct.pack("!II", left, right)
    return out
