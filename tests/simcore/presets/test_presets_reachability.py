"""VirtualBox's reachability table (its manual, table 6.1): all 25 cells.

Each cell is run in a simulated design (``vbox_designs.design``): pings, and curls where the
table's answer is a TCP port forward. A "no" is proven with the same design's VMs reaching what
the mode does allow, so it cannot come from a NIC the preset left unattached.
"""

import pytest
from vbox_designs import HV, LANHOST, WEB, design, outcome, run

from simcore.design.problems import DesignError
from simcore.network import Network
from simcore.packets import ETH_ARP, ETH_IPV4, Dhcp
from simcore.packets.dhcp import DHCPACK, OPT_DNS, OPT_LEASE_TIME, OPT_ROUTER, OPT_SERVER_ID

# Static addresses for the modes without a DHCP server of their own.
STATIC = {"bridged": ("198.51.100.101/24", "198.51.100.102/24"), "internal": ("10.9.0.11/24", "10.9.0.12/24")}


def ping(net, who, dst):
    """Replies received by each ``ping`` of ``dst`` from ``who``; 0 for one that could not even
    start (no route: "Network is unreachable")."""
    out = []
    for f in net.facts():
        if (
            f["node"] == who
            and f["kind"] == "command"
            and f["line"].startswith("ping")
            and f["line"].endswith(dst)
        ):
            got = [
                p["received"]
                for p in outcome(net, "ping")
                if p["node"] == who and p["dst"] == dst and p["t"] <= f["t"] and p["t"] >= f["t"] - 10 * 10**9
            ]
            out.append(got[-1] if got else 0)
    return out


def curl(net, who):
    return [(f["http_status"], f["body"], f["exit"]) for f in outcome(net, "curl") if f["node"] == who]


def static_design(mode):
    a, b = STATIC[mode]
    return design(mode, {"ip": a}, {"ip": b})


def ip(cidr):
    return cidr.split("/")[0]


# -- internal, bridged (static), host-only (VirtualBox's DHCP server) --------------------------

# (mode, cell, who, target, received)
PING_CELLS = [
    ("internal", "vm_to_host", "vm1", HV, 0),
    ("internal", "host_to_vm", "hv", ip(STATIC["internal"][0]), 0),
    ("internal", "vm_to_vm", "vm1", ip(STATIC["internal"][1]), 1),
    ("internal", "vm_to_lan", "vm1", LANHOST, 0),
    ("internal", "lan_to_vm", "lanhost", ip(STATIC["internal"][0]), 0),
    ("bridged", "vm_to_host", "vm1", HV, 1),
    ("bridged", "host_to_vm", "hv", ip(STATIC["bridged"][0]), 1),
    ("bridged", "vm_to_vm", "vm1", ip(STATIC["bridged"][1]), 1),
    ("bridged", "vm_to_lan", "vm1", LANHOST, 1),
    ("bridged", "lan_to_vm", "lanhost", ip(STATIC["bridged"][0]), 1),
]


@pytest.mark.parametrize(
    "mode, cell, who, target, expected", PING_CELLS, ids=[f"{c[0]}-{c[1]}" for c in PING_CELLS]
)
def test_static_mode_cell(mode, cell, who, target, expected):
    net = run(
        static_design(mode), [(who, f"ping -c 1 -W 1 {target}"), ("vm1", f"ping -c 1 {ip(STATIC[mode][1])}")]
    )
    assert ping(net, who, target)[0] == expected
    assert ping(net, "vm1", ip(STATIC[mode][1]))[-1] == 1  # the VMs are attached


HOSTONLY = [
    ("vm_to_host", "vm1", "192.168.56.1", 1),
    ("host_to_vm", "hv", "192.168.56.101", 1),
    ("vm_to_vm", "vm1", "192.168.56.102", 1),
    ("vm_to_lan", "vm1", LANHOST, 0),
    ("lan_to_vm", "lanhost", "192.168.56.101", 0),
]


@pytest.mark.parametrize("cell, who, target, expected", HOSTONLY, ids=[c[0] for c in HOSTONLY])
def test_hostonly_cell_with_leases_from_virtualbox_dhcp_server(cell, who, target, expected):
    net = run(
        design("hostonly", {"ip": "dhcp"}, {"ip": "dhcp"}),
        [(who, f"ping -c 1 -W 1 {target}"), ("vm1", "ping -c 1 192.168.56.102")],
        dhcp=("vm1", "vm2"),
    )
    leases = [(f["node"], f["address"], f["server"], f["router"]) for f in outcome(net, "dhcp")]
    # VirtualBox's host-only DHCP server: 192.168.56.100, leases from .101, no router option.
    assert leases == [
        ("vm1", "192.168.56.101/24", "192.168.56.100", None),
        ("vm2", "192.168.56.102/24", "192.168.56.100", None),
    ]
    assert ping(net, who, target)[0] == expected
    assert ping(net, "vm1", "192.168.56.102")[-1] == 1


# -- NAT: a private NAT engine per VM ----------------------------------------------------------


def nat_design():
    # vm2 configured by hand at 10.0.2.16: whatever vm1 does, it is not on vm1's 10.0.2.0/24.
    return design("nat", {"ip": "dhcp", "port_forwards": [WEB]}, {"ip": "10.0.2.16/24"})


def test_nat_vm_to_host():
    net = run(nat_design(), [("vm1", f"ping -c 1 {HV}"), ("vm1", f"curl http://{HV}/")], dhcp=("vm1",))
    assert ping(net, "vm1", HV) == [1]
    assert curl(net, "vm1") == [(200, "hv", 0)]


def test_nat_host_to_vm_only_by_port_forward():
    net = run(
        nat_design(),
        [
            ("hv", "ping -c 1 -W 1 10.0.2.15"),
            ("hv", f"curl http://{HV}:8080/"),
            ("hv", f"curl http://{HV}:8081/"),
        ],
        dhcp=("vm1",),
    )
    assert ping(net, "hv", "10.0.2.15") == [0]  # no route at all: "Network is unreachable"
    assert any("Network is unreachable" in text for _t, node, text in net.console_lines() if node == "hv")
    assert curl(net, "hv") == [(200, "vm1", 0), (None, "", 7)]


def test_nat_vm_to_vm_never():
    net = run(
        nat_design(),
        [
            ("vm1", "ping -c 1 -W 1 10.0.2.16"),
            ("vm2", "ping -c 1 -W 1 10.0.2.15"),
            ("vm1", "ping -c 1 10.0.2.2"),
        ],
        dhcp=("vm1",),
    )
    assert ping(net, "vm1", "10.0.2.16") == [0]
    assert ping(net, "vm2", "10.0.2.15") == [0]
    assert ping(net, "vm1", "10.0.2.2") == [1]  # its own NAT engine answers


def test_nat_vm_to_lan():
    net = run(
        nat_design(), [("vm1", f"ping -c 1 {LANHOST}"), ("vm1", f"curl http://{LANHOST}/")], dhcp=("vm1",)
    )
    assert ping(net, "vm1", LANHOST) == [1]
    assert curl(net, "vm1") == [(200, "lanhost", 0)]


def test_nat_lan_to_vm_only_by_port_forward_and_the_guest_sees_10_0_2_2():
    net = run(
        nat_design(),
        [("lanhost", "ping -c 1 -W 1 10.0.2.15"), ("lanhost", f"curl http://{HV}:8080/")],
        dhcp=("vm1",),
    )
    assert ping(net, "lanhost", "10.0.2.15") == [0]
    assert curl(net, "lanhost") == [(200, "vm1", 0)]
    table = net.tables()["vbox_nat"]["vboxnat-vm1-eth0"]
    assert [
        (r["name"], r["host_port"], r["guest_ip"], r["guest_port"], r["hits"]) for r in table["port_forwards"]
    ] == [("web", 8080, "10.0.2.15", 80, 1)]
    assert [(lease["ip"], lease["mac"]) for lease in table["leases"]] == [("10.0.2.15", "08:00:27:00:00:01")]
    engine = net.vbox["vboxnat-vm1-eth0"].nat
    (entry,) = [e for e in engine.entries() if e.rule == "web"]
    assert (entry.original.src, entry.original.dst, entry.original.dport) == (LANHOST, HV, 8080)
    assert (entry.reply.src, entry.reply.dst, entry.reply.sport) == ("10.0.2.15", "10.0.2.2", 80)


def lan_frames(net):
    return [frame for _t, frame in net.captures["hv_enp1s0"].records]


def test_two_nat_vms_both_get_10_0_2_15_from_10_0_2_2_and_the_outside_sees_the_host():
    doc = design("nat", {"ip": "dhcp"}, {"ip": "dhcp"})
    doc["captures"] = [{"node": "hv", "nic": "enp1s0"}]
    net = run(doc, [("vm1", f"ping -c 1 {LANHOST}"), ("vm2", f"ping -c 1 {LANHOST}")], dhcp=("vm1", "vm2"))
    leases = [(f["node"], f["address"], f["server"], f["router"], f["lease_s"]) for f in outcome(net, "dhcp")]
    assert leases == [
        ("vm1", "10.0.2.15/24", "10.0.2.2", "10.0.2.2", 86400),
        ("vm2", "10.0.2.15/24", "10.0.2.2", "10.0.2.2", 86400),
    ]
    assert ping(net, "vm1", LANHOST) == ping(net, "vm2", LANHOST) == [1]
    frames = lan_frames(net)
    ips = {(f.payload.src, f.payload.dst) for f in frames if f.ethertype == ETH_IPV4}
    # Only the host's own address and MAC ever appear on the LAN: VM traffic leaves as the host's.
    assert ips == {(HV, LANHOST), (LANHOST, HV)}
    assert {f.src for f in frames} == {"02:00:00:51:00:0a", "02:00:00:51:00:20"}
    # Two pings with the two VMs' echo ids: two connections of two engines, nothing clashed.
    echoes = [f.payload.payload for f in frames if f.ethertype == ETH_IPV4 and f.payload.src == HV]
    assert len({e.ident for e in echoes}) == 2


def test_nat_dhcp_ack_and_gateway_are_virtualbox_s():
    doc = design("nat", {"ip": "dhcp"}, {"ip": "10.0.2.16/24"})
    doc["captures"] = [{"node": "vm1", "nic": "eth0"}]
    net = run(doc, [("vm1", "ping -c 1 10.0.2.2")], dhcp=("vm1",))
    frames = [frame for _t, frame in net.captures["vm1_eth0"].records]
    acks = [
        f
        for f in frames
        if f.ethertype == ETH_IPV4
        and isinstance(getattr(f.payload.payload, "payload", None), Dhcp)
        and f.payload.payload.payload.message_type == DHCPACK
    ]
    assert len(acks) == 1
    ack = acks[0].payload.payload.payload
    assert acks[0].src == "52:54:00:12:35:02"
    assert ack.yiaddr == "10.0.2.15"
    assert (ack.get(OPT_SERVER_ID), ack.get(OPT_LEASE_TIME), ack.get(OPT_ROUTER), ack.get(OPT_DNS)) == (
        "10.0.2.2",
        86400,
        ("10.0.2.2",),
        ("10.0.2.3",),
    )
    # No address probe before the offer: VirtualBox's NAT DHCP does not ping or ARP first.
    before_ack = frames[: frames.index(acks[0])]
    assert not [
        f
        for f in before_ack
        if f.ethertype == ETH_ARP
        or f.src == "52:54:00:12:35:02"
        and f.payload.payload.payload.message_type != 2
    ]
    assert ping(net, "vm1", "10.0.2.2") == [1]


# -- NAT Network: VMs share it ------------------------------------------------------------------


def natnet_design(**kw):
    return design(
        "natnetwork",
        {"ip": "dhcp", "port_forwards": [{**WEB, "guest_ip": "10.0.2.4"}], **kw},
        {"ip": "dhcp", **kw},
    )


def test_natnetwork_leases_from_10_0_2_3():
    net = run(natnet_design(), [], dhcp=("vm1", "vm2"))
    leases = [(f["node"], f["address"], f["server"], f["router"]) for f in outcome(net, "dhcp")]
    assert leases == [
        ("vm1", "10.0.2.4/24", "10.0.2.3", "10.0.2.1"),
        ("vm2", "10.0.2.5/24", "10.0.2.3", "10.0.2.1"),
    ]


def test_natnetwork_vm_to_host():
    net = run(
        natnet_design(), [("vm1", f"ping -c 1 {HV}"), ("vm1", f"curl http://{HV}/")], dhcp=("vm1", "vm2")
    )
    assert ping(net, "vm1", HV) == [1]
    assert curl(net, "vm1") == [(200, "hv", 0)]


def test_natnetwork_host_to_vm_only_by_port_forward():
    net = run(
        natnet_design(),
        [("hv", "ping -c 1 -W 1 10.0.2.4"), ("hv", f"curl http://{HV}:8080/")],
        dhcp=("vm1", "vm2"),
    )
    assert ping(net, "hv", "10.0.2.4") == [0]
    assert curl(net, "hv") == [(200, "vm1", 0)]


def test_natnetwork_vm_to_vm():
    net = run(
        natnet_design(),
        [("vm1", "ping -c 1 10.0.2.5"), ("vm1", "curl http://10.0.2.5/")],
        dhcp=("vm1", "vm2"),
    )
    assert ping(net, "vm1", "10.0.2.5") == [1]
    assert curl(net, "vm1") == [(200, "vm2", 0)]


def test_natnetwork_vm_to_lan():
    net = run(
        natnet_design(),
        [("vm1", f"ping -c 1 {LANHOST}"), ("vm1", f"curl http://{LANHOST}/")],
        dhcp=("vm1", "vm2"),
    )
    assert ping(net, "vm1", LANHOST) == [1]
    assert curl(net, "vm1") == [(200, "lanhost", 0)]


def test_natnetwork_lan_to_vm_only_by_port_forward():
    net = run(
        natnet_design(),
        [
            ("lanhost", "ping -c 1 -W 1 10.0.2.4"),
            ("lanhost", f"curl http://{HV}:8080/"),
            ("lanhost", f"curl http://{HV}:8081/"),
        ],
        dhcp=("vm1", "vm2"),
    )
    assert ping(net, "lanhost", "10.0.2.4") == [0]
    assert curl(net, "lanhost") == [(200, "vm1", 0), (None, "", 7)]


# -- network names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode, vm1, vm2, target",
    [
        (
            "internal",
            {"ip": "10.9.0.11/24", "network": "red"},
            {"ip": "10.9.0.12/24", "network": "blue"},
            "10.9.0.12",
        ),
        (
            "hostonly",
            {"ip": "192.168.56.11/24"},
            {"ip": "192.168.57.12/24", "network": "vboxnet1"},
            "192.168.57.12",
        ),
        (
            "natnetwork",
            {"ip": "10.0.2.4/24", "network": "one"},
            {"ip": "10.0.2.5/24", "network": "two"},
            "10.0.2.5",
        ),
    ],
)
def test_nics_on_different_network_names_are_isolated(mode, vm1, vm2, target):
    net = run(design(mode, vm1, vm2), [("vm1", f"ping -c 1 -W 1 {target}")])
    assert ping(net, "vm1", target) == [0]
    same = design(
        mode,
        vm1,
        {
            **vm2,
            "network": vm1.get("network", "vboxnet0"),
            "ip": vm2["ip"].replace("192.168.57", "192.168.56"),
        },
    )
    target2 = target.replace("192.168.57", "192.168.56")
    net = run(same, [("vm1", f"ping -c 1 {target2}")])
    assert ping(net, "vm1", target2) == [1]


def test_hostonly_vboxnet1_gives_the_host_192_168_57_1():
    net = run(
        design(
            "hostonly",
            {"ip": "dhcp", "network": "vboxnet1"},
            {"ip": "192.168.57.12/24", "network": "vboxnet1"},
        ),
        [("vm1", "ping -c 1 192.168.57.1")],
        dhcp=("vm1",),
    )
    assert [f["address"] for f in outcome(net, "dhcp")] == ["192.168.57.101/24"]
    assert ping(net, "vm1", "192.168.57.1") == [1]


# -- build problems -----------------------------------------------------------------------------


def test_presets_mode_nic_with_a_drawn_link_is_a_build_problem():
    doc = static_design("internal")
    doc["nodes"].append({"id": "sw", "kind": "lan_switch"})
    doc["links"].append({"id": "l_bad", "a": {"node": "vm1", "nic": "eth0"}, "b": {"node": "sw"}})
    with pytest.raises(DesignError) as info:
        Network.from_design(doc, seed=0, trace=[])
    assert "vm1 eth0 is in internal mode, which attaches it: remove the drawn link" in str(info.value)


def test_one_host_port_forwarded_twice_is_a_build_problem():
    doc = design(
        "nat",
        {"ip": "dhcp", "port_forwards": [WEB]},
        {"ip": "dhcp", "port_forwards": [{**WEB, "name": "w2"}]},
    )
    with pytest.raises(DesignError) as info:
        Network.from_design(doc, seed=0, trace=[])
    assert (
        "nodes[4].nics[0].port_forwards[0]: vm2 eth0: tcp port 8080 of hv is already forwarded by 'web'"
        in str(info.value)
    )


def test_hostonly_network_name_must_be_a_vboxnet_adapter():
    with pytest.raises(DesignError) as info:
        Network.from_design(design("hostonly", {"network": "lab"}), seed=0, trace=[])
    assert "a host-only network is a host-only adapter vboxnet0..vboxnet199, not 'lab'" in str(info.value)


def test_a_fork_of_a_nat_mode_run_goes_on_exactly_as_the_run():
    doc = design("nat", {"ip": "dhcp", "port_forwards": [WEB]}, {"ip": "dhcp"})
    net = Network.from_design(doc, seed=3, trace=[])
    net.command("vm1", "dhclient eth0", at=0)
    net.command("vm2", "dhclient eth0", at=0.5)
    net.command("vm1", f"ping -c 3 {LANHOST}", at=2)
    net.command("lanhost", f"curl http://{HV}:8080/", at=3)
    net.run_until(2.5)
    twin = net.fork(trace=[])
    for n in (net, twin):
        n.run_until(10)
    assert twin.facts() == net.facts()
    assert [f["received"] for f in outcome(net, "ping")] == [3]
    assert [f["body"] for f in outcome(net, "curl")] == ["vm1"]
