"""The server's lease table on its own, and the layering of the DHCP package."""

import ast
from pathlib import Path

import pytest

from simcore.apps.dhcp import Lease, LeaseState, LeaseTable

A, B, C = "08:00:27:00:00:0a", "08:00:27:00:00:0b", "08:00:27:00:00:0c"
BOUND, OFFERED, CONFLICT = LeaseState.BOUND, LeaseState.OFFERED, LeaseState.CONFLICT


def table(*leases, reserved=()):
    t = LeaseTable("10.0.2.15", "10.0.2.18", reserved)
    for lease in leases:
        t.put(lease)
    return t


@pytest.mark.parametrize(
    ("leases", "reserved", "mac", "expected"),
    [
        ((), (), A, "10.0.2.15"),  # the range start first
        ((Lease("10.0.2.15", B, None, BOUND, 9),), (), A, "10.0.2.16"),
        ((Lease("10.0.2.15", A, None, OFFERED, 9),), (), A, "10.0.2.15"),  # its own offer
        ((Lease("10.0.2.16", A, None, BOUND, 9),), (), A, "10.0.2.16"),  # its own lease beats a lower free one
        ((Lease("10.0.2.15", A, None, CONFLICT, 9),), (), A, "10.0.2.16"),  # a conflict is nobody's
        ((), ("10.0.2.15", "10.0.2.16"), A, "10.0.2.17"),  # the server's and router's addresses
        (tuple(Lease(f"10.0.2.{i}", f"08:00:27:00:01:{i}", None, BOUND, 9) for i in range(15, 19)), (), A, None),
    ],
)
def test_next_free(leases, reserved, mac, expected):
    assert table(*leases, reserved=reserved).next_free(mac) == expected


def test_a_removed_record_below_the_scan_hint_is_found_again():
    t = table(Lease("10.0.2.15", B, None, BOUND, 9), Lease("10.0.2.16", C, None, BOUND, 9))
    assert t.next_free(A) == "10.0.2.17"
    t.remove("10.0.2.15")
    assert t.next_free(A) == "10.0.2.15"


def test_put_replaces_the_clients_previous_record():
    t = table(Lease("10.0.2.15", A, None, OFFERED, 9))
    t.put(Lease("10.0.2.17", A, "vm", BOUND, 20))
    assert t.rows() == [{"mac": A, "ip": "10.0.2.17", "hostname": "vm", "expires_at_ns": 20, "state": "bound"}]
    assert t.for_mac(A).ip == "10.0.2.17"


def test_a_conflict_does_not_take_the_answering_machines_own_record():
    t = table(Lease("10.0.2.16", B, None, BOUND, 50))
    t.put(Lease("10.0.2.15", B, None, CONFLICT, 40))
    assert t.for_mac(B).ip == "10.0.2.16"
    t.remove("10.0.2.15")
    assert t.for_mac(B).ip == "10.0.2.16"


def test_expire_returns_due_records_in_address_order_and_keeps_the_rest():
    t = table(Lease("10.0.2.17", A, None, BOUND, 10), Lease("10.0.2.15", B, None, OFFERED, 10),
              Lease("10.0.2.16", C, None, BOUND, 30), Lease("10.0.2.18", "", None, LeaseState.PROBING, None))
    assert t.expire(9) == []
    assert [lease.ip for lease in t.expire(10)] == ["10.0.2.15", "10.0.2.17"]
    assert [row["ip"] for row in t.rows()] == ["10.0.2.16", "10.0.2.18"]
    assert t.expire(29) == []
    assert [lease.ip for lease in t.expire(31)] == ["10.0.2.16"]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("10.0.2.20", "10.0.2.15", "DHCP range start 10.0.2.20 is after its end 10.0.2.15"),
        ("10.0.2", "10.0.2.15", "not an IPv4 address: '10.0.2'"),
    ],
)
def test_bad_range_raises(start, end, message):
    with pytest.raises(ValueError) as info:
        LeaseTable(start, end)
    assert str(info.value) == message


def test_the_dhcp_package_imports_only_the_packets_layer_and_the_stdlib():
    package = Path(__file__).parents[3] / "simcore" / "apps" / "dhcp"
    found = {}
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.startswith("simcore"):
                found.setdefault(node.module, []).append(path.name)
            elif isinstance(node, ast.Import):
                assert not any(alias.name.startswith(("simcore", "django")) for alias in node.names), path
    assert set(found) == {"simcore.packets"}
