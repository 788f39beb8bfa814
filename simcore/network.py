"""The assembled network: a design document turned into devices on one engine.

    net = Network.from_design(doc, seed=0, trace=[])
    net.command("vm1", "ping -c 3 192.168.56.12", at=1.0)   # user actions are console lines
    net.run_until(5.0)                                      # seconds of simulated time
    net.tables()                                            # MAC tables, ARP caches, routes now
    net.write_pcaps("out/")                                 # <node>_<nic>.pcap, <link>.pcap

Times at this door are **seconds** (floats, as the design's ``script[].at``); the engine counts
integer nanoseconds (``net.now_ns``, ``run_until_ns``). A run is ``(document, seed, actions)``:
``net.actions`` is the action log that replays it.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from simcore.design import DesignError, Problem, normalized, validate
from simcore.design.kinds import KINDS
from simcore.devices import HostNode, InternetNode, Switch
from simcore.devices.build import build_extra, build_nat_networks, build_services
from simcore.engine import PRIORITY_URGENT, Engine, RunStatus
from simcore.net import Capture, Link
from simcore.trace import Tracer
from simcore.trace.sentences import Names, Narrator

S = 1_000_000_000


def seconds_to_ns(value: float, what: str = "time") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise ValueError(f"{what} must be a number of seconds >= 0, not {value!r}")
    return int(round(value * S))


class Network:
    """Devices, links and captures built from a *normalized* design, on one engine."""

    def __init__(self, doc: dict, *, seed: int = 0, trace: Any = None, frames: bool = True,
                 max_time_s: float | None = None, max_events: int | None = None, engine: Any = None,
                 capture_all: bool = False):
        self.doc = doc
        # ``capture_all``: a capture point on every drawn NIC (and switch-to-switch link), not only the document's
        # ``captures`` (the live run: a user downloads the pcap of whatever NIC they pick).
        self._capture_all = capture_all
        # ``engine``: another kernel with the same interface (now, rng, schedule, at, run_until);
        # only bench/engine.py uses it, to run the same workload on a bare heapq loop and on SimPy.
        self.engine = engine if engine is not None else Engine(
            seed, max_time_ns=None if max_time_s is None else seconds_to_ns(max_time_s, "max_time_s"),
            max_events=max_events)
        self.tracer = Tracer(self.engine, trace, frames=frames)
        self.names = Names()
        self.narrator = Narrator(self.names)
        self.nodes: dict[str, Any] = {}
        self.links: dict[str, Link] = {}
        self.captures: dict[str, Capture] = {}
        self.actions: list[dict] = []
        self.nat_networks: dict[str, Any] = {}  # nat_network id -> NatNetwork (router half)
        self.services: dict[str, list] = {}  # node id -> its services, in design order
        self._limit_reported = False
        self._build()
        self._wire_trace()

    @classmethod
    def from_design(cls, doc: dict, seed: int = 0, trace: Any = None, **options: Any) -> Network:
        """Validate (raising ``DesignError`` with every problem), normalize, build, load the script."""
        problems = [p for p in validate(doc) if getattr(p, "severity", "error") == "error"]
        if problems:
            raise DesignError(problems)
        net = cls(normalized(doc), seed=seed, trace=trace, **options)
        problems = []
        for i, item in enumerate(net.doc["script"]):
            try:
                net.command(item["node"], item["command"], at=item["at"])
            except ValueError as exc:
                problems.append(Problem("build.script", f"script[{i}].node", str(exc)))
        if problems:
            raise DesignError(problems)
        return net

    # -- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        doc = self.doc
        common = {"tracer": self.tracer, "narrator": self.narrator}
        # What the schema cannot see but a kernel refuses (a gateway off every connected network,
        # one address twice on a node) is a DesignError naming the path, not a traceback.
        problems: list[Problem] = []
        for i, spec in enumerate(doc["nodes"]):
            kind = KINDS[spec["kind"]]
            node_id, name = spec["id"], spec.get("name") or spec["id"]
            self.names.add_node(node_id, name)
            if kind.is_switch:
                node = Switch(self.engine, node_id, name=name, kind=kind.id,
                              aging_s=spec.get("aging_s", 300), **common)
            elif kind.has_nics:
                cls = InternetNode if kind.id == "internet" else HostNode
                node = cls(self.engine, node_id, name=name, kind=kind.id,
                           ip_forward=bool(spec.get("ip_forward", False)), **common)
                for j, nic in enumerate(spec.get("nics", [])):
                    ip = nic.get("ip")
                    try:
                        node.add_nic(nic["name"], nic["mac"], ip)
                    except ValueError as exc:
                        problems.append(Problem("build.address", f"nodes[{i}].nics[{j}].ip", str(exc)))
                        node.add_nic(nic["name"], nic["mac"], None)
                    self.names.add_mac(nic["mac"], node_id)
                    if ip and ip != "dhcp":
                        self.names.add_ip(ip.split("/")[0], node_id)
            else:
                continue  # a kind with neither NICs nor ports takes no part in the network
            self.nodes[node_id] = node
        problems.extend(Problem("build.nat_network", path, msg) for path, msg in build_nat_networks(self, doc))
        for i, spec in enumerate(doc["nodes"]):
            node = self.nodes.get(spec["id"])
            if isinstance(node, HostNode):
                for j, route in enumerate(spec.get("routes", [])):
                    try:
                        node.stack.add_route(route["to"], route.get("via"), route.get("dev"))
                    except ValueError as exc:
                        problems.append(Problem("build.route", f"nodes[{i}].routes[{j}]", str(exc)))
        if problems:
            raise DesignError(problems)
        for spec in doc["links"]:
            a, b = self._end(spec["a"]), self._end(spec["b"])
            link = Link(self.engine, spec["id"], a, b, int(round(spec.get("delay_us", 50) * 1000)))
            self.links[link.id] = link
        problems = [Problem("build.service", path, msg) for path, msg in build_services(self, doc)]
        # ENGINEER B's hook (issue 5): bridged vswitches and distributed switches, after the links.
        problems.extend(Problem("build.switch", path, msg) for path, msg in build_extra(self, doc))
        if problems:
            raise DesignError(problems)
        for nat in self.nat_networks.values():
            self.links[nat.link.id] = nat.link
        for spec in doc["captures"]:
            if "link" in spec:
                cap = Capture(self.engine, spec["link"])
                self.links[spec["link"]].taps.append(cap)
            else:
                cap = Capture(self.engine, f"{spec['node']}_{spec['nic']}")
                self.nodes[spec["node"]].nics[spec["nic"]].taps.append(cap)
            self.captures[cap.name] = cap
        if self._capture_all:
            self._capture_everything()

    def _capture_everything(self) -> None:
        """A capture on every NIC of every drawn node, in design order, and on every link between two
        switches (a link with a NIC at an end is already seen whole by that NIC's capture)."""
        for spec in self.doc["nodes"]:
            node = self.nodes.get(spec["id"])
            for nic in spec.get("nics", []):
                name = f"{spec['id']}_{nic['name']}"
                target = getattr(node, "nics", {}).get(nic["name"])
                if target is not None and name not in self.captures:
                    self.captures[name] = cap = Capture(self.engine, name)
                    target.taps.append(cap)
        for spec in self.doc["links"]:
            if "nic" not in spec["a"] and "nic" not in spec["b"] and spec["id"] not in self.captures:
                self.captures[spec["id"]] = cap = Capture(self.engine, spec["id"])
                self.links[spec["id"]].taps.append(cap)

    def _end(self, end: dict) -> Any:
        node = self.nodes[end["node"]]
        if isinstance(node, Switch):
            return node.add_port()
        return node.nics[end["nic"]]

    def _trace_transmit(self, link: Link, from_port: Any, to_port: Any, frame: Any, arrives: int) -> None:
        where: dict = {"node": from_port.node.id}
        if getattr(from_port, "mac", None) is not None:
            where["nic"] = from_port.name
        else:
            where["port"] = from_port.number
        self.tracer.emit("frame.sent", self.narrator.sent(link, from_port, to_port, frame), frame, **where,
                         link=link.id, to_node=to_port.node.id, arrives=arrives)

    # -- user actions -------------------------------------------------------------------------
    def command(self, node_id: str, line: str, at: float | None = None) -> None:
        """Type ``line`` on ``node_id``'s console at simulated second ``at`` (None: now)."""
        node = self.nodes.get(node_id)
        if node is None:
            raise ValueError(f"no node with id {node_id!r}")
        if not isinstance(node, HostNode):
            raise ValueError(f"node {node_id!r} ({node.kind}) has no console")
        if not isinstance(line, str):
            raise TypeError(f"command line must be a string, not {line!r}")
        t = self.engine.now if at is None else seconds_to_ns(at, "at")
        if t < self.engine.now:
            raise ValueError(f"at={at!r} s is in the past (now is {self.engine.now / S} s)")
        self.actions.append({"t": t, "node": node_id, "command": line})
        self.engine.at(t, node.console.run, line, priority=PRIORITY_URGENT)

    def interrupt(self, node_id: str, at: float | None = None) -> None:
        """Ctrl-C on ``node_id``'s console."""
        node = self.nodes[node_id]
        t = self.engine.now if at is None else seconds_to_ns(at, "at")
        self.actions.append({"t": t, "node": node_id, "interrupt": True})
        self.engine.at(t, node.console.interrupt, priority=PRIORITY_URGENT)

    # -- running ------------------------------------------------------------------------------
    @property
    def now_ns(self) -> int:
        return self.engine.now

    def run_until(self, t_s: float) -> RunStatus:
        """Run to simulated second ``t_s`` (events at exactly ``t_s`` included)."""
        return self.run_until_ns(seconds_to_ns(t_s, "t_s"))

    def run_until_ns(self, t_ns: int) -> RunStatus:
        status = self.engine.run_until(t_ns)
        self._after_run()
        return status

    def run(self) -> RunStatus:
        """Run until nothing is left to do (or a limit). A ping without -c never ends: use run_until."""
        status = self.engine.run()
        self._after_run()
        return status

    def step(self) -> bool:
        """Run the next event only."""
        ran = self.engine.step()
        self._after_run()
        return ran

    def _after_run(self) -> None:
        if self.engine.finished and not self._limit_reported:
            self._limit_reported = True
            status = self.engine.status
            what = (f"the simulated time limit ({self.engine.max_time_ns / S:g} s)"
                    if status is RunStatus.TIME_LIMIT else f"the event limit ({self.engine.max_events} events)")
            self.tracer.emit("run.limit", f"The run stops: it reached {what}.", status=status.value,
                             events=self.engine.events_run)
        self.tracer.flush()

    # -- checkpoints --------------------------------------------------------------------------
    def fork(self, trace: Any = None) -> Network:
        """An independent copy of the whole run at this instant (a checkpoint for seeking).

        Running the copy gives exactly what running this network would, from now on; its trace goes
        to ``trace`` (sequence numbers continue). The copy shares nothing mutable with this one;
        the sink of this network is not copied.
        """
        tracer = self.tracer
        saved = (tracer._add, tracer._flush, tracer.on)
        tracer._add = tracer._flush = None
        tracer.on = False
        try:
            twin = copy.deepcopy(self)
        finally:
            tracer._add, tracer._flush, tracer.on = saved
        twin.set_trace(trace)
        return twin

    def set_trace(self, trace: Any) -> None:
        """Send trace events to ``trace`` from now on (None: stop tracing)."""
        self.tracer.flush()
        self.tracer.attach(trace)
        self._wire_trace()

    def _wire_trace(self) -> None:
        # frame.sent comes from the links; an untraced run does not even call the hook.
        for link in self.links.values():
            link.on_transmit = self._trace_transmit if self.tracer.on else None

    # -- reading ------------------------------------------------------------------------------
    def tables(self) -> dict:
        """Every switch's forwarding table and every node's addresses, routes and ARP cache, now."""
        switches, nodes = {}, {}
        for node_id, node in self.nodes.items():
            if isinstance(node, Switch):
                switches[node_id] = node.table()
            else:
                nodes[node_id] = node.table()
        dhcp = {}
        for node_id, node in self.nodes.items():
            servers = getattr(getattr(node, "stack", None), "dhcp_servers", None)
            if servers:
                dhcp[node_id] = {nic: glue.leases() for nic, glue in servers.items()}
        return {
            "t": self.engine.now,
            "switches": switches,
            "nodes": nodes,
            "dhcp_leases": dhcp,
            "nat": {nat_id: nat.table() for nat_id, nat in self.nat_networks.items()},
            # VirtualBox's NAT engines and NAT Network services (``nics[].mode``), by hidden node id.
            "vbox_nat": {node_id: nat.table() for node_id, nat in getattr(self, "vbox", {}).items()},
            "services": {node_id: [s.row() for s in services] for node_id, services in self.services.items()},
        }

    def facts(self) -> list[dict]:
        """What the consoles established (ping statistics, exit statuses), in time order."""
        out = []
        for node in self.nodes.values():
            if isinstance(node, HostNode):
                out.extend(node.console.facts)
        return sorted(out, key=lambda f: f["t"])

    def console_lines(self) -> list[tuple[int, str, str]]:
        """Every console output line as ``(t_ns, node_id, text)``, in time order."""
        out = []
        for node_id, node in self.nodes.items():
            if isinstance(node, HostNode):
                out.extend((t, node_id, text) for t, text in node.console.lines)
        return sorted(out, key=lambda x: x[0])

    def write_pcaps(self, directory: str) -> list[str]:
        """Write one classic pcap per capture point into ``directory``; returns the paths."""
        os.makedirs(directory, exist_ok=True)
        paths = []
        for cap in self.captures.values():
            path = os.path.join(directory, cap.filename)
            cap.write(path)
            paths.append(path)
        return paths
