"""Derived values: MAC addresses from names, and the normalized document the engine builds from.

Everything here is a pure function of the document: no clock, no random source, no dependence
on hash seeds, so the same design gives the same MACs (and so the same frames) on every run.
"""

from __future__ import annotations

import functools
import hashlib
import json

from simcore.design.annotations import property_defaults, service_ids
from simcore.design.kinds import KINDS
from simcore.design.schema_errors import load_schema

# VirtualBox's OUI: what a student sees on a real VirtualBox VM (VirtualBox manual, §6.1).
VIRTUALBOX_OUI = "08:00:27"

# Every default below is the schema's `default` of that field: one value for the engine, the
# properties panel's placeholders and the documentation.
_SCHEMA = load_schema()
_DEFS = _SCHEMA["$defs"]
DEFAULT_DELAY_US = _DEFS["link"]["properties"]["delay_us"]["default"]
# A node's own fields with a default: a switch's aging_s (300 s, a Linux bridge's), ip_forward.
_KIND_DEFAULTS: dict[str, dict] = {kind: property_defaults(_SCHEMA, _DEFS[f"kind_{kind}"]) for kind in KINDS}
_SERVICE_DEFAULTS: dict[str, dict] = {
    kind: property_defaults(_SCHEMA, _DEFS[f"service_{kind}"]) for kind in service_ids(_SCHEMA)
}
_NAT_DHCP_DEFAULTS = property_defaults(_SCHEMA, _DEFS["kind_nat_network"]["properties"]["dhcp"])
_NAT_FORWARD_DEFAULTS = property_defaults(_SCHEMA, _DEFS["kind_nat_network"]["properties"]["port_forwards"]["items"])


def derive_mac(node_id: str, nic_name: str, kind: str) -> str:
    """A stable MAC for a NIC that has none: sha256 of the node id and NIC name.

    VMs get VirtualBox's ``08:00:27`` prefix and three derived bytes; every other kind gets
    ``02`` (IEEE 802 locally administered, unicast: the U/L bit set, the I/G bit clear) and
    five derived bytes, so derived addresses never claim a vendor's OUI.
    """
    if type(node_id) is str and type(nic_name) is str and type(kind) is str:
        return _derived(node_id, nic_name, kind)
    return _derived.__wrapped__(node_id, nic_name, kind)  # a malformed change's values: not kept


@functools.lru_cache(maxsize=32768)  # co-editing looks at every NIC's MAC for each change
def _derived(node_id: str, nic_name: str, kind: str) -> str:
    digest = hashlib.sha256(f"netdesigner-mac\0{node_id}\0{nic_name}".encode()).digest()
    if kind == "vm":
        tail = digest[:3]
        return VIRTUALBOX_OUI + ":" + ":".join(f"{b:02x}" for b in tail)
    return "02:" + ":".join(f"{b:02x}" for b in digest[:5])


def normalized(doc: dict) -> dict:
    """A copy of a valid ``doc`` with every default filled in; the engine builds from this.

    Fills: ``links``/``captures``/``script`` = ``[]``; node ``name`` = its id; for kinds with NICs
    ``nics``/``routes``/``services`` = ``[]`` and each NIC's ``mac`` (given ones lower-cased,
    missing ones derived); each node's own fields that have a ``default`` in its
    ``$defs/kind_<kind>`` (``ip_forward``, a switch's ``aging_s``); links' ``delay_us``; each
    service's fields that have a ``default`` in its ``$defs/service_<kind>``; a NAT network's
    ``gateway_mac`` (derived from its id and "gateway"), ``port_forwards`` = [] (``host_ip`` ""),
    and its ``dhcp``'s defaults with ``router`` = the gateway. Every value filled is the schema's
    ``default`` for that field. The input is not changed.
    """
    # A valid document is plain JSON: a JSON round trip copies it several times faster than deepcopy.
    out = json.loads(json.dumps(doc))
    for key in ("links", "captures", "script"):
        out.setdefault(key, [])
    for node in out["nodes"]:
        kind = KINDS[node["kind"]]
        node.setdefault("name", node["id"])
        if kind.has_nics:
            for key in ("nics", "routes", "services"):
                node.setdefault(key, [])
        for key, value in _KIND_DEFAULTS[kind.id].items():
            node.setdefault(key, list(value) if isinstance(value, list) else value)
        if kind.has_nics:
            for nic in node["nics"]:
                mac = nic.get("mac")
                nic["mac"] = mac.lower() if mac else derive_mac(node["id"], nic["name"], kind.id)
            for service in node["services"]:
                for key, value in _SERVICE_DEFAULTS[service["kind"]].items():
                    service.setdefault(key, list(value) if isinstance(value, list) else value)
        if kind.id == "nat_network":
            _nat_network_defaults(node)
    for link in out["links"]:
        link.setdefault("delay_us", DEFAULT_DELAY_US)
    return out


def _nat_network_defaults(node: dict) -> None:
    mac = node.get("gateway_mac")
    node["gateway_mac"] = mac.lower() if mac else derive_mac(node["id"], "gateway", node["kind"])
    node.setdefault("port_forwards", [])
    for rule in node["port_forwards"]:
        for key, value in _NAT_FORWARD_DEFAULTS.items():
            rule.setdefault(key, value)
    if "dhcp" in node:
        for key, value in _NAT_DHCP_DEFAULTS.items():
            node["dhcp"].setdefault(key, list(value) if isinstance(value, list) else value)
        node["dhcp"].setdefault("router", node["gateway"].split("/")[0])
