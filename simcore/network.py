"""The assembled network: a design document turned into devices on one engine.

    net = Network.from_design(doc, seed=0, trace=[])
    net.command("vm1", "ping -c 3 192.168.56.12", at=1.0)   # user actions are console lines
    net.run_until(5.0)                                      # seconds of simulated time
    net.tables()                                            # MAC tables, ARP caches, routes now
    net.write_pcaps("out/")                                 # <node>_<nic>.pcap, <link>.pcap

Times at this door are **seconds** (floats, as the design's ``script[].at``); the engine counts
integer nanoseconds (``net.now_ns``, ``run_until_ns``). A run is ``(document, seed, actions)``:
``net.actions`` is the action log that replays it.

Building is ``simcore.assembly``'s: ``net.assembly`` is its context, and ``net.nodes``,
``net.links``, ``net.captures``... read it. This module runs, forks and reads the result.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from simcore.assembly import BuildContext, Node, assemble, clones
from simcore.design import DesignError, Problem, normalized, validate
from simcore.devices import HostNode, Switch
from simcore.devices.bridge import Bridged
from simcore.devices.natnet import NatNetwork
from simcore.devices.services import Service
from simcore.engine import PRIORITY_URGENT, Engine, RunStatus
from simcore.engine.record import Record
from simcore.net import Capture, Link
from simcore.trace import Tracer
from simcore.trace.sentences import Names, Narrator
from simcore.virt import hardware, power, snapshots
from simcore.virt.machine import Machine


class EventSink(Protocol):
    def add(self, event: dict) -> None: ...


# Where trace events go: None (no trace), a list, a sink with ``add(event)`` (and maybe
# ``flush()``), or a callable that receives batches of events.
TraceSink = list[dict] | EventSink | Callable[[list[dict]], Any] | None

S = 1_000_000_000
LIFECYCLE_ACTIONS = ("snapshot", "clonevm")  # simcore.virt.snapshots, simcore.assembly.clones


def seconds_to_ns(value: float, what: str = "time") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise ValueError(f"{what} must be a number of seconds >= 0, not {value!r}")
    return int(round(value * S))


class CommandAction(Record):
    """A console line in the action log, read as the dict ``{"t", "node", "command"}`` it stands for."""

    __slots__ = ("t", "node", "command")
    KEYS = ("t", "node", "command")

    def __init__(self, t: int, node: str, command: str):
        self.t, self.node, self.command = t, node, command


class Network:
    """Devices, links and captures built from a *normalized* design, on one engine."""

    def __init__(self, doc: dict, *, seed: int = 0, trace: TraceSink = None, frames: bool = True,
                 max_time_s: float | None = None, max_events: int | None = None, engine: Engine | None = None,
                 capture_all: bool = False):
        self.doc = doc
        # ``engine``: another kernel with the same interface (now, rng, schedule, at, run_until);
        # only bench/engine.py uses it, to run the same workload on a bare heapq loop and on SimPy.
        self.engine = engine if engine is not None else Engine(
            seed, max_time_ns=None if max_time_s is None else seconds_to_ns(max_time_s, "max_time_s"),
            max_events=max_events)
        self.tracer = Tracer(self.engine, trace, frames=frames)
        # Everything built lives in the assembly's context; ``nodes``, ``links``... read it.
        self.assembly = BuildContext(self.engine, self.tracer)
        self.actions: list[Mapping[str, Any]] = []  # dicts, and CommandAction records
        self._limit_reported = False
        # ``capture_all``: a capture point on every drawn NIC (and switch-to-switch link), not only the
        # document's ``captures`` (the live run: a user downloads the pcap of whatever NIC they pick).
        assemble(self.assembly, doc, capture_all=capture_all)

    # -- what the network is made of (the assembly's context) ---------------------------------
    @property
    def nodes(self) -> dict[str, Node]:
        """Every device by id: the document's nodes in order, then the hidden ones of the modes."""
        return self.assembly.nodes

    @property
    def links(self) -> dict[str, Link]:
        return self.assembly.links

    @property
    def captures(self) -> dict[str, Capture]:
        return self.assembly.captures

    @property
    def nat_networks(self) -> dict[str, NatNetwork]:
        """Drawn ``nat_network`` id -> its router half."""
        return self.assembly.nat_networks

    @property
    def services(self) -> dict[str, list[Service]]:
        """Node id -> its services, in design order."""
        return self.assembly.services

    @property
    def vbox(self) -> dict[str, NatNetwork]:
        """VirtualBox's NAT engines and NAT Network services (``nics[].mode``), by hidden node id."""
        return self.assembly.vbox.engines

    @property
    def machines(self) -> dict[str, Machine]:
        """Each VM's controller by node id: ``net.machines["vm1"].state`` is its power state."""
        return self.assembly.machines

    @property
    def bridges(self) -> dict[str, Bridged]:
        return self.assembly.bridges

    @property
    def names(self) -> Names:
        return self.assembly.names

    @property
    def narrator(self) -> Narrator:
        return self.assembly.narrator

    @classmethod
    def from_design(cls, doc: dict, seed: int = 0, trace: TraceSink = None, **options: Any) -> Network:
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

    # -- user actions -------------------------------------------------------------------------
    def command(self, node_id: str, line: str, at: float | None = None) -> None:
        """Type ``line`` on ``node_id``'s console at simulated second ``at`` (None: now)."""
        node = self._console_node(node_id)
        if not isinstance(line, str):
            raise TypeError(f"command line must be a string, not {line!r}")
        t = self.engine.now if at is None else seconds_to_ns(at, "at")
        if t < self.engine.now:
            raise ValueError(f"at={at!r} s is in the past (now is {self.engine.now / S} s)")
        self.actions.append(CommandAction(t, node_id, line))
        self.engine.at(t, node.console.run, line, priority=PRIORITY_URGENT)

    def interrupt(self, node_id: str, at: float | None = None) -> None:
        """Ctrl-C on ``node_id``'s console."""
        node = self._console_node(node_id)
        t = self.engine.now if at is None else seconds_to_ns(at, "at")
        if t < self.engine.now:
            raise ValueError(f"at={at!r} s is in the past (now is {self.engine.now / S} s)")
        self.actions.append({"t": t, "node": node_id, "interrupt": True})
        self.engine.at(t, node.console.interrupt, priority=PRIORITY_URGENT)

    def vm_action(self, node_id: str, action: str, at: float | None = None, **params: Any) -> None:
        """Press a VM's power control (VBoxManage's ``action``: start, pause, resume, savestate,
        acpipowerbutton, poweroff, reset; or ``crash``: its VM process dies, Aborted) or change its hardware (``modifyvm`` memory/cpus/nic+mode,
        ``setlinkstate`` nic+on, ``nic`` nic+mode, ``storageattach`` medium/port/type/hotpluggable:
        ``simcore.virt.hardware.PARAMS``) at simulated second ``at`` (None: now). Logged in
        ``net.actions`` and replayed like a console line; an action illegal when it runs is refused
        then, with VBoxManage's sentence (``vm.refused``)."""
        target = self._vm(node_id, action, params)
        t = self.engine.now if at is None else seconds_to_ns(at, "at")
        if t < self.engine.now:
            raise ValueError(f"at={at!r} s is in the past (now is {self.engine.now / S} s)")
        self.actions.append({"t": t, "node": node_id, "vm": action, "params": dict(params)})
        origin = "asked from the run's controls"
        if action == "snapshot":  # take, restore, delete (simcore.virt.snapshots)
            self.engine.at(t, target.snapshots.request, dict(params), origin, priority=PRIORITY_URGENT)
            return
        if action == "clonevm":  # a new VM made from this one (simcore.assembly.clones)
            self.engine.at(t, target.cloner.request, target, dict(params), origin, priority=PRIORITY_URGENT)
            return
        if action in hardware.ACTIONS:  # a hardware change: the guest's settings (simcore.virt.guest)
            self.engine.at(t, target.node.guest.request, action, dict(params), "asked from the run's controls",
                           priority=PRIORITY_URGENT)
            return
        self.engine.at(t, target.request, action, "asked from the run's controls", priority=PRIORITY_URGENT)

    def check_vm_action(self, node_id: str, action: str, **params: Any) -> str | None:
        """Why ``action`` on VM ``node_id`` would be refused now (VBoxManage's sentence), or None.
        An unknown node, a node that is not a VM, an unknown action or parameter: ValueError."""
        machine = self._vm(node_id, action, params)
        if action == "snapshot":
            refused = machine.snapshots.check(params)
            return refused.sentence if refused is not None else None
        if action == "clonevm":
            return machine.cloner.check(machine, params)
        if action in hardware.ACTIONS:
            refusal = machine.node.guest.check(action, **params)
            return refusal.sentence if refusal is not None else None
        return machine.refusal(action)

    def host_action(self, node_id: str, action: str, at: float | None = None) -> None:
        """Shut a physical host down (``shutdown``), reboot it (``reboot``) or boot it once off
        (``boot``) at simulated second ``at`` (None: now): its containers, VMs and links follow
        (``simcore.virt.hostpower``). Logged in ``net.actions`` as ``{"t", "node", "host": action}``
        and replayed like a console line; refused when it runs if illegal then (``host.refused``)."""
        power = self._host_power(node_id, action)
        t = self.engine.now if at is None else seconds_to_ns(at, "at")
        if t < self.engine.now:
            raise ValueError(f"at={at!r} s is in the past (now is {self.engine.now / S} s)")
        self.actions.append({"t": t, "node": node_id, "host": action})
        self.engine.at(t, power.request, action, "asked from the run's controls", priority=PRIORITY_URGENT)

    def check_host_action(self, node_id: str, action: str) -> str | None:
        """Why ``action`` on host ``node_id`` would be refused now, or None (ValueError for an
        unknown node or action, or a node that is not a host)."""
        return self._host_power(node_id, action).refusal(action)

    def container_spec(self, node_id: str) -> dict:
        """A container made during the run (``lxc launch``, ``docker run``) as a node of the design
        document: what the editor adds to keep it. ValueError for anything else."""
        node = self.nodes.get(node_id)
        container = getattr(node, "container", None)
        if container is None:
            raise ValueError(f"{node_id!r} is not a container made during this run")
        return container.host.containers.design_node(container)

    def keep_spec(self, node_id: str) -> dict:
        """A node made during the run, for the design: ``{"node": ..., "links": [...]}``. A
        container (``lxc launch``, ``docker run``) is a node with no links (its NIC is on its host's
        bridge); a VM clone (``VBoxManage clonevm``, the snapshot panel's Clone) is the clone's
        spec with a link to the same switch for each NIC its source had drawn to one (what its
        ``vm.cloned`` event carried). ValueError for anything else."""
        machine = self.machines.get(node_id)
        kept = getattr(machine, "design", None) if machine is not None and machine.created_in_run else None
        if kept is not None:
            spec, links = kept
            return {"node": copy.deepcopy(spec), "links": copy.deepcopy(links)}
        node = self.nodes.get(node_id)
        if getattr(node, "container", None) is None:
            raise ValueError(f"{node_id!r} is neither a container nor a VM clone made during this run")
        return {"node": self.container_spec(node_id), "links": []}

    def _host_power(self, node_id: str, action: str):
        node = self.nodes.get(node_id)
        if node is None:
            raise ValueError(f"no node with id {node_id!r}")
        power = getattr(node, "host_power", None)
        if power is None:
            raise ValueError(f"node {node_id!r} ({node.kind}) is not a physical host")
        power.refusal(action)  # an unknown action: ValueError
        return power

    def _vm(self, node_id: str, action: str, params: dict) -> Machine:
        machine = self.machines.get(node_id)
        if machine is None:
            if node_id not in self.nodes:
                raise ValueError(f"no node with id {node_id!r}")
            raise ValueError(f"node {node_id!r} ({self.nodes[node_id].kind}) is not a virtual machine")
        if action in hardware.ACTIONS:
            hardware.check_params(action, params)
            return machine
        if action == "snapshot":
            snapshots.check_params(params)
            return machine
        if action == "clonevm":
            clones.check_params(params)
            return machine
        if action not in power.CONTROLS:
            known = power.CONTROLS + hardware.ACTIONS + LIFECYCLE_ACTIONS
            raise ValueError(f"unknown VM action {action!r}; one of: {', '.join(known)}")
        if params:
            raise ValueError(f"{action} takes no parameters, not {', '.join(sorted(params))}")
        return machine

    def _console_node(self, node_id: str) -> HostNode:
        node = self.nodes.get(node_id)
        if node is None:
            raise ValueError(f"no node with id {node_id!r}")
        if not isinstance(node, HostNode):
            raise ValueError(f"node {node_id!r} ({node.kind}) has no console")
        return node

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

    def run_bounded_ns(self, t_ns: int, max_events: int, deadline: float | None = None) -> RunStatus:
        """``run_until_ns`` within a budget of events and wall time (``Engine.run_bounded``): BUDGET
        when it stopped early; calling again goes on where it stopped."""
        status = self.engine.run_bounded(t_ns, max_events, deadline)
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
    def fork(self, trace: TraceSink = None) -> Network:
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

    def set_trace(self, trace: TraceSink) -> None:
        """Send trace events to ``trace`` from now on (None: stop tracing)."""
        self.tracer.flush()
        self.tracer.attach(trace)
        self.assembly.trace_frames()

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
            "vbox_nat": {node_id: nat.table() for node_id, nat in self.vbox.items()},
            "services": {node_id: [s.row() for s in services] for node_id, services in self.services.items()},
            "vms": {node_id: machine.row() for node_id, machine in self.machines.items()},
            # Containers per host (made with lxc/docker or drawn with an image), and hosts' power.
            "containers": {node_id: node.containers.rows() for node_id, node in self.nodes.items()
                           if getattr(node, "containers", None) is not None and node.containers.all()},
            # Each listed host's actions: None when legal now, else the sentence it is refused with.
            "hosts": {node_id: {"power": node.host_power.state, "actions": node.host_power.refusals()}
                      for node_id, node in self.nodes.items()
                      if getattr(node, "host_power", None) is not None and node.host_power.state != "running"},
            # Each host with VMs: its cores and RAM, what its VMs are given, the over-commit warnings
            # in the design checks' words (the live panel's table of a host's VMs).
            "vm_hosts": self._vm_hosts(),
        }

    def _vm_hosts(self) -> dict:
        out = {}
        for machine in self.machines.values():
            host = machine.host
            guest = getattr(host, "guest", None)
            if guest is not None and host.id not in out:
                out[host.id] = {**guest.allocation(), "vms": [vm.node.id for vm in guest.vms]}
        return out

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
