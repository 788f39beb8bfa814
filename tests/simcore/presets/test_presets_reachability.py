"""VirtualBox modes by ping: the cells of wire-behaviour.md's table that the presets expand.

Expanded so far: internal, hostonly and bridged (15 cells, proven by pings). nat and natnetwork
are not expanded by ``simcore/devices/presets.py`` yet (docs/vbox-modes.md): their 10 cells have
no test until they are.
"""

import copy

import pytest

from simcore.design.problems import DesignError
from simcore.network import Network

# VM addresses per mode (static: the presets add no DHCP server yet).
ADDR = {"bridged": ("198.51.100.101/24", "198.51.100.102/24"), "internal": ("10.9.0.11/24", "10.9.0.12/24"),
        "hostonly": ("192.168.56.101/24", "192.168.56.102/24")}
HOST_ADDR = {"bridged": None, "internal": None, "hostonly": "192.168.56.1"}


def design(mode: str) -> dict:
    a, b = ADDR.get(mode, ("10.0.2.15/24", "10.0.2.15/24"))
    return {
        "version": 1,
        "nodes": [
            {"id": "lan", "kind": "lan_switch"},
            {"id": "lanhost", "kind": "host", "os": "linux",
             "nics": [{"name": "eth0", "mac": "02:00:00:51:00:20", "ip": "198.51.100.20/24"}]},
            {"id": "hv", "kind": "host", "os": "linux",
             "nics": [{"name": "enp1s0", "mac": "02:00:00:51:00:0a", "ip": "198.51.100.10/24"}]},
            {"id": "vm1", "kind": "vm", "host": "hv", "os": "linux",
             "nics": [{"name": "eth0", "mac": "08:00:27:00:00:01", "ip": a, "mode": mode}]},
            {"id": "vm2", "kind": "vm", "host": "hv", "os": "linux",
             "nics": [{"name": "eth0", "mac": "08:00:27:00:00:02", "ip": b, "mode": mode}]},
        ],
        "links": [
            {"id": "l_lanhost", "a": {"node": "lanhost", "nic": "eth0"}, "b": {"node": "lan"}},
            {"id": "l_hv", "a": {"node": "hv", "nic": "enp1s0"}, "b": {"node": "lan"}},
        ],
        "captures": [],
    }


def pinged(mode: str, who: str, target: str) -> int:
    net = Network.from_design(copy.deepcopy(design(mode)), seed=0, trace=[])
    net.command(who, f"ping -c 1 -W 1 {target}", at=1.0)
    net.run_until(5)
    pings = [f for f in net.facts() if f["kind"] == "ping"]
    return pings[0]["received"] if pings else 0


def host_of(mode: str) -> str:
    return HOST_ADDR[mode] or "198.51.100.10"


# (mode, direction, who, target(mode), expected received)
CELLS = [
    ("internal", "vm_to_host", "vm1", lambda m: host_of(m), 0),
    ("internal", "host_to_vm", "hv", lambda m: ADDR[m][0].split("/")[0], 0),
    ("internal", "vm_to_vm", "vm1", lambda m: ADDR[m][1].split("/")[0], 1),
    ("internal", "vm_to_lan", "vm1", lambda m: "198.51.100.20", 0),
    ("internal", "lan_to_vm", "lanhost", lambda m: ADDR[m][0].split("/")[0], 0),
    ("hostonly", "vm_to_host", "vm1", lambda m: host_of(m), 1),
    ("hostonly", "host_to_vm", "hv", lambda m: ADDR[m][0].split("/")[0], 1),
    ("hostonly", "vm_to_vm", "vm1", lambda m: ADDR[m][1].split("/")[0], 1),
    ("hostonly", "vm_to_lan", "vm1", lambda m: "198.51.100.20", 0),
    ("hostonly", "lan_to_vm", "lanhost", lambda m: ADDR[m][0].split("/")[0], 0),
    ("bridged", "vm_to_host", "vm1", lambda m: host_of(m), 1),
    ("bridged", "host_to_vm", "hv", lambda m: ADDR[m][0].split("/")[0], 1),
    ("bridged", "vm_to_vm", "vm1", lambda m: ADDR[m][1].split("/")[0], 1),
    ("bridged", "vm_to_lan", "vm1", lambda m: "198.51.100.20", 1),
    ("bridged", "lan_to_vm", "lanhost", lambda m: ADDR[m][0].split("/")[0], 1),
]


@pytest.mark.parametrize("mode, direction, who, target, expected", CELLS,
                         ids=[f"{c[0]}-{c[1]}" for c in CELLS])
def test_presets_cell(mode, direction, who, target, expected):
    assert pinged(mode, who, target(mode)) == expected
    if not expected:
        # A "no" must come from the mode's isolation, not from a NIC the preset left unattached:
        # the same design's VMs do reach each other.
        assert pinged(mode, "vm1", ADDR[mode][1].split("/")[0]) == 1


def test_presets_mode_nic_with_a_drawn_link_is_a_build_problem():
    doc = design("internal")
    doc["nodes"].append({"id": "sw", "kind": "lan_switch"})
    doc["links"].append({"id": "l_bad", "a": {"node": "vm1", "nic": "eth0"}, "b": {"node": "sw"}})
    with pytest.raises(DesignError) as info:
        Network.from_design(doc, seed=0, trace=[])
    assert "vm1 eth0 is in internal mode, which attaches it: remove the drawn link" in str(info.value)
