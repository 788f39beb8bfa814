"""Sequence arithmetic modulo 2**32 (RFC 9293 §3.4)."""

import pytest

from simcore.apps.tcp.seq import seg_len, seq_add, seq_diff, seq_ge, seq_gt, seq_in_window, seq_le, seq_lt
from simcore.packets.tcp import ACK, FIN, SYN


@pytest.mark.parametrize(
    ("a", "n", "expected"),
    [
        (0, 1, 1),
        (0xFFFFFFFF, 1, 0),
        (0xFFFFFFF0, 0x20, 0x10),
        (5, -6, 0xFFFFFFFF),
    ],
)
def test_seq_add_wraps(a, n, expected):
    assert seq_add(a, n) == expected


@pytest.mark.parametrize(
    ("a", "b", "diff"),
    [
        (10, 3, 7),
        (3, 10, -7),
        (0x00000005, 0xFFFFFFFB, 10),  # 5 is 10 ahead of 2**32 - 5: across the wrap
        (0xFFFFFFFB, 0x00000005, -10),
        (0x80000000, 0, 1 << 31),  # exactly half way counts as ahead
    ],
)
def test_seq_diff_is_signed_distance(a, b, diff):
    assert seq_diff(a, b) == diff


@pytest.mark.parametrize(
    ("a", "b", "lt", "le", "gt", "ge"),
    [
        (1, 2, True, True, False, False),
        (2, 2, False, True, False, True),
        (0xFFFFFFFF, 0, True, True, False, False),  # wrap: 2**32 - 1 comes before 0
        (0, 0xFFFFFFFF, False, False, True, True),
    ],
)
def test_comparisons_across_the_wrap(a, b, lt, le, gt, ge):
    assert (seq_lt(a, b), seq_le(a, b), seq_gt(a, b), seq_ge(a, b)) == (lt, le, gt, ge)


@pytest.mark.parametrize(
    ("x", "start", "size", "inside"),
    [
        (100, 100, 10, True),
        (109, 100, 10, True),
        (110, 100, 10, False),
        (99, 100, 10, False),
        (3, 0xFFFFFFFE, 10, True),  # a window that spans the wrap
        (8, 0xFFFFFFFE, 10, False),
        (100, 100, 0, False),
    ],
)
def test_seq_in_window(x, start, size, inside):
    assert seq_in_window(x, start, size) is inside


@pytest.mark.parametrize(
    ("flags", "payload", "length"),
    [(SYN, 0, 1), (SYN | ACK, 0, 1), (ACK, 0, 0), (ACK, 100, 100), (FIN | ACK, 0, 1), (FIN | ACK, 7, 8)],
)
def test_syn_and_fin_occupy_sequence_space(flags, payload, length):
    assert seg_len(flags, payload) == length


def test_rfc6528_isn_grows_with_the_clock_for_the_same_ports():
    from simcore.apps.tcp import ConnKey
    from simcore.apps.tcp.isn import initial_sequence, timestamp_offset

    secret = bytes(range(16))
    key = ConnKey("10.0.0.1", 40000, "10.0.0.2", 80)
    first = initial_sequence(secret, key, 0)
    # 64 ns per tick: 10 s later the same 4-tuple starts 156,250,000 further on.
    assert seq_diff(initial_sequence(secret, key, 10 * 10**9), first) == 156_250_000
    assert initial_sequence(secret, ConnKey("10.0.0.1", 40002, "10.0.0.2", 80), 0) != first
    assert initial_sequence(bytes(16), key, 0) != first  # another host's secret
    assert timestamp_offset(secret, "10.0.0.1", "10.0.0.2") == timestamp_offset(secret, "10.0.0.1", "10.0.0.2")
