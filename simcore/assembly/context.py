"""The build context: what a network is made of while (and after) it is built.

One object holds the engine, the tracer, who-is-who for sentences (``names``, ``narrator``) and
everything built so far: nodes, links, capture points, NAT networks, services, bridges and the
VirtualBox modes' hidden devices. Builders (``simcore.assembly.*``) change the network only
through its typed methods, so the same calls that build the document at t = 0 can add one more
node, NIC or link to a network that is already running (see ``nodes.add_node``).

Ids are checked here, with a message that names what holds the id already: a hidden device of a
VirtualBox mode (``vboxnat-vm1-eth0``) can meet a drawn node of the same id, which the schema's
uniqueness check cannot see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from simcore.assembly.vbox.state import VboxState
from simcore.design import DesignError, Problem
from simcore.devices import HostNode, Switch
from simcore.devices.bridge import Bridged
from simcore.devices.natnet import NatNetwork
from simcore.devices.services import Service
from simcore.engine import Engine
from simcore.net import Capture, Link, Nic, Port
from simcore.packets import Ethernet
from simcore.trace import Tracer
from simcore.trace.sentences import Names, Narrator
from simcore.virt.clock import GuestClock
from simcore.virt.machine import Machine

# Every device of a network is one of these (InternetNode is a HostNode, DistributedSwitch a Switch).
Node = HostNode | Switch
HostClass = Callable[..., HostNode]


@dataclass(eq=False)
class BuildContext:
    """A network's devices and the typed ways to add to them."""

    engine: Engine
    tracer: Tracer
    names: Names = field(default_factory=Names)
    narrator: Narrator = field(init=False)
    specs: dict[str, dict] = field(default_factory=dict)  # node id -> its normalized design spec
    nodes: dict[str, Node] = field(default_factory=dict)  # design order, then hidden devices
    links: dict[str, Link] = field(default_factory=dict)
    captures: dict[str, Capture] = field(default_factory=dict)
    nat_networks: dict[str, NatNetwork] = field(default_factory=dict)  # drawn nat_network id -> router half
    services: dict[str, list[Service]] = field(default_factory=dict)  # node id -> its services, in order
    bridges: dict[str, Bridged] = field(default_factory=dict)  # bridged vswitch id -> its bridge
    vbox: VboxState = field(default_factory=VboxState)
    machines: dict[str, Machine] = field(default_factory=dict)  # VM node id -> its controller, in design order
    problems: list[Problem] = field(default_factory=list)
    # What each capture name records (a NIC or a link): one file per name.
    _tapped: dict[str, Port | Link] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.narrator = Narrator(self.names)

    # -- problems -----------------------------------------------------------------------------
    def report(self, code: str, path: str, message: str) -> None:
        """A build problem (``code``: ``build.<what>``; ``path``: where in the document)."""
        self.problems.append(Problem(code, path, message))

    def raise_problems(self) -> None:
        """Raise every problem reported so far as one ``DesignError`` (and forget them)."""
        if self.problems:
            problems, self.problems = self.problems, []
            raise DesignError(problems)

    # -- nodes --------------------------------------------------------------------------------
    def add_node(self, node: Node) -> Node:
        """Make ``node`` part of the network; an id already taken is refused (ValueError)."""
        old = self.nodes.get(node.id)
        if old is not None:
            raise ValueError(f"node id {node.id!r} is taken twice: by {old.name} (a {old.kind}) and by "
                             f"{node.name} (a {node.kind}); rename one of them")
        self.nodes[node.id] = node
        self.names.add_node(node.id, node.name)
        return node

    def replace_node(self, node: Node) -> None:
        """Put ``node`` where the node of the same id was (a switch turned into a distributed one)."""
        if node.id not in self.nodes:
            raise ValueError(f"no node {node.id!r} to replace")
        self.nodes[node.id] = node

    def new_switch(self, node_id: str, name: str, *, kind: str = "vswitch", aging_s: float = 300) -> Switch:
        switch = Switch(self.engine, node_id, name=name, kind=kind, aging_s=aging_s, tracer=self.tracer,
                        narrator=self.narrator)
        self.add_node(switch)
        return switch

    def new_host(self, node_id: str, name: str, *, kind: str, ip_forward: bool = False,
                 cls: HostClass = HostNode, clock: GuestClock | None = None) -> HostNode:
        """A node with a stack (``cls``: HostNode or InternetNode), traced like every other.
        ``clock``: a VM's guest clock, which everything inside it schedules on (default: the engine)."""
        node = cls(clock if clock is not None else self.engine, node_id, name=name, kind=kind, ip_forward=ip_forward,
                   tracer=self.tracer, narrator=self.narrator)
        self.add_node(node)
        return node

    def add_nic(self, node: HostNode, name: str, mac: str, cidr: str | None) -> Nic:
        """A NIC on ``node`` (``cidr``: a static address, "dhcp" or None), known to the sentences.

        A refused address (one the node already has, one that is not an address) raises ValueError;
        the NIC is there all the same, the address in use nowhere, so the caller can report the
        problem and go on looking for more before the build stops.
        """
        try:
            return node.add_nic(name, mac, cidr)
        except ValueError:
            if name not in node.stack.ifaces:
                node.add_nic(name, mac, None)
            raise
        finally:
            self.names.add_mac(mac, node.id)
            if cidr and cidr != "dhcp":
                self.names.add_ip(cidr.split("/")[0], node.id)

    def host(self, node_id: str | None) -> HostNode | None:
        """The node ``node_id`` if it has a stack (a hypervisor, a member of a distributed switch)."""
        node = self.nodes.get(node_id) if node_id is not None else None
        return node if isinstance(node, HostNode) else None

    # -- links --------------------------------------------------------------------------------
    def port_of(self, node_id: str, nic: str | None) -> Port:
        """A link end: a new port of a switch, or the named NIC of a host."""
        node = self.nodes[node_id]
        if isinstance(node, Switch):
            return node.add_port()
        if nic is None:
            raise ValueError(f"a link to {node_id!r} must name one of its NICs")
        return node.nics[nic]

    def connect(self, link_id: str, a: Port, b: Port, delay_ns: int = 0) -> Link:
        """A link from ``a`` to ``b``; an id already taken is refused (ValueError)."""
        self._free_link_id(link_id, a, b)
        return self.add_link(Link(self.engine, link_id, a, b, delay_ns))

    def add_link(self, link: Link) -> Link:
        """Register a link a device made itself (a NAT network's bridge to its switch)."""
        self._free_link_id(link.id, link.a, link.b)
        self.links[link.id] = link
        link.on_transmit = self.frame_sent if self.tracer.on else None
        return link

    def _free_link_id(self, link_id: str, a: Port, b: Port) -> None:
        old = self.links.get(link_id)
        if old is not None:
            raise ValueError(f"link id {link_id!r} is taken twice: by the link from {_words(old.a)} to "
                             f"{_words(old.b)} and by the one from {_words(a)} to {_words(b)}")

    # -- capture points -----------------------------------------------------------------------
    def capture_nic(self, node_id: str, nic_name: str) -> Capture:
        """A capture point ``<node>_<nic>`` on a NIC (the same one if asked twice)."""
        node = self.nodes[node_id]
        if not isinstance(node, HostNode) or nic_name not in node.nics:
            raise ValueError(f"{node_id!r} has no NIC {nic_name!r} to capture on")
        nic = node.nics[nic_name]
        return self._capture(f"{node_id}_{nic_name}", nic, nic.taps)

    def capture_link(self, link_id: str) -> Capture:
        """A capture point named after the link (the same one if asked twice)."""
        link = self.links[link_id]
        return self._capture(link_id, link, link.taps)

    def _capture(self, name: str, target: Port | Link, taps: list) -> Capture:
        old = self._tapped.get(name)
        if old is target:
            return self.captures[name]
        if old is not None:
            raise ValueError(f"two capture points would write {name}.pcap: {_words(old)} and {_words(target)}")
        cap = Capture(self.engine, name)
        taps.append(cap)
        self.captures[name] = cap
        self._tapped[name] = target
        return cap

    # -- tracing ------------------------------------------------------------------------------
    def trace_frames(self) -> None:
        """Let every link report ``frame.sent`` if the tracer is on (after a new sink is attached);
        an untraced run does not even call the hook."""
        hook = self.frame_sent if self.tracer.on else None
        for link in self.links.values():
            link.on_transmit = hook

    def frame_sent(self, link: Link, from_port: Port, to_port: Port, frame: Ethernet, arrives: int) -> None:
        where: dict = {"node": from_port.node.id}
        if getattr(from_port, "mac", None) is not None:
            where["nic"] = from_port.name
        else:
            where["port"] = from_port.number
        self.tracer.emit("frame.sent", self.narrator.sent(link, from_port, to_port, frame), frame, **where,
                         link=link.id, to_node=to_port.node.id, arrives=arrives)


def _words(thing: Port | Link) -> str:
    """``vm1's NIC eth0``, ``lan`` (a switch port), ``the link l1``: for messages."""
    if isinstance(thing, Link):
        return f"the link {thing.id}"
    if isinstance(thing, Nic):
        return f"{thing.node.id}'s NIC {thing.name}"
    return str(getattr(thing.node, "id", thing.name))
