"""check(): each check fires on a small design with its exact sentence, and not on the fixed one."""

from __future__ import annotations

import pytest
from design_samples import design, example, host, link, switch, vm

from simcore.design import check, validate
from simcore.design.checks import CHECK_CODES


def on_switch(*vms, switch_id="sw"):
    """hv, a vswitch and the given VMs, each VM's eth0 linked to the switch."""
    return design(
        [host("hv"), switch(switch_id), *vms],
        [link(f"l{i}", v["id"], switch_id) for i, v in enumerate(vms, 1)],
    )


def with_mac(node, mac):
    node["nics"][0]["mac"] = mac
    return node


def bare_vm(node_id, **fields):
    return {"id": node_id, "kind": "vm", "host": "hv", **fields}


def loop(links):
    nodes = [switch("sw1", "lan_switch"), switch("sw2", "lan_switch"), switch("sw3", "lan_switch")]
    return design(nodes, [link(i, a, b, a_nic=None) for i, a, b in links])


CASES = [
    (
        "duplicate-mac",
        on_switch(
            with_mac(vm("vm1", "10.0.0.1/24"), "08:00:27:00:00:01"),
            with_mac(vm("vm2", "10.0.0.2/24"), "08:00:27:00:00:01"),
        ),
        on_switch(
            with_mac(vm("vm1", "10.0.0.1/24"), "08:00:27:00:00:01"),
            with_mac(vm("vm2", "10.0.0.2/24"), "08:00:27:00:00:02"),
        ),
        [
            (
                "check.duplicate_mac",
                "error",
                "nodes[3].nics[0].mac",
                "eth0 of vm1 and eth0 of vm2 have the same MAC address 08:00:27:00:00:01 on one network: "
                "the switch will deliver their frames to only one of them. Its entry for that MAC moves between their "
                "ports as each sends, and both get the same address from a DHCP server, which knows a client by its "
                "MAC (a clone should get new MACs).",
                ("vm1", "vm2"),
            )
        ],
    ),
    (
        "duplicate-mac-ignores-case",
        on_switch(
            with_mac(vm("vm1", "10.0.0.1/24"), "08:00:27:00:00:AB"),
            with_mac(vm("vm2", "10.0.0.2/24"), "08:00:27:00:00:ab"),
        ),
        on_switch(
            with_mac(vm("vm1", "10.0.0.1/24"), "08:00:27:00:00:AB"),
            with_mac(vm("vm2", "10.0.0.2/24"), "08:00:27:00:00:ac"),
        ),
        [
            (
                "check.duplicate_mac",
                "error",
                "nodes[3].nics[0].mac",
                "eth0 of vm1 and eth0 of vm2 have the same MAC address 08:00:27:00:00:ab on one network: "
                "the switch will deliver their frames to only one of them. Its entry for that MAC moves between their "
                "ports as each sends, and both get the same address from a DHCP server, which knows a client by its "
                "MAC (a clone should get new MACs).",
                ("vm1", "vm2"),
            )
        ],
    ),
    (
        "duplicate-mac-with-a-derived-one",  # vm1's eth0 has no MAC: derive_mac gives 08:00:27:58:a7:e9
        on_switch(with_mac(vm("vm2", "10.0.0.2/24"), "08:00:27:58:a7:e9"), vm("vm1", "10.0.0.1/24")),
        on_switch(with_mac(vm("vm2", "10.0.0.2/24"), "08:00:27:58:a7:ea"), vm("vm1", "10.0.0.1/24")),
        [
            (
                "check.duplicate_mac",
                "error",
                "nodes[3].nics[0]",  # the derived MAC is not in the document: point at its NIC
                "eth0 of vm2 and eth0 of vm1 have the same MAC address 08:00:27:58:a7:e9 on one network: "
                "the switch will deliver their frames to only one of them. Its entry for that MAC moves between their "
                "ports as each sends, and both get the same address from a DHCP server, which knows a client by its "
                "MAC (a clone should get new MACs).",
                ("vm2", "vm1"),
            )
        ],
    ),
    (
        "duplicate-ip",
        on_switch(vm("vm1", "10.0.0.1/24"), vm("vm2", "10.0.0.1/24", name="Web server")),
        on_switch(vm("vm1", "10.0.0.1/24"), vm("vm2", "10.0.0.2/24", name="Web server")),
        [
            (
                "check.duplicate_ip",
                "error",
                "nodes[3].nics[0].ip",
                "eth0 of vm1 and eth0 of Web server both use 10.0.0.1 on one network: an address conflict, "
                "so replies reach only one of them.",
                ("vm1", "vm2"),
            )
        ],
    ),
    (
        "reserved-network-address",
        on_switch(vm("vm1", "10.0.0.0/24")),
        on_switch(vm("vm1", "10.0.0.1/24")),
        [
            (
                "check.reserved_address",
                "error",
                "nodes[2].nics[0].ip",
                "eth0 of vm1 uses 10.0.0.0, the network address of 10.0.0.0/24: no machine can have it.",
                ("vm1",),
            )
        ],
    ),
    (
        "reserved-broadcast-address",
        on_switch(vm("vm1", "10.0.0.255/24")),
        on_switch(vm("vm1", "10.0.0.255/31")),  # RFC 3021: a /31 has no broadcast address
        [
            (
                "check.reserved_address",
                "error",
                "nodes[2].nics[0].ip",
                "eth0 of vm1 uses 10.0.0.255, the broadcast address of 10.0.0.0/24: no machine can have it.",
                ("vm1",),
            )
        ],
    ),
    (
        "gateway-outside-subnet",
        on_switch(vm("vm1", "10.0.0.1/24", routes=[{"to": "default", "via": "10.0.1.1"}])),
        on_switch(vm("vm1", "10.0.0.1/24", routes=[{"to": "default", "via": "10.0.0.254"}])),
        [
            (
                "check.ip_outside_subnet",
                "error",
                "nodes[2].routes[0].via",
                "vm1's route to default goes via 10.0.1.1, outside every subnet of vm1's NICs (10.0.0.0/24): "
                "that gateway cannot be reached.",
                ("vm1",),
            )
        ],
    ),
    (
        "gateway-without-any-address",
        on_switch(vm("vm1", None, routes=[{"to": "10.9.0.0/16", "via": "10.0.1.1"}])),
        on_switch(
            vm("vm1", "dhcp", routes=[{"to": "10.9.0.0/16", "via": "10.0.1.1"}])
        ),  # subnet unknown: no claim
        [
            (
                "check.ip_outside_subnet",
                "error",
                "nodes[2].routes[0].via",
                "vm1's route to 10.9.0.0/16 goes via 10.0.1.1, but no NIC of vm1 has a static address: "
                "that gateway cannot be reached.",
                ("vm1",),
            )
        ],
    ),
    (
        "nic-unconnected",
        design([host("hv"), vm("vm1", "10.0.0.1/24")]),
        on_switch(vm("vm1", "10.0.0.1/24")),
        [
            (
                "check.nic_unconnected",
                "warning",
                "nodes[1].nics[0]",
                "eth0 of vm1 is not connected to anything.",
                ("vm1",),
            )
        ],
    ),
    (
        "switch-loop",
        loop([("s1", "sw1", "sw2"), ("s2", "sw2", "sw3"), ("s3", "sw3", "sw1")]),
        loop([("s1", "sw1", "sw2"), ("s2", "sw2", "sw3")]),
        [
            (
                "check.switch_loop",
                "error",
                "links[2]",
                "Links s1, s2 and s3 make a loop between switches sw1, sw2 and sw3 and nothing runs a spanning "
                "tree: broadcast storm, every broadcast will circle forever.",
                ("sw1", "sw2", "sw3", "s1", "s2", "s3"),
            )
        ],
    ),
    (
        "switch-loop-of-two-parallel-links",
        loop([("s1", "sw1", "sw2"), ("s2", "sw2", "sw1")]),
        loop([("s1", "sw1", "sw2"), ("s2", "sw2", "sw3")]),
        [
            (
                "check.switch_loop",
                "error",
                "links[1]",
                "Links s1 and s2 make a loop between switches sw1 and sw2 and nothing runs a spanning tree: "
                "broadcast storm, every broadcast will circle forever.",
                ("sw1", "sw2", "s1", "s2"),
            )
        ],
    ),
    (
        "container-kernel",
        design([host("hv"), {"id": "web", "kind": "container", "host": "hv", "os": "windows"}]),
        design([host("hv"), {"id": "web", "kind": "container", "host": "hv", "os": "linux"}]),
        [
            (
                "check.container_kernel",
                "error",
                "nodes[1].os",
                "Container web cannot run on hv: a container shares the host's kernel, and a Windows container "
                "cannot run on a Linux host.",
                ("web", "hv"),
            )
        ],
    ),
    (
        "ram-overcommit",
        design([host("hv", ram_mb=4096), bare_vm("vm1", ram_mb=3072), bare_vm("vm2", ram_mb=2048)]),
        design([host("hv", ram_mb=8192), bare_vm("vm1", ram_mb=3072), bare_vm("vm2", ram_mb=2048)]),
        [
            (
                "check.ram_overcommit",
                "warning",
                "nodes[0].ram_mb",
                "The VMs on hv (vm1 and vm2) ask for 5120 MB of RAM but hv has 4096 MB: the host will swap, "
                "or refuse to start some of them.",
                ("hv", "vm1", "vm2"),
            )
        ],
    ),
    (
        "ram-overcommit-by-one-vm",
        design([host("hv", ram_mb=1024), bare_vm("vm1", ram_mb=2048, name="Big one")]),
        design([host("hv", ram_mb=1024), bare_vm("vm1", ram_mb=1024, name="Big one")]),
        [
            (
                "check.ram_overcommit",
                "warning",
                "nodes[0].ram_mb",
                "Big one asks for 2048 MB of RAM but hv has 1024 MB: the host will swap, or refuse to start some of them.",
                ("hv", "vm1"),
            )
        ],
    ),
    (
        "ram-overcommit-the-host-os-of-a-type-2-hypervisor-keeps-some",
        design([host("hv", ram_mb=8192, hypervisor_type=2), bare_vm("vm1", ram_mb=4096), bare_vm("vm2", ram_mb=3072)]),
        design([host("hv", ram_mb=8192, hypervisor_type=1), bare_vm("vm1", ram_mb=4096), bare_vm("vm2", ram_mb=3072)]),
        [
            (
                "check.ram_overcommit",
                "warning",
                "nodes[0].ram_mb",
                "The VMs on hv (vm1 and vm2) ask for 7168 MB of RAM but hv has 8192 MB, 2048 MB of which its host OS "
                "keeps for itself (a type 2 hypervisor runs on an operating system): the host will swap, or refuse "
                "to start some of them.",
                ("hv", "vm1", "vm2"),
            )
        ],
    ),
    (
        "vcpu-overcommit",
        design([host("hv", cpu_cores=2), bare_vm("vm1", vcpus=2), bare_vm("vm2", vcpus=1)]),
        design([host("hv", cpu_cores=4), bare_vm("vm1", vcpus=2), bare_vm("vm2", vcpus=1)]),
        [
            (
                "check.vcpu_overcommit",
                "info",
                "nodes[0].cpu_cores",
                "The VMs on hv (vm1 and vm2) have 3 virtual CPUs but hv has 2 cores: they will take turns and run slower.",
                ("hv", "vm1", "vm2"),
            )
        ],
    ),
    (
        "no-vt-x",
        design([host("hv", virtualization_extensions=False), bare_vm("vm1")]),
        design([host("hv", virtualization_extensions=True), bare_vm("vm1")]),
        [
            (
                "check.no_vt_x",
                "warning",
                "nodes[0].virtualization_extensions",
                "hv has no hardware virtualization (VT-x/AMD-V), so vm1 runs, but on a fully simulated CPU: very slow.",
                ("hv", "vm1"),
            )
        ],
    ),
    (
        "platform-type-mismatch",
        design([host("hv", platform="virtualbox", hypervisor_type=1)]),
        design([host("hv", platform="virtualbox", hypervisor_type=2)]),
        [
            (
                "check.platform_type_mismatch",
                "warning",
                "nodes[0].hypervisor_type",
                "hv runs Oracle VirtualBox as a type 1 hypervisor, but Oracle VirtualBox is not a type 1 "
                "hypervisor: it is type 2. Change the platform or the type so the drawing tells the truth.",
                ("hv",),
            )
        ],
    ),
    (
        "subnet-mismatch",
        on_switch(vm("vm1", "10.0.0.1/24"), vm("vm2", "10.0.1.2/24")),
        on_switch(vm("vm1", "10.0.0.1/24"), vm("vm2", "10.0.0.2/24")),
        [
            (
                "check.two_hosts_same_segment_subnet_mismatch",
                "warning",
                "nodes[3].nics[0].ip",
                "vm1 (10.0.0.1/24) and vm2 (10.0.1.2/24) are on the same network but in different subnets: "
                "they will not reach each other.",
                ("vm1", "vm2"),
            )
        ],
    ),
]


def dhcp_box(node_id, ip, **fields):
    service = {"kind": "dhcp", "nic": "eth0", "range_start": "10.0.2.100", "range_end": "10.0.2.150"}
    return {"id": node_id, "kind": "dhcp_server", "nics": [{"name": "eth0", "ip": ip}], "services": [service], **fields}


def nat_lab(second_on: str, bridged: bool = False, box2_ip: str = "10.0.2.3/24"):
    """hv (uplink on a LAN with a DHCP box lan_dhcp), a NAT network with DHCP, vswitch vsw, and box2 on ``second_on``."""
    nat = {
        "id": "natnet",
        "kind": "nat_network",
        "host": "hv",
        "gateway": "10.0.2.2/24",
        "uplink": "uplink",
        "dhcp": {"range_start": "10.0.2.15", "range_end": "10.0.2.50"},
    }
    vsw = {"id": "vsw", "kind": "vswitch", "host": "hv", **({"bridged_to": "uplink"} if bridged else {})}
    nodes = [
        host("hv", nics=[{"name": "uplink", "ip": "198.51.100.10/24"}]),
        switch("lan", "lan_switch"),
        nat,
        vsw,
        dhcp_box("lan_dhcp", "198.51.100.1/24"),
        dhcp_box("box2", box2_ip),
    ]
    links = [
        link("l1", "hv", "lan", a_nic="uplink"),
        link("l2", "lan_dhcp", "lan"),
        link("l3", "box2", second_on),
    ]
    return design(nodes, links)


CASES += [
    (
        "two-dhcp-servers-on-a-nat-network",
        nat_lab("natnet"),
        nat_lab("vsw"),
        [
            (
                "check.two_dhcp_servers",
                "warning",
                "nodes[5].services[0]",
                "The DHCP server of natnet and the DHCP server on eth0 of box2 serve one network: each client "
                "takes whichever offer comes first, so its address, router and DNS depend on timing.",
                ("natnet", "box2"),
            )
        ],
    ),
    (
        "two-dhcp-servers-through-a-bridge",  # vsw bridged to hv's uplink: one network with the LAN
        nat_lab("vsw", bridged=True, box2_ip="198.51.100.3/24"),
        nat_lab("vsw", box2_ip="198.51.100.3/24"),
        [
            (
                "check.two_dhcp_servers",
                "warning",
                "nodes[5].services[0]",
                "The DHCP server on eth0 of lan_dhcp and the DHCP server on eth0 of box2 serve one network: each "
                "client takes whichever offer comes first, so its address, router and DNS depend on timing.",
                ("lan_dhcp", "box2"),
            )
        ],
    ),
]


def mode_vm(mode: str | None, **nic_fields) -> dict:
    node = vm("vm1", "dhcp")
    if mode is not None:
        node["nics"][0]["mode"] = mode
    node["nics"][0].update(nic_fields)
    return node


CASES += [
    (
        "network-without-a-mode-that-uses-it",
        design([host("hv"), mode_vm("bridged", network="red")]),
        design([host("hv"), mode_vm("internal", network="red")]),
        [
            (
                "check.network_without_mode",
                "warning",
                "nodes[1].nics[0].network",
                "eth0 of vm1 names the network 'red', but only internal, host-only and NAT Network attachments "
                "use a network name (its mode is bridged): the name is ignored.",
                ("vm1",),
            )
        ],
    ),
    (
        "hostonly-network-is-not-an-adapter",
        design([host("hv"), mode_vm("hostonly", network="lab")]),
        design([host("hv"), mode_vm("hostonly", network="vboxnet1")]),
        [
            (
                "check.hostonly_network_name",
                "error",
                "nodes[1].nics[0].network",
                "eth0 of vm1 is on the host-only network 'lab', but host-only networks are the host's adapters "
                "vboxnet0 to vboxnet199 (vboxnetN is 192.168.(56+N).0/24): the design will not build.",
                ("vm1",),
            )
        ],
    ),
    (
        "port-forwards-without-nat",
        on_switch(mode_vm(None, port_forwards=[{"name": "web", "proto": "tcp", "host_port": 8080,
                                                "guest_port": 80}])),
        design([host("hv"), mode_vm("nat", port_forwards=[{"name": "web", "proto": "tcp", "host_port": 8080,
                                                            "guest_port": 80}])]),
        [
            (
                "check.port_forwards_without_nat",
                "warning",
                "nodes[2].nics[0].port_forwards",
                "eth0 of vm1 has port forwards, but only NAT and NAT Network attachments forward ports (it has no "
                "mode): they are ignored.",
                ("vm1",),
            )
        ],
    ),
]


@pytest.mark.parametrize(("bad", "fixed", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_fires_on_bad_and_not_on_fixed(bad, fixed, expected):
    assert validate(bad) == [] and validate(fixed) == []
    found = [(p.code, p.severity, p.path, p.msg, p.objects) for p in check(bad)]
    assert found == expected
    assert check(fixed) == []


def test_every_check_code_has_a_case():
    assert sorted({c[3][0][0] for c in CASES}) == sorted(CHECK_CODES)


def test_same_address_on_separate_networks_is_fine():
    # VirtualBox NAT mode: every VM is 10.0.2.15 with the same-looking MAC on its own network.
    doc = design(
        [
            host("hv"),
            switch("nat1"),
            switch("nat2"),
            with_mac(vm("vm1", "10.0.2.15/24"), "08:00:27:00:00:01"),
            with_mac(vm("vm2", "10.0.2.15/24"), "08:00:27:00:00:01"),
        ],
        [link("l1", "vm1", "nat1"), link("l2", "vm2", "nat2")],
    )
    assert check(doc) == []


def test_example_has_no_findings():
    assert check(example()) == []


def test_findings_of_several_checks_are_sorted_by_path():
    doc = on_switch(vm("vm1", "10.0.0.1/24"), vm("vm2", "10.0.0.1/24"))
    doc["nodes"].append(vm("vm3", "10.0.0.3/24"))
    doc["nodes"][0]["virtualization_extensions"] = False
    assert [(p.code, p.path) for p in check(doc)] == [
        ("check.no_vt_x", "nodes[0].virtualization_extensions"),
        ("check.duplicate_ip", "nodes[3].nics[0].ip"),
        ("check.nic_unconnected", "nodes[4].nics[0]"),
    ]
