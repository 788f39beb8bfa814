"""What the VirtualBox modes have set up so far, per hypervisor: kept in the build context.

VirtualBox's networks belong to one host, and the first NIC that names one creates it: the
hidden switch of an internal or host-only network, the host's ``vboxnetN`` interface, a NAT
Network's NAT service. Later NICs (in document order, or a VM added to a running network) join
what is here. A hypervisor is ``None`` for a VM placed on no host.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simcore.devices import Switch
from simcore.devices.natnet import NatNetwork
from simcore.net import Nic

# A hidden switch's key: (mode, hypervisor, network name) for internal, host-only and NAT
# networks; (mode, hypervisor) for the one bridged switch of a hypervisor.
SwitchKey = tuple[str | None, ...]
NetKey = tuple[str | None, str]  # (hypervisor, network name)


@dataclass(frozen=True)
class Attachment:
    """One ``vbox.attached`` trace event: what a mode NIC was plugged into."""

    node: str
    nic: str
    mode: str
    text: str


@dataclass
class VboxState:
    switches: dict[SwitchKey, Switch] = field(default_factory=dict)
    host_nics: dict[NetKey, Nic] = field(default_factory=dict)  # the host's vboxnetN interfaces
    natnets: dict[NetKey, NatNetwork] = field(default_factory=dict)  # NAT Network services
    # Port forwards of NAT Network NICs: added once every NIC is attached, (document path, rule).
    pending_forwards: dict[NetKey, list[tuple[str, dict]]] = field(default_factory=dict)
    host_ports: dict[tuple[str | None, str, int], str] = field(default_factory=dict)  # -> rule name
    attached: list[Attachment] = field(default_factory=list)
    # Every NAT engine (NAT mode) and NAT service (NAT Network) by its hidden router's id:
    # ``tables()["vbox_nat"]``.
    engines: dict[str, NatNetwork] = field(default_factory=dict)
    # What each mode NIC is plugged into now, (VM id, NIC) -> (mode, network name or None):
    # ``rewire.py`` moves a NIC whose settings say otherwise.
    wired: dict[tuple[str, str], tuple[str, str | None]] = field(default_factory=dict)
