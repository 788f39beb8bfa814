"""The controller of one VM: the power table carried out on the VM's node.

``Machine`` is attached to a VM's node by ``simcore.assembly`` (``node.machine``). It holds the
VM's power state (``machine.state``, VirtualBox's names: anyone may read it), runs the
transitions of ``power.TRANSITIONS`` asked for with ``request(action, origin)``, and does what
each means for the guest:

- the guest's clock (``node.engine``, a ``GuestClock``) stops while the VM is paused, saving,
  saved or off, so its ARP entries, DHCP lease and TCP timers wait;
- its NICs have a carrier only while a VM process runs it; a switch flushes a port whose carrier
  goes down (``Switch.carrier_changed``); frames reaching a NIC without carrier, or a guest that
  is not running, are dropped with the reason traced;
- starting boots the guest (``boot.py``) on its clock; powering off loses the RAM (a fresh stack:
  no ARP cache, lease or connection); the disks are another module's and stay;
- a host without VT-x/AMD-V runs the guest by software simulation: boot and shutdown take
  ``SOFTWARE_FACTOR`` times longer and each received frame waits for the guest's slower work.

What the guest gets back at boot (addresses, routes, services) comes from the design, through the
``setup`` object the assembly hands in (``wipe(node)``, ``configure(node)``): this layer does not
know the document's layout.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from simcore.apps.dhcp.glue import guest_nic_up
from simcore.trace import Tracer
from simcore.virt import power
from simcore.virt.boot import (
    HALT,
    KERNEL_START_NS,
    NETWORK,
    REBOOT,
    UP,
    GuestFacts,
    Step,
    boot_steps,
    shutdown_steps,
)
from simcore.virt.clock import GuestClock
from simcore.virt.hardware import state_refusals
from simcore.virt.osimage import image_for
from simcore.virt.power import (
    CONTROLS,
    HAS_CARRIER,
    PAUSED,
    RESTORING,
    RUNNING,
    SAVED,
    SAVING,
    SHOWN,
    STARTING,
    STOPPING,
    Transition,
)
from simcore.virt.snapshots import SnapshotTree

# A guest under software simulation does everything this many times slower (docs/virt.md).
SOFTWARE_FACTOR = 8
# What a hardware-assisted guest spends on one received frame; the simulator counts it as zero
# (every run before power states existed did), so a software-simulated guest adds the rest:
# (SOFTWARE_FACTOR - 1) x 50 us = 350 us per frame.
PACKET_WORK_NS = 50_000
DEFAULT_RAM_MB = 1024
DEFAULT_VCPUS = 1
DEFAULT_CPU_MODEL = "Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz"
POWER_DEFAULTS = {"initial": "running", "dhcp_at_boot": True, "autostart": False, "autostop": "poweroff"}
TRANSITIONAL = (STARTING, SAVING, RESTORING, STOPPING)

# What the guest is doing, inside a VM whose state is Running (or frozen in Paused/Saved).
GUEST_OFF, GUEST_BOOTING, GUEST_UP, GUEST_SHUTTING_DOWN = "off", "booting", "up", "shutting down"


def vm_uuid(node_id: str) -> str:
    """A stable UUID for the VM (what ``VBoxManage list vms`` shows), from its id alone."""
    digest = hashlib.sha256(f"netdesigner-vm\0{node_id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def power_settings(spec: dict) -> dict:
    """The VM's ``power`` settings with the schema's defaults filled in."""
    return {**POWER_DEFAULTS, **spec.get("power", {})}


class Machine:
    """One VM's power state and what it does to the guest. ``node.engine`` must be a GuestClock."""

    def __init__(self, node: Any, spec: dict, *, host: Any, host_spec: dict, setup: Any, engine: Any,
                 tracer: Tracer):
        if not isinstance(node.engine, GuestClock):
            raise TypeError(f"{node.id}: a VM's node must schedule on a GuestClock, not {node.engine!r}")
        self.node = node
        self.id = node.id
        self.name = node.name
        self.spec = spec
        self.host = host
        self.host_spec = host_spec
        self.setup = setup
        self.engine = engine  # the run's engine: transitional states last real time
        self.clock: GuestClock = node.engine
        self.tracer = tracer
        self.uuid = vm_uuid(node.id)
        self.settings = power_settings(spec)
        # RAM and vCPUs are the guest's hardware settings (``node.guest.hardware``, changed by
        # modifyvm while off); a node built without a guest keeps the design's.
        self._ram_mb = int(spec.get("ram_mb", DEFAULT_RAM_MB))
        self._vcpus = int(spec.get("vcpus", DEFAULT_VCPUS))
        self.software = host_spec.get("virtualization_extensions") is False
        self.factor = SOFTWARE_FACTOR if self.software else 1
        self.packet_ns = (self.factor - 1) * PACKET_WORK_NS
        self.state = RUNNING
        self.since_ns = 0
        self.guest = GUEST_UP
        self.boot_at = 0  # guest time the running kernel booted at (uptime = clock.now - boot_at)
        self.waiters: list = []  # objects told ``settled(machine)`` when a transition is over
        self._token = 0  # the transitional state's end event; a newer one voids it
        self._busy_until = 0  # software simulation: the guest works on one frame at a time
        self._fast = None
        self._phase = 0  # the boot or shutdown sequence under way; an older one's steps are void
        self.snapshots = SnapshotTree(self)  # its snapshot tree (simcore.virt.snapshots)
        self.cloner: Any = None  # clonevm, set by the assembly (simcore.assembly.clones)
        self.created_in_run = False  # a clone made during the run
        self.design: Any = None  # a clone's (spec, links) for run.keep (simcore.assembly.clones)
        node.machine = self
        self._install()

    @property
    def hardware(self) -> Any:
        guest = getattr(self.node, "guest", None)
        return guest.hardware if guest is not None else None

    @property
    def ram_mb(self) -> int:
        hw = self.hardware
        return hw.ram_mb if hw is not None else self._ram_mb

    @property
    def vcpus(self) -> int:
        hw = self.hardware
        return hw.vcpus if hw is not None else self._vcpus

    # -- asking ---------------------------------------------------------------------------------
    def refusal(self, action: str) -> str | None:
        """Why ``action`` is refused now (VBoxManage's sentence), or None when it is legal."""
        return power.refusal(self.state, action, self.name)

    def request(self, action: str, origin: str) -> str | None:
        """Carry out ``action`` now (``origin`` says who asked, for the trace); returns the refusal
        sentence (traced as ``vm.refused``) or None."""
        found = power.decide(self.state, action, self.name)
        if isinstance(found, str):
            self.refuse(action, found)
            return found
        self._run(found, origin)
        return None

    def refuse(self, action: str, msg: str) -> None:
        if self.tracer.on:
            self.tracer.emit("vm.refused", f"{self.name}: {action} is refused: {msg}", node=self.id, action=action,
                             msg=msg)

    def console_refusal(self) -> str | None:
        """Why the guest's console reads nothing now (None: a shell is there)."""
        if self.state != RUNNING:
            return f"{self.name} is {SHOWN[self.state]}: nothing reads what is typed on its console"
        if self.guest == GUEST_BOOTING:
            return f"{self.name} is still booting: its console takes commands once the login prompt is shown"
        if self.guest == GUEST_SHUTTING_DOWN:
            return f"{self.name} is shutting down: its console takes no more commands"
        return None

    def guest_power(self, reboot: bool) -> None:
        """``poweroff``, ``shutdown -h now`` or ``reboot`` typed in the guest: it shuts down cleanly."""
        self._guest_shutdown(reboot=reboot, acpi=False)

    # -- transitions ----------------------------------------------------------------------------
    def _run(self, t: Transition, origin: str) -> None:
        self._token += 1  # a transitional state under way (Starting...) ends here, not by its timer
        if t.guest == "freeze":
            self.clock.freeze()
        elif t.guest == "die":
            self.clock.freeze()
            self._wipe()
        if t.via is not None:
            self._enter(t.via, t.action, origin, goal=t.to)
            self.engine.schedule(t.via_ns, self._settle, self._token, t)
            return
        self._enter(t.to, t.action, origin)
        if t.guest == "continue":
            self.clock.thaw()
        elif t.guest == "shutdown":
            self._guest_shutdown(reboot=False, acpi=True)
        elif t.guest == "reset":
            self._wipe()
            self._guest_boot()

    def _settle(self, token: int, t: Transition) -> None:
        if token != self._token:
            return
        self._enter(t.to, t.action, f"{t.via} took {t.via_ns / 1e9:g} s")
        if t.to == RUNNING:
            self.clock.thaw()
            if t.guest == "boot":
                self._guest_boot()

    def _enter(self, state: str, action: str, why: str, goal: str | None = None) -> None:
        """Now in ``state`` (on the way to ``goal``, which the carrier's reason names: a VM being
        switched off has no carrier because it is going to be powered off)."""
        old = self.state
        self.state = state
        self._set_fast()
        self.since_ns = self.engine.now
        if self.tracer.on:
            self.tracer.emit("vm.state", self._sentence(old, state, action), node=self.id, **{"from": old},
                             to=state, action=action, why=why)
        self._carrier(state in HAS_CARRIER, goal=goal)
        if state not in TRANSITIONAL and self.waiters:
            waiters, self.waiters = self.waiters, []
            for waiter in waiters:
                waiter.settled(self)

    def _sentence(self, old: str, new: str, action: str) -> str:
        vm = self.name
        if action == "acpipowerbutton":
            return f"{vm}'s power button is pressed (ACPI): the guest shuts down cleanly"
        if action == power.CRASH:
            return (f"{vm}'s VM process dies: VirtualBox marks it Aborted; its RAM is lost (ARP cache, leases, "
                    "connections), its disks stay, and it boots afresh when started")
        if action == "reset":
            return f"{vm} is reset: it restarts from its firmware at once, without shutting down"
        if new == STARTING:
            return f"{vm} is starting: VirtualBox powers it on"
        if new == RESTORING:
            return f"{vm} is restoring its saved state from disk"
        if new == RUNNING and old == STARTING:
            return f"{vm} is running: its firmware starts, then the boot loader, the kernel and systemd"
        if new == RUNNING and old == RESTORING:
            return f"{vm} runs again where it was saved: its clock and timers go on as if no time had passed"
        if new == RUNNING:
            return f"{vm} runs again: its clock and timers go on where they stopped"
        if new == PAUSED:
            return f"{vm} is paused: its clock stops and frames sent to it are dropped"
        if new == SAVING:
            return f"{vm} is saving its state: its RAM is written to disk while it stands still"
        if new == SAVED:
            return f"{vm} is saved: nothing runs and its NICs have no carrier"
        if new == STOPPING and action == power.HALT:
            return f"{vm}'s guest has shut down and switches the machine off (ACPI S5)"
        if new == STOPPING:
            return f"{vm} is switched off at once, as if its plug were pulled: its RAM is lost"
        return f"{vm} is powered off: its RAM is gone (ARP cache, leases, connections); its disks stay"

    # -- the guest ------------------------------------------------------------------------------
    def facts(self) -> GuestFacts:
        nics = tuple((name, nic.mac) for name, nic in self.node.nics.items())
        # The kernel it boots is its image's, the one `uname -r` shows once it is up.
        image = getattr(getattr(self.node, "guest", None), "image", None) or image_for(self.spec.get("guest_os"))
        kernel = {"kernel": image.kernel, "kernel_version": image.kernel_version, "kernel_builder": image.kernel_builder}
        return GuestFacts(self.name, self.spec.get("guest_os") or "Ubuntu 24.04 LTS", self.cpu_model, self.vcpus,
                          self.ram_mb, nics, getattr(self.host, "name", "the host"), self.factor, **kernel)

    @property
    def cpu_model(self) -> str:
        return self.host_spec.get("cpu_model") or DEFAULT_CPU_MODEL

    def _guest_boot(self) -> None:
        self.guest = GUEST_BOOTING
        self.boot_at = self.clock.now + KERNEL_START_NS * self.factor  # the kernel's uptime counts from there
        self._phase += 1
        for step in boot_steps(self.facts()):
            self.clock.schedule(step.at_ns, self._step, self._phase, step)

    def _guest_shutdown(self, *, reboot: bool, acpi: bool) -> None:
        if self.guest == GUEST_SHUTTING_DOWN:
            return  # already on its way down: a second press changes nothing
        self.guest = GUEST_SHUTTING_DOWN
        self._phase += 1  # a boot still under way (ACPI pressed early) goes no further
        for step in shutdown_steps(self.facts(), self.clock.now - self.boot_at, reboot=reboot, acpi=acpi):
            self.clock.schedule(step.at_ns, self._step, self._phase, step)

    def _step(self, phase: int, step: Step) -> None:
        if phase != self._phase:
            return
        if step.line is not None:
            self.node.console.print(step.line)
        if step.does == NETWORK:
            self._network_up()
        elif step.does == UP:
            self.guest = GUEST_UP
        elif step.does == HALT:
            self.request(power.HALT, "the guest finished shutting down")
        elif step.does == REBOOT:
            self._wipe()
            self._guest_boot()

    def _network_up(self) -> None:
        """systemd-networkd brings the NICs up as the design says: static addresses, routes and
        services now; a DHCP client on each ``dhcp`` NIC unless ``power.dhcp_at_boot`` is false
        (then the NIC waits for ``dhclient``, as before power states existed)."""
        self.setup.configure(self.node)
        if self.settings["dhcp_at_boot"]:
            for nic in self.spec.get("nics", []):
                if nic.get("ip") == "dhcp":
                    dhcp_at_boot(self.node, nic["name"], self.setup.names)

    def _wipe(self) -> None:
        """The guest's RAM is gone: no timer, a fresh stack without addresses, a console with no job."""
        self.clock.wipe()
        self.setup.wipe(self.node)
        guest = getattr(self.node, "guest", None)
        if guest is not None:  # its tmpfs filesystems were RAM too; the disks stay
            guest.lose_ram()
        self._install()
        self._busy_until = 0
        self.guest = GUEST_OFF

    def apply_initial(self) -> None:
        """Put the VM in the design's initial state (at build; ``running`` changes nothing)."""
        initial = power.INITIAL_STATES[self.settings["initial"]]
        if initial == RUNNING:
            return
        self.clock.freeze()
        if initial != SAVED:
            self._wipe()
        self.state = initial
        self._set_fast()
        self._carrier(False, announce=False)

    # -- the wire -------------------------------------------------------------------------------
    def _install(self) -> None:
        for nic in self.node.nics.values():
            nic.handler = self.receive
        self._set_fast()

    def _set_fast(self) -> None:
        # The receive path's shortcut (a bound method of the current stack), kept in step with
        # the state and the stack: set after every change of either.
        hw = self.hardware
        pulled = hw is not None and any(not n.cable for n in hw.nics)  # then each frame's NIC is checked
        self._fast = self.node.stack.receive if self.state == RUNNING and not self.packet_ns and not pulled else None

    def receive(self, nic: Any, frame: Any) -> None:
        """Every frame reaching one of the VM's NICs (its ``handler``)."""
        fast = self._fast
        if fast is not None:  # running, hardware-assisted: straight to the guest's stack
            fast(nic, frame)
            return
        if self.state == RUNNING and nic.carrier:  # a pulled cable (setlinkstate off) takes nothing
            if self.packet_ns:
                clock = self.clock
                now = clock.now
                start = self._busy_until if self._busy_until > now else now
                self._busy_until = start + self.packet_ns
                clock.at(self._busy_until, self._process, nic, frame)
            else:
                self.node.stack.receive(nic, frame)
            return
        self._drop(nic, frame)

    def _process(self, nic: Any, frame: Any) -> None:
        self.node.stack.receive(nic, frame)

    def _drop(self, nic: Any, frame: Any) -> None:
        if not self.tracer.on:
            return
        vm, state = self.name, SHOWN[self.state]
        if not nic.carrier:
            reason, text = "link.no_carrier", f"{vm} is {state}: its {nic.name} has no carrier, the frame goes nowhere"
        elif self.state in (PAUSED, SAVING):
            reason, text = "vm.paused", f"{vm} is {state}: its {nic.name} drops the frame, nothing runs to take it"
        else:
            reason, text = "vm.not_running", f"{vm} is {state}: no guest runs yet to take the frame on {nic.name}"
        self.tracer.emit("packet.dropped", text, frame, node=self.id, nic=nic.name,
                         link=nic.link.id if nic.link is not None else None, reason=reason)

    def _carrier(self, up: bool, *, announce: bool = True, goal: str | None = None) -> None:
        why = f"{self.name} is {SHOWN[self.state if up or goal is None else goal]}"
        hw = self.hardware
        pulled = {n.name for n in hw.nics if not n.cable} if hw is not None else set()
        for nic in self.node.nics.values():
            if nic.name in pulled or nic.carrier is up:
                continue  # a pulled cable has no carrier whatever the VM does (controlvm setlinkstate)
            nic.carrier = up
            if announce and self.tracer.on:
                text = (f"{self.name}'s {nic.name} has a carrier again: {why}" if up else
                        f"{self.name}'s {nic.name} has no carrier: {why}")
                self.tracer.emit("link.carrier", text, node=self.id, nic=nic.name,
                                 link=nic.link.id if nic.link is not None else None, up=up, why=why)
            peer = nic.peer
            hook = getattr(peer.node, "carrier_changed", None) if peer is not None else None
            if hook is not None:
                hook(peer, up, why, announce=announce)

    # -- reading --------------------------------------------------------------------------------
    @property
    def shown_state(self) -> str:
        """The state as ``VBoxManage showvminfo`` words it ("powered off", "running"...)."""
        return SHOWN[self.state]

    @property
    def in_transition(self) -> bool:
        """In a transitional state (Starting, Saving, Restoring, Stopping): it ends by itself."""
        return self.state in TRANSITIONAL

    def row(self) -> dict:
        """What the live panel draws of the VM (``net.tables()["vms"][id]``)."""
        return {
            "state": self.state,
            "since_ns": self.since_ns,
            "host": getattr(self.host, "id", None),
            "guest": self.guest if self.state == RUNNING else None,
            "software_virtualization": self.software,
            "hardware": self._hardware_row(),
            "snapshots": self.snapshots.row(),
            "created_in_run": self.created_in_run,
            # Each control (VBoxManage's actions and the crash): None when legal now, else the
            # sentence it is refused with. The live panel enables its buttons from this alone.
            "actions": {action: self.refusal(action) for action in CONTROLS},
            # Each kind of hardware change: None when this state allows it, else why not
            # (simcore.virt.hardware.state_refusals: the same rules VBoxManage is refused with).
            "changes": state_refusals(self.name, self.state),
        }

    def _hardware_row(self) -> dict:
        hw = self.hardware
        if hw is None:
            return {"ram_mb": self.ram_mb, "vcpus": self.vcpus, "nics": list(self.node.nics), "disks": [], "dvd": None}
        return {"ram_mb": hw.ram_mb, "vcpus": hw.vcpus, "nics": list(self.node.nics),
                "cables": {n.name: n.cable for n in hw.nics},
                # Each NIC's attachment: a VirtualBox mode (and network name), or cabled by a drawn link.
                "attachments": {n.name: {"mode": n.mode, "network": n.network, "drawn": n.drawn} for n in hw.nics},
                "disks": [{"port": d.port, "path": d.medium.path, "size_mb": d.medium.size_mb,
                           "hotpluggable": d.hotpluggable, "device": d.device_name} for d in hw.disks],
                "dvd": hw.dvd}

    def cpu_facts(self) -> dict:
        """What ``lscpu`` shows in the guest: the host's CPU model (guest code runs on the host's CPU,
        so every VM shows its model), the VM's vCPUs, the hypervisor seen."""
        return {"model": self.cpu_model, "cpus": self.vcpus, "hypervisor": None if self.software else "KVM"}


def dhcp_at_boot(node: Any, nic_name: str, names: Any) -> Any:
    """A booting guest's DHCP client on ``nic_name``: an Ubuntu guest's systemd-networkd
    (``simcore.apps.dhcp.glue.guest_nic_up``); the console's ``dhclient`` stays ISC dhclient."""
    return guest_nic_up(node, nic_name, names)
