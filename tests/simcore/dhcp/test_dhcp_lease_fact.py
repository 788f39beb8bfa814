"""The console fact of a bound lease is kept as a small record and reads as the dict it stands for."""

import copy
import json

from simcore.apps.dhcp.glue import LeaseFact


def test_a_lease_fact_reads_as_the_dict_of_the_lease():
    fact = LeaseFact(5_000_000_000, "vm1", "eth0", "10.0.0.100", 24, "10.0.0.1", "10.0.0.1", 3600)
    expected = {"t": 5_000_000_000, "node": "vm1", "kind": "dhcp", "nic": "eth0", "address": "10.0.0.100/24",
                "router": "10.0.0.1", "server": "10.0.0.1", "lease_s": 3600,
                "summary": "eth0 leased 10.0.0.100/24 from 10.0.0.1 for 3600 s, router 10.0.0.1"}
    assert fact == expected and expected == fact and list(fact.items()) == list(expected.items())
    assert json.dumps(dict(fact)) == json.dumps(expected) and {**fact} == expected
    assert fact.get("kind") == "dhcp" and fact.get("ping") is None and "summary" in fact
    assert copy.deepcopy(fact) == expected
    no_router = LeaseFact(0, "c1", "eth0", "10.1.2.3", 24, None, "10.1.2.1", 3600)
    assert no_router["summary"] == "eth0 leased 10.1.2.3/24 from 10.1.2.1 for 3600 s" and no_router["router"] is None
