"""Sequence-number arithmetic modulo 2**32 (RFC 9293 §3.4).

Sequence numbers wrap, so ``a < b`` means "b is ahead of a by less than 2**31": the
signed 32-bit difference decides, never the integers themselves (RFC 1982's serial number
arithmetic, which RFC 9293 §3.4 relies on: "all arithmetic dealing with sequence numbers
must be performed modulo 2**32").
"""

MOD = 1 << 32
_MASK = MOD - 1
_HALF = 1 << 31


def seq_add(a: int, n: int) -> int:
    """``a + n`` modulo 2**32 (``n`` may be negative)."""
    return (a + n) & _MASK


def seq_diff(a: int, b: int) -> int:
    """The signed distance ``a - b`` in (-2**31, 2**31]: how far ``a`` is ahead of ``b``."""
    d = (a - b) & _MASK
    return d - MOD if d > _HALF else d


def seq_lt(a: int, b: int) -> bool:
    return seq_diff(a, b) < 0


def seq_le(a: int, b: int) -> bool:
    return seq_diff(a, b) <= 0


def seq_gt(a: int, b: int) -> bool:
    return seq_diff(a, b) > 0


def seq_ge(a: int, b: int) -> bool:
    return seq_diff(a, b) >= 0


def seq_in_window(x: int, start: int, size: int) -> bool:
    """``start <= x < start + size`` modulo 2**32 (the receive-window test of RFC 9293 §3.10.7.4)."""
    return 0 <= (x - start) & _MASK < size


def seg_len(flags: int, payload_len: int) -> int:
    """SEG.LEN: payload octets plus one for SYN and one for FIN, which occupy sequence space
    (RFC 9293 §3.4)."""
    return payload_len + (flags & 0x02 and 1) + (flags & 0x01 and 1)
