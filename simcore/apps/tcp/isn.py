"""Initial sequence numbers and timestamp offsets the way RFC 6528 and Linux make them.

RFC 6528 §3: ISN = M + F(local ip, local port, remote ip, remote port, secret), M a clock. Linux's
``secure_tcp_seq`` uses a keyed hash and a clock ticking every 64 ns; its timestamp offset
(``secure_tcp_ts_off``) hashes the address pair. Both make a new connection on the same ports
start beyond the old one, which is what lets a SYN end a TIME-WAIT early. The secret comes from
the run's RNG, the hash is BLAKE2 (never Python's ``hash``, which PYTHONHASHSEED changes).
"""

from __future__ import annotations

from hashlib import blake2b

from .actions import ConnKey

_MASK = 0xFFFFFFFF


def _keyed32(secret: bytes, text: str) -> int:
    return int.from_bytes(blake2b(text.encode("ascii"), key=secret, digest_size=4).digest(), "big")


def initial_sequence(secret: bytes, key: ConnKey, now_ns: int) -> int:
    tuple_text = f"{key.local_ip} {key.local_port} {key.remote_ip} {key.remote_port}"
    return (_keyed32(secret, tuple_text) + (now_ns >> 6)) & _MASK


def timestamp_offset(secret: bytes, local_ip: str, remote_ip: str) -> int:
    return _keyed32(secret, f"ts {local_ip} {remote_ip}")
