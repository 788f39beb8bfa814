"""Packet builders and addresses shared by the NAT conversation tests (pure values)."""

import random

from simcore.devices.nat import Nat, PortForward
from simcore.packets import PROTO_ICMP, PROTO_TCP, PROTO_UDP, IcmpEcho, IPv4, Tcp, Udp

S = 1_000_000_000  # one simulated second in ns
MS = 1_000_000

VM = "10.0.2.15"
VM2 = "10.0.2.16"
PUBLIC = "203.0.113.2"
OUT = "203.0.113.10"
CLIENT = "198.51.100.7"
INSIDE = ["10.0.2.0/24"]
PING_DATA = bytes(range(56))


def new_nat(seed: int = 7, forwards: tuple[str, ...] = ()) -> Nat:
    return Nat(PUBLIC, INSIDE, random.Random(seed), forwards=[PortForward.parse(f) for f in forwards])


def echo(src: str, dst: str, typ: int, ident: int, seq: int, *, ttl: int = 64, ip_id: int = 0) -> IPv4:
    return IPv4(src, dst, PROTO_ICMP, IcmpEcho(typ, ident, seq, PING_DATA), ttl=ttl, ident=ip_id)


def udp(src: str, sport: int, dst: str, dport: int, data: bytes = b"hello", *, ttl: int = 64) -> IPv4:
    return IPv4(src, dst, PROTO_UDP, Udp(sport, dport, data), ttl=ttl)


def tcp(src: str, sport: int, dst: str, dport: int, seq: int, ack: int, flags: int, data: bytes = b"",
        *, window: int = 64240, ttl: int = 64) -> IPv4:
    return IPv4(src, dst, PROTO_TCP, Tcp(sport, dport, seq, ack, flags, window, data), ttl=ttl)
