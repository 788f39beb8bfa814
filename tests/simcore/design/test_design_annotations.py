"""schema.json says everything the editor and the engine need about each kind and service.

``annotation_problems`` is run on the shipped schema (no problem) and on broken copies of it,
each missing one fact the editor needs: each must be named, and ``KINDS`` must refuse to build.
"""

from __future__ import annotations

import copy

import pytest

from simcore.design import KINDS, load_schema, normalized
from simcore.design.annotations import PANEL_FIXED, annotation_problems, property_defaults, service_ids
from simcore.design.kinds import kinds_from_schema

SCHEMA = load_schema()


def test_the_shipped_schema_describes_every_kind_and_service():
    assert annotation_problems(SCHEMA) == []


def _drop(key):
    def edit(spec):
        del spec[key]

    return edit


def _set(key, value):
    def edit(spec):
        spec[key] = value

    return edit


def _drop_property(key):
    def edit(spec):
        del spec["properties"][key]

    return edit


# (which $defs entry, how it is broken, the sentence that must name it)
BROKEN = [
    ("kind_vm", _drop("x-id-prefix"), "$defs/kind_vm has no x-id-prefix"),
    ("kind_vm", _set("x-id-prefix", "1vm"), "$defs/kind_vm/x-id-prefix '1vm' is not a letter"),
    ("kind_container", _set("x-id-prefix", "vm"), "$defs/kind_container/x-id-prefix 'vm' is also kind 'vm''s prefix"),
    ("kind_lan_switch", _drop("x-icon"), "$defs/kind_lan_switch has no x-icon"),
    ("kind_lan_switch", _set("x-icon", ""), "$defs/kind_lan_switch/x-icon '' is not an icon name"),
    ("kind_host", _drop("title"), "$defs/kind_host has no title (the palette's label)"),
    ("kind_host", _set("description", " "), "$defs/kind_host has no description (the palette's tooltip)"),
    ("kind_dhcp_server", _drop("x-placed-on"), "$defs/kind_dhcp_server has no x-placed-on"),
    (
        "kind_dhcp_server",
        _set("x-placed-on", ["hypervisor"]),
        "$defs/kind_dhcp_server/x-placed-on names 'hypervisor', which is not a node kind",
    ),
    ("kind_vm", _set("x-placed-on", ["host", "host"]), "$defs/kind_vm/x-placed-on names a kind twice"),
    (
        "kind_lan_switch",
        _set("x-placed-on", ["host"]),
        "$defs/kind_lan_switch/x-placed-on is ['host'] but the kind has no 'host' field",
    ),
    ("kind_vswitch", _set("x-placed-on", []), "$defs/kind_vswitch/x-placed-on is [] but the kind has 'host' field"),
    ("kind_nat_network", _drop("x-panel"), "$defs/kind_nat_network has no x-panel"),
    (
        "kind_vm",
        _set("x-panel", ["cpus", *SCHEMA["$defs"]["kind_vm"]["x-panel"]]),
        "$defs/kind_vm/x-panel names 'cpus', which is not a property of the kind",
    ),
    (
        "kind_vm",
        _set("x-panel", [k for k in SCHEMA["$defs"]["kind_vm"]["x-panel"] if k != "vcpus"]),
        "$defs/kind_vm/x-panel leaves out 'vcpus': the panel could not edit them",
    ),
    (
        "kind_lan_switch",
        _set("x-panel", ["aging_s", "notes", "position"]),
        "$defs/kind_lan_switch/x-panel names 'position', which the panel does not list",
    ),
    ("kind_lan_switch", _set("x-panel", ["aging_s", "notes", "notes"]), "$defs/kind_lan_switch/x-panel names a property twice"),
    ("kind_internet", _drop_property("routes"), "$defs/kind_internet has 'nics' but not 'routes'"),
    ("service_http", _drop("default"), "$defs/service_http has no default (what a new http service starts as)"),
    ("service_dhcp", _set("default", {"kind": "dhcp", "nic": "eth0"}), "$defs/service_dhcp/default lacks the required 'range_start', 'range_end'"),
    ("service_udp_sink", _set("default", {"kind": "udp_traffic"}), "$defs/service_udp_sink/default has kind 'udp_traffic', not 'udp_sink'"),
    (
        "service_udp_traffic",
        _set("default", {"kind": "udp_traffic", "to": "somewhere"}),
        "$defs/service_udp_traffic/default is not a valid udp_traffic service",
    ),
    ("service_dhcp", _drop("title"), "$defs/service_dhcp has no title"),
]


@pytest.mark.parametrize(("name", "edit", "sentence"), BROKEN, ids=[b[2][:60] for b in BROKEN])
def test_a_broken_schema_names_what_the_editor_lacks(name, edit, sentence):
    broken = copy.deepcopy(SCHEMA)
    edit(broken["$defs"][name])
    problems = annotation_problems(broken)
    assert [p for p in problems if p.startswith(sentence)], problems
    with pytest.raises(ValueError, match="the design schema does not describe its kinds"):
        kinds_from_schema(broken)


def test_a_wrong_property_default_is_named():
    broken = copy.deepcopy(SCHEMA)
    broken["$defs"]["service_http"]["properties"]["port"]["default"] = "80"
    assert annotation_problems(broken) == [
        "$defs/service_http/properties/port/default '80' is not a valid value of the field"
    ]


def test_a_kind_without_a_definition_is_named():
    broken = copy.deepcopy(SCHEMA)
    broken["$defs"]["node"]["properties"]["kind"]["enum"].append("planted_kind")
    assert annotation_problems(broken) == ["kind 'planted_kind' has no $defs/kind_planted_kind with properties"]


def test_a_kind_listed_twice_is_named():
    broken = copy.deepcopy(SCHEMA)
    broken["$defs"]["node"]["properties"]["kind"]["enum"].append("vm")
    assert annotation_problems(broken) == ["kind 'vm' is listed twice in $defs/node/properties/kind/enum"]


def test_a_service_without_a_definition_is_named():
    broken = copy.deepcopy(SCHEMA)
    broken["$defs"]["service"]["properties"]["kind"]["enum"].append("planted_service")
    assert annotation_problems(broken) == [
        "service kind 'planted_service' has no $defs/service_planted_service with properties"
    ]


def test_a_new_kind_written_only_in_the_schema_is_a_kind():
    grown = copy.deepcopy(SCHEMA)
    grown["$defs"]["node"]["properties"]["kind"]["enum"].append("planted_router")
    router = copy.deepcopy(grown["$defs"]["kind_outside_host"])
    router.update({"title": "Router", "description": "A box that routes.", "x-id-prefix": "plantedr", "x-icon": "router"})
    grown["$defs"]["kind_planted_router"] = router
    kind = kinds_from_schema(grown)["planted_router"]
    assert (kind.label, kind.prefix, kind.icon, kind.has_nics, kind.is_switch, kind.placed_on) == (
        "Router", "plantedr", "router", True, False, ()
    )


# The kinds of today, with their prefix and icon (a kind added later is checked by the tests above).
KNOWN = {
    "host": ("host", "server"),
    "vm": ("vm", "vm"),
    "container": ("ct", "container"),
    "vswitch": ("vswitch", "vswitch"),
    "lan_switch": ("switch", "switch"),
    "outside_host": ("pc", "desktop"),
    "internet": ("internet", "cloud"),
    "dhcp_server": ("dhcp", "dhcp"),
    "nat_network": ("natnet", "nat"),
    "distributed_switch": ("dvs", "dswitch"),
}


def test_kinds_carry_the_schema_facts():
    assert {k: (KINDS[k].prefix, KINDS[k].icon) for k in KNOWN} == KNOWN
    assert {k for k in KNOWN if KINDS[k].placed_on == ("host",)} == {
        "vm", "container", "vswitch", "dhcp_server", "nat_network"
    }
    assert [k for k in KNOWN if KINDS[k].placement_required] == ["vm", "container", "nat_network"]
    for kind in KINDS.values():
        listed = set(kind.panel) | set(PANEL_FIXED)
        assert listed == set(SCHEMA["$defs"][f"kind_{kind.id}"]["properties"]) | {"host"}, kind.id


@pytest.mark.parametrize("service", service_ids(SCHEMA))
def test_normalized_fills_the_schema_defaults_of_each_service(service):
    spec = SCHEMA["$defs"][f"service_{service}"]
    doc = {
        "version": 1,
        "nodes": [{"id": "pc", "kind": "outside_host", "nics": [{"name": "eth0", "ip": "192.168.1.1/24"}],
                   "services": [spec["default"]]}],
    }
    filled = normalized(doc)["nodes"][0]["services"][0]
    assert property_defaults(SCHEMA, spec)
    assert filled == {**spec["default"], **property_defaults(SCHEMA, spec)}
