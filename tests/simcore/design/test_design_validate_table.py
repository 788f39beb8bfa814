"""validate(): a table of malformed documents, each with its exact list of (code, path, msg)."""

from __future__ import annotations

import pytest
from design_samples import example, mutated

from simcore.design import KINDS, validate
from simcore.design.schema_dispatch import schema_problems
from simcore.design.schema_errors import reference_schema_problems

# Every kind of the schema, in its order: a kind added to the schema needs no edit here.
KINDS_WORDS = "must be one of: " + ", ".join(KINDS)
ID_HINT = " (a letter, then up to 63 letters, digits, '-' or '_')"


def set_at(*path_and_value):
    *path, value = path_and_value

    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def delete_at(*path):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def append_at(*path_and_value):
    *path, value = path_and_value

    def change(doc):
        target = doc
        for key in path:
            target = target[key]
        target.append(value)

    return change


def both(*changes):
    def change(doc):
        for one in changes:
            one(doc)

    return change


# (id, document or change to the example, [(code, path, msg), ...]) — the exact, ordered list.
CASES = [
    ("not-an-object", [], [("schema.type", "", "must be an object, not an array")]),
    (
        "empty-object",
        {},
        [
            ("schema.required", "", "missing required field 'nodes'"),
            ("schema.required", "", "missing required field 'version'"),
        ],
    ),
    ("version-2", set_at("version", 2), [("schema.const", "version", "must be 1")]),
    (
        "unknown-top-field",
        set_at("nodez", []),
        [("schema.unknown_field", "nodez", "unknown field 'nodez' (did you mean 'nodes'?)")],
    ),
    ("nodes-not-array", set_at("nodes", {}), [("schema.type", "nodes", "must be an array, not an object")]),
    (
        "kind-missing",
        delete_at("nodes", 0, "kind"),
        [("schema.required", "nodes[0]", "missing required field 'kind'")],
    ),
    ("kind-unknown", set_at("nodes", 0, "kind", "hostt"), [("schema.enum", "nodes[0].kind", KINDS_WORDS)]),
    ("kind-not-string", set_at("nodes", 0, "kind", 7), [("schema.enum", "nodes[0].kind", KINDS_WORDS)]),
    (
        "id-starts-with-digit",
        append_at("nodes", {"id": "1pc", "kind": "outside_host"}),
        [("schema.format", "nodes[5].id", "not a valid id: '1pc'" + ID_HINT)],
    ),
    (
        "id-trailing-newline",  # Python's `$` would accept it; the browser's would not
        append_at("nodes", {"id": "pc\n", "kind": "outside_host"}),
        [("schema.format", "nodes[5].id", "not a valid id: 'pc\n'" + ID_HINT)],
    ),
    (
        "id-65-chars",
        append_at("nodes", {"id": "p" * 65, "kind": "outside_host"}),
        [("schema.format", "nodes[5].id", f"not a valid id: '{'p' * 60}…'" + ID_HINT)],
    ),
    (
        "mac-zz",
        set_at("nodes", 2, "nics", 0, "mac", "zz"),
        [("schema.format", "nodes[2].nics[0].mac", "not a MAC address: 'zz'")],
    ),
    (
        "mac-dashes",
        set_at("nodes", 2, "nics", 0, "mac", "08-00-27-00-56-11"),
        [("schema.format", "nodes[2].nics[0].mac", "not a MAC address: '08-00-27-00-56-11'")],
    ),
    (
        "ip-octet-300",
        set_at("nodes", 2, "nics", 0, "ip", "192.168.56.300/24"),
        [
            (
                "schema.format",
                "nodes[2].nics[0].ip",
                "not an IPv4 address with a prefix length, nor 'dhcp': '192.168.56.300/24' (like 192.168.56.11/24)",
            )
        ],
    ),
    (
        "ip-without-prefix",
        set_at("nodes", 2, "nics", 0, "ip", "192.168.56.11"),
        [
            (
                "schema.format",
                "nodes[2].nics[0].ip",
                "not an IPv4 address with a prefix length, nor 'dhcp': '192.168.56.11' (like 192.168.56.11/24)",
            )
        ],
    ),
    (
        "ip-prefix-33",
        set_at("nodes", 2, "nics", 0, "ip", "192.168.56.11/33"),
        [
            (
                "schema.format",
                "nodes[2].nics[0].ip",
                "not an IPv4 address with a prefix length, nor 'dhcp': '192.168.56.11/33' (like 192.168.56.11/24)",
            )
        ],
    ),
    (
        "route-via-not-ipv4",
        set_at("nodes", 2, "routes", [{"to": "default", "via": "10.0.0.256"}]),
        [("schema.format", "nodes[2].routes[0].via", "not an IPv4 address: '10.0.0.256'")],
    ),
    (
        "route-via-leading-zero",
        set_at("nodes", 2, "routes", [{"to": "default", "via": "10.0.0.01"}]),
        [("schema.format", "nodes[2].routes[0].via", "not an IPv4 address: '10.0.0.01'")],
    ),
    (
        "route-to-without-prefix",
        set_at("nodes", 2, "routes", [{"to": "10.0.0.0", "via": "192.168.56.1"}]),
        [
            (
                "schema.format",
                "nodes[2].routes[0].to",
                "not a network with a prefix length, nor 'default': '10.0.0.0' (like 10.0.0.0/8)",
            )
        ],
    ),
    (
        "route-missing-via",
        set_at("nodes", 2, "routes", [{"to": "default"}]),
        [("schema.required", "nodes[2].routes[0]", "missing required field 'via'")],
    ),
    (
        "route-dev-unknown",
        set_at("nodes", 2, "routes", [{"to": "default", "via": "192.168.56.1", "dev": "eth7"}]),
        [("ref.unknown_nic", "nodes[2].routes[0].dev", "node 'vm1' has no NIC 'eth7'")],
    ),
    (
        "service-port-70000",
        set_at("nodes", 3, "services", [{"kind": "http", "port": 70000}]),
        [("schema.maximum", "nodes[3].services[0].port", "must be at most 65535")],
    ),
    (
        "service-port-0",
        set_at("nodes", 3, "services", [{"kind": "http", "port": 0}]),
        [("schema.minimum", "nodes[3].services[0].port", "must be at least 1")],
    ),
    (
        "service-kind-ftp",
        set_at("nodes", 3, "services", [{"kind": "ftp"}]),
        [("schema.enum", "nodes[3].services[0].kind", "must be one of: http, dhcp, udp_traffic, udp_sink")],
    ),
    (
        "hypervisor-type-3",
        set_at("nodes", 0, "hypervisor_type", 3),
        [("schema.enum", "nodes[0].hypervisor_type", "must be one of: 1, 2")],
    ),
    (
        "ram-string",
        set_at("nodes", 0, "ram_mb", "lots"),
        [("schema.type", "nodes[0].ram_mb", "must be an integer, not a string")],
    ),
    (
        "vt-x-yes",
        set_at("nodes", 0, "virtualization_extensions", "yes"),
        [("schema.type", "nodes[0].virtualization_extensions", "must be true or false, not a string")],
    ),
    (
        "name-empty-and-unknown-nic-field",
        both(set_at("nodes", 2, "name", ""), set_at("nodes", 2, "nics", 0, "ipv4", "1.2.3.4/8")),
        [
            ("schema.min_length", "nodes[2].name", "must not be empty"),
            ("schema.unknown_field", "nodes[2].nics[0].ipv4", "unknown field 'ipv4' (did you mean 'ip'?)"),
        ],
    ),
    (
        "vm-without-host",
        delete_at("nodes", 2, "host"),
        [("schema.required", "nodes[2]", "missing required field 'host'")],
    ),
    (
        "vm-on-unknown-host",
        set_at("nodes", 2, "host", "hv9"),
        [("ref.unknown_node", "nodes[2].host", "unknown node 'hv9'")],
    ),
    (
        "vm-on-a-switch",
        set_at("nodes", 2, "host", "intnet"),
        [
            (
                "ref.wrong_placement",
                "nodes[2].host",
                "'intnet' is a virtual switch, but a virtual machine can only be placed on a physical host",
            )
        ],
    ),
    (
        "container-on-a-vm",
        append_at("nodes", {"id": "web", "kind": "container", "host": "vm1", "image": "nginx:1.27"}),
        [
            (
                "ref.wrong_placement",
                "nodes[5].host",
                "'vm1' is a virtual machine, but a container can only be placed on a physical host",
            )
        ],
    ),
    (
        "switch-with-nics",
        set_at("nodes", 1, "nics", []),
        [("schema.unknown_field", "nodes[1].nics", "unknown field 'nics'")],
    ),
    (
        "lan-switch-with-host",
        append_at("nodes", {"id": "sw", "kind": "lan_switch", "host": "hv"}),
        [("schema.unknown_field", "nodes[5].host", "unknown field 'host'")],
    ),
    (
        "node-not-an-object",
        set_at("nodes", 0, "hv"),
        [
            ("schema.type", "nodes[0]", "must be an object, not a string"),
            ("ref.unknown_node", "nodes[1].host", "unknown node 'hv'"),
            ("ref.unknown_node", "nodes[2].host", "unknown node 'hv'"),
            ("ref.unknown_node", "nodes[3].host", "unknown node 'hv'"),
            ("ref.unknown_node", "nodes[4].host", "unknown node 'hv'"),
        ],
    ),
    (
        "duplicate-node-id",
        set_at("nodes", 4, "id", "vm2"),
        [
            ("ref.duplicate_node_id", "nodes[4].id", "duplicate node id 'vm2': nodes[3] has it too"),
            ("ref.unknown_node", "links[2].a.node", "unknown node 'vm3'"),
            ("ref.unknown_node", "captures[2].node", "unknown node 'vm3'"),
        ],
    ),
    (
        "duplicate-nic-name",
        append_at("nodes", 2, "nics", {"name": "eth0"}),
        [("ref.duplicate_nic_name", "nodes[2].nics[1].name", "duplicate NIC name 'eth0' on node 'vm1'")],
    ),
    (
        "nic-name-16-chars",
        set_at("nodes", 4, "nics", 0, "name", "verylongnicname0"),
        [
            (
                "schema.format",
                "nodes[4].nics[0].name",
                "not a valid NIC name: 'verylongnicname0' (a letter, then up to 14 letters, digits, '.', '-' or '_')",
            ),
            ("ref.unknown_nic", "links[2].a.nic", "node 'vm3' has no NIC 'eth0'"),
            ("ref.unknown_nic", "captures[2].nic", "node 'vm3' has no NIC 'eth0'"),
        ],
    ),
    (
        "duplicate-link-id",
        set_at("links", 2, "id", "l2"),
        [("ref.duplicate_link_id", "links[2].id", "duplicate link id 'l2'")],
    ),
    (
        "link-unknown-node",
        set_at("links", 0, "a", "node", "vm9"),
        [("ref.unknown_node", "links[0].a.node", "unknown node 'vm9'")],
    ),
    (
        "link-unknown-nic",
        set_at("links", 0, "a", "nic", "eth1"),
        [("ref.unknown_nic", "links[0].a.nic", "node 'vm1' has no NIC 'eth1'")],
    ),
    (
        "nic-on-two-links",
        append_at("links", {"id": "l4", "a": {"node": "intnet"}, "b": {"node": "vm1", "nic": "eth0"}}),
        [
            (
                "ref.nic_on_two_links",
                "links[3].b.nic",
                "NIC 'eth0' of 'vm1' is already on link 'l1': a NIC takes one link",
            )
        ],
    ),
    (
        "nic-on-both-ends",
        set_at("links", 0, "b", {"node": "vm1", "nic": "eth0"}),
        [("ref.nic_on_two_links", "links[0].b.nic", "NIC 'eth0' of 'vm1' is on both ends of link 'l1'")],
    ),
    (
        "link-without-id-is-still-checked",
        both(
            delete_at("links", 0, "id"),
            append_at("links", {"id": "l4", "a": {"node": "vm1", "nic": "eth0"}, "b": {"node": "intnet"}}),
        ),
        [
            ("schema.required", "links[0]", "missing required field 'id'"),
            (
                "ref.nic_on_two_links",
                "links[3].a.nic",
                "NIC 'eth0' of 'vm1' is already on link 'links[0]': a NIC takes one link",
            ),
        ],
    ),
    (
        "switch-end-names-a-nic",
        set_at("links", 0, "b", "nic", "p1"),
        [
            (
                "ref.switch_port",
                "links[0].b.nic",
                "'intnet' is a switch: a link end on a switch names no NIC (each link gets its own port)",
            )
        ],
    ),
    (
        "host-end-without-nic",
        delete_at("links", 0, "a", "nic"),
        [("ref.missing_nic", "links[0].a", "a link end on 'vm1' must name one of its NICs")],
    ),
    (
        "switch-linked-to-itself",
        append_at("links", {"id": "l4", "a": {"node": "intnet"}, "b": {"node": "intnet"}}),
        [("ref.self_link", "links[3]", "link 'l4' connects 'intnet' to itself")],
    ),
    (
        "link-delay-float",
        set_at("links", 0, "delay_us", 1.5),
        [("schema.type", "links[0].delay_us", "must be an integer, not a number")],
    ),
    (
        "link-missing-b",
        delete_at("links", 1, "b"),
        [("schema.required", "links[1]", "missing required field 'b'")],
    ),
    (
        "capture-unknown-link",
        set_at("captures", [{"link": "l9"}]),
        [("ref.unknown_link", "captures[0].link", "unknown link 'l9'")],
    ),
    (
        "capture-link-and-node",
        set_at("captures", [{"link": "l1", "node": "vm1", "nic": "eth0"}]),
        [
            ("schema.not_allowed", "captures[0].nic", "field 'nic' cannot be used together with 'link'"),
            ("schema.not_allowed", "captures[0].node", "field 'node' cannot be used together with 'link'"),
        ],
    ),
    (
        "capture-node-without-nic",
        set_at("captures", [{"node": "vm1"}]),
        [("schema.required", "captures[0]", "missing required field 'nic'")],
    ),
    (
        "capture-unknown-nic",
        set_at("captures", 0, "nic", "eth3"),
        [("ref.unknown_nic", "captures[0].nic", "node 'vm1' has no NIC 'eth3'")],
    ),
    (
        "script-unknown-node",
        set_at("script", 0, "node", "vm7"),
        [("ref.unknown_node", "script[0].node", "unknown node 'vm7'")],
    ),
    (
        "script-negative-time",
        set_at("script", 0, "at", -1),
        [("schema.minimum", "script[0].at", "must be at least 0")],
    ),
    (
        "script-empty-command",
        set_at("script", 0, "command", ""),
        [("schema.min_length", "script[0].command", "must not be empty")],
    ),
    (
        "position-without-y",
        set_at("nodes", 0, "position", {"x": 1}),
        [("schema.required", "nodes[0].position", "missing required field 'y'")],
    ),
    (
        "too-many-nodes",
        {"version": 1, "nodes": [{"id": f"p{i}", "kind": "internet"} for i in range(10_001)]},
        [("schema.max_items", "nodes", "must have at most 10000 items")],
    ),
    (
        "several-at-once-sorted-by-path",
        both(
            set_at("script", 0, "node", "vm7"),
            set_at("nodes", 4, "nics", 0, "mac", "zz"),
            set_at("nodes", 2, "nics", 0, "mac", "yy"),
            set_at("links", 0, "a", "node", "vm9"),
        ),
        [
            ("schema.format", "nodes[2].nics[0].mac", "not a MAC address: 'yy'"),
            ("schema.format", "nodes[4].nics[0].mac", "not a MAC address: 'zz'"),
            ("ref.unknown_node", "links[0].a.node", "unknown node 'vm9'"),
            ("ref.unknown_node", "script[0].node", "unknown node 'vm7'"),
        ],
    ),
]


HV_NICS = set_at("nodes", 0, "nics", [{"name": "uplink", "ip": "203.0.113.2/24"}])


def nat_network(**fields):
    return append_at(
        "nodes", {"id": "natnet", "kind": "nat_network", "host": "hv", "gateway": "10.0.2.2/24", "uplink": "uplink", **fields}
    )


def dswitch(members):
    return append_at("nodes", {"id": "ds", "kind": "distributed_switch", "vni": 100, "members": members})


DHCP = {"kind": "dhcp", "nic": "eth0", "range_start": "192.168.56.100", "range_end": "192.168.56.150"}

# VirtualBox modes and services: NIC modes, service kinds, dhcp_server, nat_network, vswitch bridged_to, distributed_switch.
CASES += [
    ("nic-mode-nat", set_at("nodes", 2, "nics", 0, "mode", "nat"), []),
    (
        "nic-mode-unknown",
        set_at("nodes", 2, "nics", 0, "mode", "bridge"),
        [("schema.enum", "nodes[2].nics[0].mode", "must be one of: nat, natnetwork, bridged, internal, hostonly")],
    ),
    ("service-dhcp", set_at("nodes", 2, "services", [DHCP]), []),
    (
        "service-dhcp-without-range",
        set_at("nodes", 2, "services", [{"kind": "dhcp", "nic": "eth0"}]),
        [
            ("schema.required", "nodes[2].services[0]", "missing required field 'range_end'"),
            ("schema.required", "nodes[2].services[0]", "missing required field 'range_start'"),
        ],
    ),
    (
        "service-dhcp-unknown-nic",
        set_at("nodes", 2, "services", [{**DHCP, "nic": "eth9"}]),
        [("ref.unknown_nic", "nodes[2].services[0].nic", "node 'vm1' has no NIC 'eth9'")],
    ),
    (
        "service-dhcp-short-lease",
        set_at("nodes", 2, "services", [{**DHCP, "lease_s": 10}]),
        [("schema.minimum", "nodes[2].services[0].lease_s", "must be at least 60")],
    ),
    (
        "service-http-field-on-dhcp",
        set_at("nodes", 2, "services", [{**DHCP, "body": "hi"}]),
        [("schema.unknown_field", "nodes[2].services[0].body", "unknown field 'body'")],
    ),
    ("service-udp-traffic-random", set_at("nodes", 2, "services", [{"kind": "udp_traffic", "to": "random"}]), []),
    (
        "service-udp-traffic-bad-to",
        set_at("nodes", 2, "services", [{"kind": "udp_traffic", "to": "anyone"}]),
        [("schema.pattern", "nodes[2].services[0].to", "not in the expected form: 'anyone'")],
    ),
    (
        "service-udp-traffic-zero-interval",
        set_at("nodes", 2, "services", [{"kind": "udp_traffic", "to": "10.0.0.5", "interval_s": 0}]),
        [("schema.minimum", "nodes[2].services[0].interval_s", "must be at least 0.001")],
    ),
    ("service-udp-sink", set_at("nodes", 2, "services", [{"kind": "udp_sink", "port": 9}]), []),
    (
        "dhcp-server-kind",
        append_at("nodes", {"id": "ds1", "kind": "dhcp_server", "host": "hv", "nics": [{"name": "eth0", "ip": "192.168.56.2/24"}], "services": [DHCP]}),
        [],
    ),
    ("nat-network", both(HV_NICS, nat_network(dhcp={"range_start": "10.0.2.15", "range_end": "10.0.2.50"})), []),
    (
        "nat-network-without-host",
        append_at("nodes", {"id": "natnet", "kind": "nat_network", "gateway": "10.0.2.2/24", "uplink": "uplink"}),
        [("schema.required", "nodes[5]", "missing required field 'host'")],
    ),
    (
        "nat-network-unknown-uplink",
        nat_network(),
        [("ref.unknown_nic", "nodes[5].uplink", "node 'hv' has no NIC 'uplink'")],
    ),
    (
        "nat-network-port-forward-udp",
        both(
            HV_NICS,
            nat_network(
                port_forwards=[{"name": "dns", "proto": "udp", "host_ip": "", "host_port": 5353, "guest_ip": "10.0.2.15", "guest_port": 53}]
            ),
        ),
        [],
    ),
    (
        "nat-network-port-forward-sctp",
        both(
            HV_NICS,
            nat_network(port_forwards=[{"name": "x", "proto": "sctp", "host_port": 1, "guest_ip": "10.0.2.15", "guest_port": 1}]),
        ),
        [("schema.enum", "nodes[5].port_forwards[0].proto", "must be one of: tcp, udp")],
    ),
    ("vswitch-bridged", both(HV_NICS, set_at("nodes", 1, "bridged_to", "uplink")), []),
    (
        "vswitch-bridged-unknown-nic",
        set_at("nodes", 1, "bridged_to", "enp1s0"),
        [("ref.unknown_nic", "nodes[1].bridged_to", "node 'hv' has no NIC 'enp1s0'")],
    ),
    (
        "vswitch-bridged-without-host",
        both(delete_at("nodes", 1, "host"), set_at("nodes", 1, "bridged_to", "enp1s0")),
        [("ref.needs_host", "nodes[1].bridged_to", "'intnet' names the host NIC 'enp1s0' but is placed on no host")],
    ),
    ("distributed-switch", both(HV_NICS, dswitch([{"host": "hv", "underlay": "uplink"}])), []),
    (
        "distributed-switch-vni-zero",
        both(HV_NICS, dswitch([{"host": "hv", "underlay": "uplink"}]), set_at("nodes", 5, "vni", 0)),
        [("schema.minimum", "nodes[5].vni", "must be at least 1")],
    ),
    (
        "distributed-switch-member-not-a-host",
        dswitch([{"host": "vm1", "underlay": "eth0"}]),
        [
            (
                "ref.wrong_placement",
                "nodes[5].members[0].host",
                "'vm1' is a virtual machine, but a distributed switch can only span physical hosts",
            )
        ],
    ),
    (
        "distributed-switch-unknown-underlay",
        dswitch([{"host": "hv", "underlay": "eth7"}]),
        [("ref.unknown_nic", "nodes[5].members[0].underlay", "node 'hv' has no NIC 'eth7'")],
    ),
    (
        "distributed-switch-unknown-member",
        dswitch([{"host": "hvB", "underlay": "eth7"}]),
        [("ref.unknown_node", "nodes[5].members[0].host", "unknown node 'hvB'")],
    ),
]


@pytest.mark.parametrize(("doc_or_change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_validate_reports_exactly(doc_or_change, expected):
    doc = mutated(doc_or_change) if callable(doc_or_change) else doc_or_change
    assert [(p.code, p.path, p.msg) for p in validate(doc)] == expected


def test_the_table_is_large_enough():
    assert len(CASES) >= 30


def test_example_itself_is_valid():
    assert validate(example()) == []


def test_problems_carry_objects_and_serialise():
    doc = mutated(set_at("links", 0, "a", "node", "vm9"))
    [problem] = validate(doc)
    assert problem.objects == ("l1", "vm9")
    assert problem.to_dict() == {
        "code": "ref.unknown_node",
        "path": "links[0].a.node",
        "msg": "unknown node 'vm9'",
        "severity": "error",
        "objects": ["l1", "vm9"],
    }


def test_node_index_ten_sorts_after_node_index_two():
    doc = mutated(
        lambda d: d["nodes"].extend({"id": f"x{i}", "kind": "internet", "name": ""} for i in range(6))
    )
    assert [p.path for p in validate(doc)] == [f"nodes[{i}].name" for i in range(5, 11)]


def _schema_only(doc, way):
    return sorted((p.code, p.path, p.msg) for _elements, p in way(doc))


@pytest.mark.parametrize("doc_or_change", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_item_by_item_validation_agrees_with_the_whole_schema(doc_or_change):
    doc = mutated(doc_or_change) if callable(doc_or_change) else doc_or_change
    assert _schema_only(doc, schema_problems) == _schema_only(doc, reference_schema_problems)
    assert _schema_only(doc, schema_problems) == _schema_only(doc, schema_problems)  # again, from the cache


def test_objects_name_only_real_ids():
    doc = mutated(
        both(
            delete_at("links", 0, "id"),
            append_at("links", {"id": "l4", "a": {"node": "vm1", "nic": "eth0"}, "b": {"node": "intnet"}}),
        )
    )
    assert [p.objects for p in validate(doc)] == [(), ("l4", "vm1")]
