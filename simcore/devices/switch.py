"""A learning switch that behaves as a Linux bridge (IEEE 802.1D transparent bridging).

- Learn the source MAC on the ingress port (never a group address: 802.1D 7.8).
- Known unicast destination: forward out its port; if that port is the ingress port, filter
  (drop) the frame, as a bridge never sends a frame back where it came from.
- Unknown unicast, broadcast and multicast: flood to every port but the ingress port.
- Learned entries age out after ``aging_s`` (300 s, the Linux bridge's and 802.1D's default).
  One timer per entry, re-armed lazily: a refresh only moves ``seen``.
- A port whose link loses its carrier (the VM behind it powered off or saved) is disabled, as a
  Linux bridge disables a port whose link goes down: its learned entries are flushed at once
  (``switch.flushed``), nothing is learned or flooded there, and a unicast frame for a MAC of the
  NIC behind it is traced as going nowhere (``packet.dropped``, ``link.no_carrier``).
"""

from __future__ import annotations

from simcore.engine import Engine
from simcore.net import Link, Port
from simcore.packets import Ethernet
from simcore.trace import Tracer
from simcore.trace.sentences import Narrator

DEFAULT_AGING_S = 300


def is_group(mac: str) -> bool:
    """True for broadcast and multicast MACs: the I/G bit, lowest bit of the first octet."""
    return mac[1] in "13579bdf"


class FdbEntry:
    __slots__ = ("mac", "port", "seen", "timer")

    def __init__(self, mac: str, port: Port, seen: int):
        self.mac = mac
        self.port = port
        self.seen = seen
        self.timer = False  # an aging check is scheduled


class Switch:
    """A vswitch or LAN switch. Ports are numbered from 1 in the order links were attached."""

    has_stack = False

    def __init__(self, engine: Engine, node_id: str, *, name: str | None = None, kind: str = "vswitch",
                 aging_s: float = DEFAULT_AGING_S, tracer: Tracer | None = None, narrator: Narrator | None = None):
        if aging_s <= 0:
            raise ValueError(f"switch {node_id!r}: aging_s must be > 0, not {aging_s!r}")
        self.engine = engine
        self.id = node_id
        self.name = name or node_id
        self.kind = kind
        self.aging_ns = int(round(aging_s * 1e9))
        self.ports: list[Port] = []
        self.fdb: dict[str, FdbEntry] = {}
        self.tracer = tracer if tracer is not None else Tracer(engine)
        self.narrator = narrator
        self.counters = {"flooded": 0, "forwarded": 0, "filtered": 0, "learned": 0, "aged": 0}
        self.down = 0  # ports without carrier: the forwarding path looks at carriers only when > 0
        self.down_why: dict[int, str] = {}  # port number -> why it has no carrier, for sentences
        self._aging = self._age  # bound once: every learned address's aging timer shares it
        self._receive = self.receive  # bound once: every port's handler shares it

    def add_port(self) -> Port:
        number = len(self.ports) + 1
        port = Port(self, f"p{number}", number)
        port.handler = self._receive
        self.ports.append(port)
        return port

    # -- the forwarding path ------------------------------------------------------------------
    def receive(self, in_port: Port, frame: Ethernet) -> None:
        now = self.engine.now
        src = frame.src
        tr = self.tracer
        if src[1] not in "13579bdf":  # not a group address (is_group, inlined: the hot path)
            entry = self.fdb.get(src)
            if entry is None or entry.port is not in_port:
                self._learn(src, in_port, now, moved_from=entry.port if entry else None, frame=frame)
            else:
                entry.seen = now
        dst = frame.dst
        if dst[1] in "13579bdf":
            self._flood(in_port, frame, "broadcast" if dst == "ff:ff:ff:ff:ff:ff" else "multicast")
            return
        entry = self.fdb.get(dst)
        if entry is None:
            self._flood(in_port, frame, "unknown")
            return
        out = entry.port
        if out is in_port:
            self.counters["filtered"] += 1
            if tr.on:
                tr.emit("switch.filtered", self.narrator.filtered(self, in_port, frame), frame,
                        node=self.id, port=in_port.number, link=in_port.link.id, mac=dst,
                        reason="switch.same_port")
            return
        self.counters["forwarded"] += 1
        if tr.on:
            tr.emit("switch.forwarded", self.narrator.forwarded(self, in_port, out, frame), frame,
                    node=self.id, port=in_port.number, out_port=out.number, link=in_port.link.id, mac=dst)
        out.send(frame)

    def _flood(self, in_port: Port, frame: Ethernet, why: str) -> None:
        self.counters["flooded"] += 1
        outs = [p for p in self.ports if p is not in_port and p.link is not None]
        if self.down:
            outs = self._with_carrier(outs, frame, why)
        if self.tracer.on:
            self.tracer.emit("switch.flooded", self.narrator.flooded(self, in_port, outs, frame, why), frame,
                             node=self.id, port=in_port.number, out_ports=[p.number for p in outs],
                             link=in_port.link.id, mac=frame.dst, why=why)
        for p in outs:
            p.send(frame)

    def _learn(self, mac: str, port: Port, now: int, moved_from: Port | None, frame: Ethernet) -> None:
        if not port.carrier:
            return  # a frame still on the wire when its port went down: a disabled port learns nothing
        entry = self.fdb.get(mac)
        if entry is None:
            entry = self.fdb[mac] = FdbEntry(mac, port, now)
        else:
            entry.port = port
            entry.seen = now
        self.counters["learned"] += 1
        if not entry.timer:
            entry.timer = True
            self.engine.schedule(self.aging_ns, self._aging, entry)
        if self.tracer.on:
            fields = {"node": self.id, "port": port.number, "link": port.link.id, "mac": mac}
            if moved_from is not None:
                fields["moved_from"] = moved_from.number
            self.tracer.emit("switch.learned", self.narrator.learned(self, port, mac, moved_from), **fields)

    def _age(self, entry: FdbEntry) -> None:
        if self.fdb.get(entry.mac) is not entry:
            return
        expires = entry.seen + self.aging_ns
        if expires > self.engine.now:
            self.engine.schedule(expires - self.engine.now, self._aging, entry)
            return
        del self.fdb[entry.mac]
        entry.timer = False
        self.counters["aged"] += 1
        if self.tracer.on:
            self.tracer.emit("switch.aged", self.narrator.aged(self, entry.port, entry.mac),
                             node=self.id, port=entry.port.number, link=entry.port.link.id, mac=entry.mac,
                             aging_s=self.aging_ns / 1e9)

    # -- carrier ------------------------------------------------------------------------------
    def carrier_changed(self, port: Port, up: bool, why: str, *, announce: bool = True) -> None:
        """The link on ``port`` gained or lost its carrier (``why``: a sentence's reason, "vm1 is
        powered off"). Down: the port is disabled and its learned entries are flushed, which is
        traced unless ``announce`` is false (a VM that is off from t = 0)."""
        if port.carrier is up:
            return
        port.carrier = up
        if up:
            self.down -= 1
            self.down_why.pop(port.number, None)
            return
        self.down += 1
        self.down_why[port.number] = why
        macs = sorted(e.mac for e in self.fdb.values() if e.port is port)
        for mac in macs:
            del self.fdb[mac]
        if announce and self.tracer.on:
            self.tracer.emit("switch.flushed", self.narrator.flushed(self, port, macs, why), node=self.id,
                             port=port.number, link=port.link.id if port.link is not None else None, macs=macs,
                             why=why)

    def _with_carrier(self, outs: list[Port], frame: Ethernet, why: str) -> list[Port]:
        kept = []
        for p in outs:
            if p.carrier:
                kept.append(p)
            elif why == "unknown" and getattr(p.peer, "mac", None) == frame.dst and self.tracer.on:
                reason = self.down_why.get(p.number, "no carrier")
                self.tracer.emit("packet.dropped", self.narrator.no_carrier(self, p, frame, reason), frame,
                                 node=self.id, port=p.number, link=p.link.id, reason="link.no_carrier")
        return kept

    # -- reading ------------------------------------------------------------------------------
    def fdb_rows(self) -> list[dict]:
        """The forwarding table like ``bridge fdb``, as JSON rows sorted by port then MAC."""
        now = self.engine.now
        rows = []
        for entry in sorted(self.fdb.values(), key=lambda e: (e.port.number, e.mac)):
            link = entry.port.link
            row = {
                "mac": entry.mac,
                "port": entry.port.number,
                "link": link.id if link is not None else None,
                "age_s": round((now - entry.seen) / 1e9, 9),
                "expires_s": round((entry.seen + self.aging_ns - now) / 1e9, 9),
            }
            extra = getattr(entry.port, "fdb_extra", None)
            if extra is not None:  # a bridge's local entry is permanent; a VXLAN port adds dst
                row.update(extra(entry))
            rows.append(row)
        return rows

    def table(self) -> dict:
        return {"kind": self.kind, "name": self.name, "aging_s": self.aging_ns / 1e9, "fdb": self.fdb_rows(),
                "ports": [{"port": p.number, "link": p.link.id if p.link else None} for p in self.ports]}


# -- ports that are not the end of a design link (a bridge's uplink and local port, a VXLAN port) --
# A Switch needs of a port only ``number``, ``send(frame)``, a ``link`` with an ``id`` (trace
# fields) and a ``peer`` whose ``node.name`` says what the port leads to (sentences). These ports
# are numbered after the link ports, in the order they are attached (simcore.devices.bridge/vxlan).


class FarSide:
    """What a special port leads to, for sentences: a thing with a ``node`` that has a ``name``."""

    __slots__ = ("node",)

    def __init__(self, node_id: str, name: str):
        self.node = _Named(node_id, name)


class _Named:
    __slots__ = ("id", "name")
    has_stack = True  # sentences say "the link to <name>"

    def __init__(self, node_id: str, name: str):
        self.id = node_id
        self.name = name


class SpecialPort(Port):
    """A switch port whose traffic leaves without a design link of its own.

    ``via`` is the port whose link the trace names (the physical NIC for a bridge, the underlay
    NIC for a VXLAN port); ``far`` is what sentences say the port leads to.
    """

    __slots__ = ("via", "far")

    def __init__(self, switch: Switch, name: str, number: int, via: Port, far: FarSide):
        super().__init__(switch, name, number)
        self.via = via
        self.far = far

    # ``link`` is read-only here: Port.__init__ assigns None, which is ignored.
    @property
    def link(self) -> Link | None:  # type: ignore[override]
        return self.via.link

    @link.setter
    def link(self, value: Link | None) -> None:
        pass

    @property
    def peer(self) -> FarSide:  # type: ignore[override]
        return self.far

    def fdb_extra(self, entry: FdbEntry) -> dict:
        """Extra columns of a ``bridge fdb`` row on this port (``dst`` for VXLAN, ``permanent``)."""
        return {}
