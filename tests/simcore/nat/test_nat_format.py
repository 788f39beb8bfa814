"""``conntrack -L`` text and the live table's rows, exactly."""

from nat_builders import CLIENT, OUT, PUBLIC, VM, S, echo, new_nat, tcp, udp

from simcore.packets import ACK, SYN

MS = 1_000_000


def busy_nat():
    """A ping answered, a DNS query unanswered, a forwarded web connection established."""
    nat = new_nat(forwards=("web,tcp,,8080,10.0.2.15,80",))
    nat.outbound(0, echo(VM, OUT, 8, 4660, 1))
    nat.inbound(2 * MS, echo(OUT, PUBLIC, 0, 4660, 1))
    nat.outbound(100 * MS, udp(VM, 40000, "198.51.100.53", 53))
    nat.inbound(200 * MS, tcp(CLIENT, 50000, PUBLIC, 8080, 1, 0, SYN))
    nat.outbound(201 * MS, tcp(VM, 80, CLIENT, 50000, 9, 2, SYN | ACK))
    nat.inbound(202 * MS, tcp(CLIENT, 50000, PUBLIC, 8080, 2, 10, ACK))
    return nat


def test_conntrack_list_text():
    out, err = busy_nat().conntrack_text(1 * S)
    assert out == (
        "icmp     1 29 src=10.0.2.15 dst=203.0.113.10 type=8 code=0 id=4660 "
        "src=203.0.113.10 dst=203.0.113.2 type=0 code=0 id=4660 mark=0 use=1\n"
        "udp      17 29 src=10.0.2.15 dst=198.51.100.53 sport=40000 dport=53 [UNREPLIED] "
        "src=198.51.100.53 dst=203.0.113.2 sport=53 dport=40000 mark=0 use=1\n"
        "tcp      6 431999 ESTABLISHED src=198.51.100.7 dst=203.0.113.2 sport=50000 dport=8080 "
        "src=10.0.2.15 dst=198.51.100.7 sport=80 dport=50000 [ASSURED] mark=0 use=1\n"
    )
    assert err == "conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.\n"


def test_conntrack_list_with_accounting():
    out, _ = busy_nat().conntrack_text(1 * S, accounting=True)
    assert out.splitlines()[1] == (
        "udp      17 29 src=10.0.2.15 dst=198.51.100.53 sport=40000 dport=53 packets=1 bytes=33 [UNREPLIED] "
        "src=198.51.100.53 dst=203.0.113.2 sport=53 dport=40000 packets=0 bytes=0 mark=0 use=1")
    assert out.splitlines()[2].endswith("packets=2 bytes=80 src=10.0.2.15 dst=198.51.100.7 sport=80 dport=50000 "
                                        "packets=1 bytes=40 [ASSURED] mark=0 use=1")


def test_conntrack_list_after_expiry_and_empty():
    nat = busy_nat()
    out, err = nat.conntrack_text(31 * S)  # the ping and the query have timed out
    assert out.count("\n") == 1 and out.startswith("tcp      6 431969 ESTABLISHED")
    assert err == "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n"
    assert new_nat().conntrack_text(0) == ("", "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n")


def test_table_rows():
    rows = busy_nat().table_rows(1 * S)
    assert rows == [
        {"id": 1, "protocol": "icmp", "state": "REPLIED", "nat": "snat", "rule": None,
         "inside": "10.0.2.15 id 4660", "public": "203.0.113.2 id 4660", "remote": "203.0.113.10",
         "original": {"src": "10.0.2.15", "dst": "203.0.113.10", "type": 8, "code": 0, "id": 4660},
         "reply": {"src": "203.0.113.10", "dst": "203.0.113.2", "type": 0, "code": 0, "id": 4660},
         "expires_in": 29, "seen_reply": True, "assured": False,
         "packets": {"original": 1, "reply": 1}, "bytes": {"original": 84, "reply": 84}},
        {"id": 2, "protocol": "udp", "state": "UNREPLIED", "nat": "snat", "rule": None,
         "inside": "10.0.2.15:40000", "public": "203.0.113.2:40000", "remote": "198.51.100.53:53",
         "original": {"src": "10.0.2.15", "dst": "198.51.100.53", "sport": 40000, "dport": 53},
         "reply": {"src": "198.51.100.53", "dst": "203.0.113.2", "sport": 53, "dport": 40000},
         "expires_in": 29, "seen_reply": False, "assured": False,
         "packets": {"original": 1, "reply": 0}, "bytes": {"original": 33, "reply": 0}},
        {"id": 3, "protocol": "tcp", "state": "ESTABLISHED", "nat": "dnat", "rule": "web",
         "inside": "10.0.2.15:80", "public": "203.0.113.2:8080", "remote": "198.51.100.7:50000",
         "original": {"src": "198.51.100.7", "dst": "203.0.113.2", "sport": 50000, "dport": 8080},
         "reply": {"src": "10.0.2.15", "dst": "198.51.100.7", "sport": 80, "dport": 50000},
         "expires_in": 431999, "seen_reply": True, "assured": True,
         "packets": {"original": 2, "reply": 1}, "bytes": {"original": 80, "reply": 40}},
    ]


def test_rows_of_the_routers_own_connections():
    nat = new_nat()
    nat.inbound(0, echo(OUT, PUBLIC, 8, 5, 1))
    nat.outbound(0, udp(PUBLIC, 33000, OUT, 53))
    rows = nat.table_rows(0)
    assert [(r["nat"], r["inside"], r["public"], r["remote"]) for r in rows] == [
        ("none", None, "203.0.113.2", "203.0.113.10 id 5"),
        ("none", None, "203.0.113.2:33000", "203.0.113.10:53"),
    ]
