"""The ``conntrack`` console command: listing with filters, count, flush, and its errors."""

import pytest
from nat_builders import CLIENT, OUT, PUBLIC, VM, S, echo, new_nat, tcp, udp

from simcore.devices.nat.command import CommandResult, conntrack_command
from simcore.packets import SYN

HINT = "Try `conntrack -h' or 'conntrack --help' for more information.\n"
ICMP_LINE = ("icmp     1 29 src=10.0.2.15 dst=203.0.113.10 type=8 code=0 id=4660 [UNREPLIED] "
             "src=203.0.113.10 dst=203.0.113.2 type=0 code=0 id=4660 mark=0 use=1\n")
UDP_LINE = ("udp      17 29 src=10.0.2.15 dst=203.0.113.10 sport=40000 dport=53 [UNREPLIED] "
            "src=203.0.113.10 dst=203.0.113.2 sport=53 dport=40000 mark=0 use=1\n")
TCP_LINE = ("tcp      6 119 SYN_SENT src=198.51.100.7 dst=203.0.113.2 sport=50000 dport=8080 [UNREPLIED] "
            "src=10.0.2.15 dst=198.51.100.7 sport=80 dport=50000 mark=0 use=1\n")


def nat_with_three():
    nat = new_nat(forwards=("web,tcp,,8080,10.0.2.15,80",))
    nat.outbound(0, echo(VM, OUT, 8, 4660, 1))
    nat.outbound(0, udp(VM, 40000, OUT, 53))
    nat.inbound(0, tcp(CLIENT, 50000, PUBLIC, 8080, 1, 0, SYN))
    return nat


def shown(n):
    return f"conntrack v1.4.7 (conntrack-tools): {n} flow entries have been shown.\n"


@pytest.mark.parametrize("argv, result", [
    (["conntrack", "-L"], CommandResult(0, ICMP_LINE + UDP_LINE + TCP_LINE, shown(3))),
    (["conntrack", "--dump", "-p", "udp"], CommandResult(0, UDP_LINE, shown(1))),
    (["conntrack", "-L", "-p", "TCP", "--dport", "8080"], CommandResult(0, TCP_LINE, shown(1))),
    (["conntrack", "-L", "-s", "10.0.2.15"], CommandResult(0, ICMP_LINE + UDP_LINE, shown(2))),
    (["conntrack", "-L", "-d", "203.0.113.2"], CommandResult(0, TCP_LINE, shown(1))),
    (["conntrack", "-L", "--sport", "4660"], CommandResult(0, "", shown(0))),  # ICMP has no ports
    (["conntrack", "-C"], CommandResult(0, "3\n")),
    (["conntrack"], CommandResult(2, "", "conntrack v1.4.7 (conntrack-tools): no command specified\n" + HINT)),
    (["conntrack", "-L", "-x"], CommandResult(2, "", "conntrack v1.4.7 (conntrack-tools): unknown option `-x'\n" + HINT)),
    (["conntrack", "-L", "-p"], CommandResult(
        2, "", "conntrack v1.4.7 (conntrack-tools): option `-p' requires an argument\n" + HINT)),
    (["conntrack", "-L", "-p", "sctp"], CommandResult(
        2, "", "conntrack v1.4.7 (conntrack-tools): `sctp' unsupported protocol\n" + HINT)),
    (["conntrack", "-L", "-C"], CommandResult(
        2, "", "conntrack v1.4.7 (conntrack-tools): Invalid parameters, only one command allowed\n" + HINT)),
])
def test_conntrack_command(argv, result):
    assert conntrack_command(nat_with_three(), argv, S) == result


def test_flush_empties_the_table_and_replies_then_find_nothing():
    nat = nat_with_three()
    assert conntrack_command(nat, ["conntrack", "-F"], S) == CommandResult(
        0, "", "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n")
    assert nat.entries() == []
    assert nat.inbound(S, udp(OUT, 53, PUBLIC, 40000)).reason == "nat.drop.no-mapping"


def test_list_drops_expired_entries_first():
    assert conntrack_command(nat_with_three(), ["conntrack", "-L"], 31 * S) == CommandResult(
        0, TCP_LINE.replace(" 119 ", " 89 "), shown(1))
