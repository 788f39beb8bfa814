"""Per-kind building steps that ``Network._build`` calls after the nodes exist.

Each step takes the network (``net.nodes``, ``net.links``, ``net.engine``, ``net.names``) and the
normalized document, and returns the build problems it found as ``(path, message)`` pairs, so
the network reports them all at once as a ``DesignError``.

* ``build_nat_networks``: each ``nat_network`` node's router half on its host (``natnet.py``);
* ``build_services``: every node's ``services`` (``services.py``);
* ``build_extra``: the bridged and distributed switches (``bridged_to``, ``distributed_switch``),
  filled in by their own module; called once, after the links are made.
"""

from __future__ import annotations

from typing import Any

from simcore.devices.natnet import NatNetwork
from simcore.devices.services import start_services

Problems = list[tuple[str, str]]


def build_nat_networks(net: Any, doc: dict) -> Problems:
    problems: Problems = []
    for i, spec in enumerate(doc["nodes"]):
        if spec["kind"] != "nat_network":
            continue
        try:
            net.nat_networks[spec["id"]] = NatNetwork(net.nodes[spec["id"]], net.nodes[spec["host"]], spec, net.names)
        except ValueError as exc:
            problems.append((f"nodes[{i}]", str(exc)))
    return problems


def _peers(doc: dict) -> dict[str, list[str]]:
    """Per kind, the first static address of each node of that kind, in document order."""
    peers: dict[str, list[str]] = {}
    for spec in doc["nodes"]:
        for nic in spec.get("nics", []):
            ip = nic.get("ip")
            if ip and ip != "dhcp":
                peers.setdefault(spec["kind"], []).append(ip.split("/")[0])
                break
    return peers


def build_services(net: Any, doc: dict) -> Problems:
    problems: Problems = []
    peers = _peers(doc)
    for i, spec in enumerate(doc["nodes"]):
        if not spec.get("services"):
            continue
        node = net.nodes[spec["id"]]
        try:
            net.services[spec["id"]] = start_services(node, spec["services"], peers.get(spec["kind"], []), net.names)
        except ValueError as exc:
            problems.append((f"nodes[{i}].services", str(exc)))
    return problems


def build_extra(net: Any, doc: dict) -> Problems:
    """ENGINEER B's hook: bridged vswitches and distributed switches (``bridge.py``, ``vxlan.py``)."""
    from simcore.devices.bridge import build_extra as build_l2_extensions
    from simcore.devices.presets import expand_modes

    return build_l2_extensions(net, doc) + expand_modes(net, doc)
