"""Derived values: MAC addresses from names, and the normalized document the engine builds from.

Everything here is a pure function of the document: no clock, no random source, no dependence
on hash seeds, so the same design gives the same MACs (and so the same frames) on every run.
"""

from __future__ import annotations

import hashlib
import json

from simcore.design.kinds import KINDS

# VirtualBox's OUI: what a student sees on a real VirtualBox VM (VirtualBox manual, §6.1).
VIRTUALBOX_OUI = "08:00:27"
DEFAULT_DELAY_US = 50
DEFAULT_AGING_S = 300  # a Linux bridge's default ageing time
DEFAULT_HTTP_PORT = 80
DEFAULT_LEASE_S = 3600
DEFAULT_DISCARD_PORT = 9  # RFC 863: the discard service, what traffic generators aim at

# Defaults of each service kind (the schema's `default`s, filled for the engine).
_SERVICE_DEFAULTS: dict[str, dict] = {
    "http": {"port": DEFAULT_HTTP_PORT},
    "dhcp": {"lease_s": DEFAULT_LEASE_S, "dns": [], "probe": True},
    "udp_traffic": {"port": DEFAULT_DISCARD_PORT, "interval_s": 1, "size": 100, "start_s": 0},
    "udp_sink": {"port": DEFAULT_DISCARD_PORT},
}


def derive_mac(node_id: str, nic_name: str, kind: str) -> str:
    """A stable MAC for a NIC that has none: sha256 of the node id and NIC name.

    VMs get VirtualBox's ``08:00:27`` prefix and three derived bytes; every other kind gets
    ``02`` (IEEE 802 locally administered, unicast: the U/L bit set, the I/G bit clear) and
    five derived bytes, so derived addresses never claim a vendor's OUI.
    """
    digest = hashlib.sha256(f"netdesigner-mac\0{node_id}\0{nic_name}".encode()).digest()
    if kind == "vm":
        tail = digest[:3]
        return VIRTUALBOX_OUI + ":" + ":".join(f"{b:02x}" for b in tail)
    return "02:" + ":".join(f"{b:02x}" for b in digest[:5])


def normalized(doc: dict) -> dict:
    """A copy of a valid ``doc`` with every default filled in; the engine builds from this.

    Fills: ``links``/``captures``/``script`` = ``[]``; node ``name`` = its id; for kinds with NICs
    ``nics``/``routes``/``services`` = ``[]``, ``ip_forward`` = false, each NIC's ``mac`` (given
    ones lower-cased, missing ones derived); switches' ``aging_s`` = 300; links' ``delay_us`` = 50;
    each service kind's defaults (HTTP ``port`` 80; DHCP ``lease_s`` 3600, ``dns`` [], ``probe``;
    UDP ``port`` 9, ``interval_s`` 1, ``size`` 100, ``start_s`` 0); a NAT network's
    ``gateway_mac`` (derived from its id and "gateway"), ``port_forwards`` = [] (``host_ip`` ""),
    and its ``dhcp``'s defaults with ``router`` = the gateway. The input is not changed.
    """
    # A valid document is plain JSON: a JSON round trip copies it several times faster than deepcopy.
    out = json.loads(json.dumps(doc))
    for key in ("links", "captures", "script"):
        out.setdefault(key, [])
    for node in out["nodes"]:
        kind = KINDS[node["kind"]]
        node.setdefault("name", node["id"])
        if kind.is_switch:
            node.setdefault("aging_s", DEFAULT_AGING_S)
        if kind.has_nics:
            for key in ("nics", "routes", "services"):
                node.setdefault(key, [])
            node.setdefault("ip_forward", False)
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
        rule.setdefault("host_ip", "")
    if "dhcp" in node:
        for key, value in _SERVICE_DEFAULTS["dhcp"].items():
            node["dhcp"].setdefault(key, list(value) if isinstance(value, list) else value)
        node["dhcp"].setdefault("router", node["gateway"].split("/")[0])
