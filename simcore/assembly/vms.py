"""VMs: each VM node gets its controller (``simcore.virt.Machine``), once everything is built.

The controller carries out power actions on the VM (its clock, carrier, boot, RAM). What the guest
gets back when it boots comes from the document, and so from here: ``GuestSetup`` is what the
build did for the VM's stack at t = 0 (its static addresses, routes, services), done again by
the guest's systemd-networkd at boot, and undone when the RAM is lost.

Also here: each host's ``machines`` (what ``VBoxManage`` on its console sees, in document order)
and its ``cpu`` (what ``lscpu`` on it shows). The design's initial power states are applied last,
so a VM that is off at t = 0 was built (and its build problems reported) like any other.
"""

from __future__ import annotations

from typing import Any

from simcore.assembly.context import BuildContext
from simcore.assembly.services import peers
from simcore.assembly.vbox.rewire import follow_settings
from simcore.devices import HostNode
from simcore.devices.services import start_services
from simcore.trace.sentences import Names
from simcore.virt.machine import DEFAULT_CPU_MODEL, Machine


class GuestSetup:
    """The design's network configuration of VM ``nodes[i]``, applied by its guest at boot."""

    def __init__(self, ctx: BuildContext, i: int, spec: dict):
        self.ctx = ctx
        self.i = i
        self.spec = spec

    @property
    def names(self) -> Names:
        return self.ctx.names

    def wipe(self, node: HostNode) -> None:
        """The RAM is gone: a fresh stack without addresses, no DHCP client, no TCP, no job."""
        node.fresh_stack()
        node.console.restart()
        if self.spec.get("services"):
            self.ctx.services[self.spec["id"]] = []

    def configure(self, node: HostNode) -> None:
        """systemd-networkd and the services' units: static addresses, routes, services. What
        cannot be done (the build checked all of it, so only a changed network) is printed."""
        stack, console = node.stack, node.console
        for nic in self.spec.get("nics", []):
            ip = nic.get("ip")
            if ip and ip != "dhcp":
                try:
                    stack.set_address(nic["name"], ip)
                except ValueError as exc:
                    console.print(f"systemd-networkd[480]: {nic['name']}: {exc}")
        for route in self.spec.get("routes", []):
            try:
                stack.add_route(route["to"], route.get("via"), route.get("dev"))
            except ValueError as exc:
                console.print(f"systemd-networkd[480]: {exc}")
        if self.spec.get("services"):
            kind_peers = peers(self.ctx.specs.values()).get(self.spec["kind"], [])
            try:
                self.ctx.services[self.spec["id"]] = start_services(node, self.spec["services"], kind_peers,
                                                                    self.ctx.names)
            except ValueError as exc:
                console.print(f"systemd[1]: a service failed to start: {exc}")


    # -- what a snapshot of the VM copies, and what it keeps as it is (simcore.virt.snapshots) --
    def outside(self, node: HostNode) -> list:
        """Every object of the network that is not the VM's own: a snapshot's copy stops there."""
        ctx = self.ctx
        out: list = [ctx, ctx.engine, ctx.tracer, ctx.names, ctx.narrator, ctx.specs, ctx.services]
        for other in ctx.nodes.values():
            out.append(other)
            out.extend(getattr(other, "nics", {}).values())
            guest = other.__dict__.get("guest")
            if guest is not None:
                out.extend((guest, guest.image, guest.store, guest.hardware if other is not node else None))
                if guest.store is not None:
                    out.extend(guest.store.media.values())
        out.extend(ctx.links.values())
        out.extend(ctx.captures.values())
        for machine in ctx.machines.values():
            out.extend((machine, machine.clock))
        return [o for o in out if o is not None and o is not getattr(node.__dict__.get("guest"), "hardware", 0)]

    def services_of(self, node: HostNode) -> list | None:
        return self.ctx.services.get(node.id)

    def set_services(self, node: HostNode, services: list | None) -> None:
        if services is None:
            self.ctx.services.pop(node.id, None)
        else:
            self.ctx.services[node.id] = services


def host_cpu(spec: dict) -> dict:
    """What ``lscpu`` on a physical host shows."""
    return {"model": spec.get("cpu_model") or DEFAULT_CPU_MODEL, "cpus": int(spec.get("cpu_cores", 1)),
            "hypervisor": None, "vt_x": spec.get("virtualization_extensions") is not False}


def attach_machines(ctx: BuildContext, nodes: list[dict]) -> None:
    """A controller on every VM, in document order, then each VM's initial power state."""
    for spec in nodes:
        if spec["kind"] == "host":
            host = ctx.host(spec["id"])
            if host is not None:
                host.cpu = host_cpu(spec)
    for i, spec in enumerate(nodes):
        if spec["kind"] == "vm":
            attach_machine(ctx, i, spec)


def attach_machine(ctx: BuildContext, i: int, spec: dict) -> Machine | None:
    node = ctx.host(spec["id"])
    if node is None:
        return None
    host = ctx.host(spec.get("host"))
    machine = Machine(node, spec, host=host, host_spec=ctx.specs.get(spec.get("host") or "", {}),
                      setup=GuestSetup(ctx, i, spec), engine=ctx.engine, tracer=ctx.tracer)
    ctx.machines[spec["id"]] = machine  # its `cloner` is set by build.py (clones builds on this module)
    guest = node.__dict__.get("guest")
    if guest is not None and follow_settings not in guest.on_change:
        guest.on_change.append(follow_settings)  # its NICs move on the wire when its settings do
    if host is not None:
        _machines_of(host).append(machine)
    machine.apply_initial()
    return machine


def _machines_of(host: HostNode) -> list[Any]:
    # An attribute the console's VBoxManage reads with getattr (apps cannot import virt); a fork copies it.
    return host.__dict__.setdefault("machines", [])
