"""A node with an IP stack: a physical host, a VM, a container or a plain outside machine.

What the kind changes in the simulation today: nothing on the wire (a VM's and a host's Linux
stacks behave alike); the kind is kept for the trace, the tables and later issues (placement,
power states).
"""

from __future__ import annotations

from simcore.apps.console import Console
from simcore.engine import Engine
from simcore.net import Nic
from simcore.stack import Stack
from simcore.trace import Tracer
from simcore.trace.sentences import Narrator


class HostNode:
    has_stack = True

    def __init__(self, engine: Engine, node_id: str, *, name: str | None = None, kind: str = "host",
                 ip_forward: bool = False, tracer: Tracer | None = None, narrator: Narrator | None = None):
        self.engine = engine
        self.id = node_id
        self.name = name or node_id
        self.kind = kind
        self.tracer = tracer if tracer is not None else Tracer(engine)
        self.narrator = narrator if narrator is not None else Narrator()
        self.nics: dict[str, Nic] = {}
        self.stack = self._make_stack(ip_forward)
        self.console = Console(self)

    def _make_stack(self, ip_forward: bool) -> Stack:
        return Stack(self, self.engine, self.tracer, self.narrator, ip_forward=ip_forward)

    def add_nic(self, name: str, mac: str, cidr: str | None = None) -> Nic:
        nic = Nic(self, name, mac, number=len(self.nics) + 1)
        self.nics[name] = nic
        self.stack.add_nic(nic, cidr if cidr and cidr != "dhcp" else None)
        return nic

    def table(self) -> dict:
        return {"kind": self.kind, "name": self.name, **self.stack.table()}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"
