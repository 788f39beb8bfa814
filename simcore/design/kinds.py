"""The one registry of node kinds.

Adding a kind is two edits: its line here and its ``$defs/kind_<id>`` entry in ``schema.json``
(a test checks that the schema's kind enum, its ``$defs`` and their titles match ``KINDS``).
The palette, the reference checks (what a ``host`` field may name, which link ends need a NIC)
and the design checks are driven from this table, never from kind names spelled elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Kind:
    """What the designer knows about one kind of node."""

    id: str
    label: str
    description: str
    icon: str
    # A kind with NICs has an IP stack: nics, routes, ip_forward, services.
    has_nics: bool
    # Kinds whose id this kind's `host` field may name (empty: the kind has no `host` field).
    placed_on: tuple[str, ...]
    # A switch grows a port per link, so a link end on it names no NIC.
    is_switch: bool
    # Whether the `host` field is required (a VM cannot exist outside a hypervisor).
    placement_required: bool = False


def _kinds(*kinds: Kind) -> MappingProxyType[str, Kind]:
    # A read-only mapping in palette order: iteration order is the order written here.
    return MappingProxyType({kind.id: kind for kind in kinds})


KINDS: MappingProxyType[str, Kind] = _kinds(
    Kind(
        id="host",
        label="Physical host",
        description="A physical machine running a hypervisor; it also has physical NICs of its own.",
        icon="server",
        has_nics=True,
        placed_on=(),
        is_switch=False,
    ),
    Kind(
        id="vm",
        label="Virtual machine",
        description="A virtual machine with its own kernel, placed on a physical host.",
        icon="vm",
        has_nics=True,
        placed_on=("host",),
        is_switch=False,
        placement_required=True,
    ),
    Kind(
        id="container",
        label="Container",
        description="A container placed on a physical host; it shares the host's kernel.",
        icon="container",
        has_nics=True,
        placed_on=("host",),
        is_switch=False,
        placement_required=True,
    ),
    Kind(
        id="vswitch",
        label="Virtual switch",
        description="A virtual switch inside a hypervisor: it learns MAC addresses and floods unknown ones.",
        icon="vswitch",
        has_nics=False,
        placed_on=("host",),
        is_switch=True,
    ),
    Kind(
        id="lan_switch",
        label="LAN switch",
        description="A physical Ethernet switch on the local network.",
        icon="switch",
        has_nics=False,
        placed_on=(),
        is_switch=True,
    ),
    Kind(
        id="outside_host",
        label="Outside host",
        description="A plain machine outside the hypervisors, such as a PC or a server on the LAN.",
        icon="desktop",
        has_nics=True,
        placed_on=(),
        is_switch=False,
    ),
    Kind(
        id="internet",
        label="Internet",
        description="The Internet, drawn as one node.",
        icon="cloud",
        has_nics=True,
        placed_on=(),
        is_switch=False,
    ),
    Kind(
        id="dhcp_server",
        label="DHCP server",
        description="A small appliance that leases addresses on its network; give it a static address and one dhcp service.",
        icon="dhcp",
        has_nics=True,
        placed_on=("host",),
        is_switch=False,
    ),
    Kind(
        id="nat_network",
        label="NAT network",
        description="A NAT network (VirtualBox, libvirt): a switch, a DHCP server and a router doing NAT onto the host's uplink, drawn as one object.",
        icon="nat",
        has_nics=False,
        placed_on=("host",),
        is_switch=True,
        placement_required=True,
    ),
    Kind(
        id="distributed_switch",
        label="Distributed switch",
        description="One logical switch spread over several hosts, whose halves are joined by VXLAN tunnels over an underlay network.",
        icon="dswitch",
        has_nics=False,
        placed_on=(),
        is_switch=True,
    ),
)

SWITCH_KINDS: tuple[str, ...] = tuple(k.id for k in KINDS.values() if k.is_switch)
NIC_KINDS: tuple[str, ...] = tuple(k.id for k in KINDS.values() if k.has_nics)
