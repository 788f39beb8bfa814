"""A node with an IP stack: a physical host, a VM, a container or a plain outside machine.

What the kind changes on the wire: nothing (a VM's and a host's Linux stacks behave alike). A VM
schedules on its own guest clock (``engine`` is then a ``simcore.virt.GuestClock``) and has a
controller, ``machine`` (``simcore.virt.Machine``: its power state, ``machine.state``); every other
node has ``machine = None`` and schedules on the run's engine.
"""

from __future__ import annotations

from simcore.apps.console import Console
from simcore.engine import Engine
from simcore.net import Nic
from simcore.stack import Stack
from simcore.trace import Tracer
from simcore.trace.sentences import Narrator

# What the apps add to a node on first use (``simcore.apps.dhcp.glue.client_on``,
# ``simcore.apps.tcp.glue.tcp_for``): bound to its stack.
APP_ATTRIBUTES = ("dhcp_clients", "tcp")


class HostNode:
    has_stack = True
    machine = None  # a VM's controller (simcore.virt.Machine), set by the assembly
    # Kept on the node only when it is another: an instance's attribute values take a word for
    # every attribute name its class has seen, set or not.
    kind = "host"
    ip_forward = False
    _console = Console

    def __init__(self, engine: Engine, node_id: str, *, name: str | None = None, kind: str = "host",
                 ip_forward: bool = False, tracer: Tracer | None = None, narrator: Narrator | None = None):
        self.engine = engine
        self.id = node_id
        self.name = name or node_id
        if kind != self.kind:
            self.kind = kind
        self.tracer = tracer if tracer is not None else Tracer(engine)
        self.narrator = narrator if narrator is not None else Narrator()
        self.nics: dict[str, Nic] = {}
        if ip_forward != self.ip_forward:
            self.ip_forward = ip_forward
        self.stack = self._make_stack(ip_forward)
        self.console = self._console(self)

    def _make_stack(self, ip_forward: bool) -> Stack:
        return Stack(self, self.engine, self.tracer, self.narrator, ip_forward=ip_forward)

    def fresh_stack(self) -> Stack:
        """Replace the stack with an empty one holding the same NICs, without addresses: what a
        VM's kernel has after its RAM was lost (power off, reset). Handlers point at the new stack;
        the apps bound to the old one (its DHCP clients, its TCP) are gone with it."""
        self.stack = self._make_stack(self.ip_forward)
        for nic in self.nics.values():
            self.stack.add_nic(nic, None)
        for key in APP_ATTRIBUTES:
            # (not through ``__dict__``: asking for it would give the node a dict of its own)
            if getattr(self, key, None) is not None:
                delattr(self, key)
        return self.stack

    def add_nic(self, name: str, mac: str, cidr: str | None = None) -> Nic:
        nic = Nic(self, name, mac, number=len(self.nics) + 1)
        self.nics[name] = nic
        self.stack.add_nic(nic, cidr if cidr and cidr != "dhcp" else None)
        return nic

    def table(self) -> dict:
        return {"kind": self.kind, "name": self.name, **self.stack.table()}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


class _NamespaceStack(Stack):
    """A container's network namespace: a stack, of a class of its own so that it keeps a word for
    the attributes a container's stack has, not for every one a host's stack was given (a DHCP
    server's table, sockets, NAT hooks)."""


class _ContainerConsole(Console):
    """A container node's console (a class of its own, as its stack)."""

    __slots__ = ()


class ContainerNode(HostNode):
    """A container's node (``simcore.virt.containers``): a HostNode whose instances keep a word for
    the attributes containers have only (its record, guest and DHCP client), not for every one
    given to a host or a VM."""

    kind = "container"
    _console = _ContainerConsole

    def _make_stack(self, ip_forward: bool) -> Stack:
        return _NamespaceStack(self, self.engine, self.tracer, self.narrator, ip_forward=ip_forward)
