"""A physical host shutting down and booting: what happens to its containers, VMs and links.

``host.host_power`` (a :class:`HostPower`, set on every host at build) is what ``poweroff``,
``shutdown -h now``, ``reboot`` and ``shutdown -r now`` on the host's console, and the run's
control (``net.host_action``), press. In order, each step narrated (``host.power``):

1. **Shutdown** (``SHUTDOWN_NS`` long): every running container stops, its state recorded: LXD
   keeps each container's last state (``volatile.last_state.power``), Docker knows which ran and
   who stopped which; every running VM is stopped as its ``power.autostop`` says (VirtualBox's
   autostop service): ``poweroff``, ``savestate`` (its state saved, resumed at its next start) or
   ``acpishutdown`` (its guest shuts down cleanly). The host's console reads nothing.
2. **Off**: the host's NICs lose their carrier (the switch behind each flushes what it learned
   there, as a Linux bridge does), frames to it go nowhere, its containers' and VMs' networks
   with it. A VM still running then is powered off.
3. **Boot** (``reboot``, or the run's ``boot`` once off; ``BOOT_NS`` long): the NICs come back,
   then LXD starts the containers with ``boot.autostart`` true, or unset and running at shutdown;
   Docker the ones whose restart policy is ``always``, or ``unless-stopped`` and not stopped by
   a user; VirtualBox's autostart the VMs with ``power.autostart`` (a saved one resumes).

The host's own stack survives (its addresses, its NAT table and ARP cache are not wiped): the
network the build made on it is the design's, not its RAM's.
"""

from __future__ import annotations

from typing import Any

S = 1_000_000_000
SHUTDOWN_NS = 3 * S  # systemd stopping units; VirtualBox's savestate (1 s) and an ACPI shutdown (1.6 s) fit
BOOT_NS = 8 * S  # firmware, boot loader, kernel, systemd to multi-user
RUNNING, SHUTTING_DOWN, OFF, BOOTING = "running", "shutting down", "off", "booting"
AUTOSTOP_ACTION = {"poweroff": "poweroff", "savestate": "savestate", "acpishutdown": "acpipowerbutton"}
ACTIONS = ("shutdown", "reboot", "boot")


class OffConsole:
    """The console of a host that is off or on its way: no shell reads a line."""

    def __init__(self, power: HostPower):
        self.power = power

    def run_line(self, line: str) -> int:
        self.power.emit("host.refused", f"{self.power.host.name} is {self.power.state}: no shell reads '{line}'",
                        action="console", msg=f"{self.power.host.name} is {self.power.state}")
        return 1


class HostPower:
    def __init__(self, host: Any):
        self.host = host
        self.state = RUNNING
        self.reboot_pending = False
        self._token = 0
        self._handlers: dict[str, Any] = {}

    @property
    def engine(self) -> Any:
        return self.host.engine

    def emit(self, kind: str, text: str, **fields: Any) -> None:
        tracer = self.host.tracer
        if tracer.on:
            tracer.emit(kind, text, node=self.host.id, **fields)

    def refusal(self, action: str) -> str | None:
        if action not in ACTIONS:
            raise ValueError(f"unknown host action {action!r}; one of: {', '.join(ACTIONS)}")
        if action == "boot":
            return None if self.state == OFF else f"{self.host.name} is {self.state}: only a host that is off boots"
        return None if self.state == RUNNING else f"{self.host.name} is {self.state} already"

    def refusals(self) -> dict:
        """Each action: None when legal now, else why not (the live panel's host power buttons)."""
        return {action: self.refusal(action) for action in ACTIONS}

    def request(self, action: str, origin: str) -> str | None:
        refused = self.refusal(action)
        if refused is not None:
            self.emit("host.refused", f"{self.host.name}: {action} is refused: {refused}", action=action, msg=refused)
            return refused
        if action == "boot":
            self._boot(origin)
        else:
            self.shutdown(action == "reboot", origin)
        return None

    def guest_power(self, reboot: bool) -> None:
        """``poweroff``/``reboot`` typed on the host's console (the console's guestpower commands)."""
        self.request("reboot" if reboot else "shutdown", f"{'reboot' if reboot else 'poweroff'} on its console")

    # -- shutting down --------------------------------------------------------------------------
    def shutdown(self, reboot: bool, origin: str) -> None:
        host = self.host
        self.state = SHUTTING_DOWN
        self.reboot_pending = reboot
        host.console.inside = OffConsole(self)
        self.emit("host.power", f"{host.name} {'reboots' if reboot else 'shuts down'} ({origin}): its containers "
                  f"stop, its VMs stop as each one's autostop says, then it switches off", state=SHUTTING_DOWN,
                  action="reboot" if reboot else "shutdown", why=origin)
        runtime = getattr(host, "containers", None)
        if runtime is not None:
            for c in runtime.all():
                c.last_state = c.state
                c.ran_at_shutdown = c.running
                if c.running:
                    runtime.stop(c, f"{host.name} shuts down", exit_code=0)
        for machine in getattr(host, "machines", []):
            if machine.state in ("Running", "Paused"):
                how = machine.settings.get("autostop", "poweroff")
                action = AUTOSTOP_ACTION[how]
                if action == "acpipowerbutton" and machine.state != "Running":
                    action = "poweroff"
                machine.request(action, f"{host.name} shuts down (autostop {how})")
        self._token += 1
        self.engine.schedule(SHUTDOWN_NS, self._off, self._token)

    def _off(self, token: int) -> None:
        if token != self._token:
            return
        host = self.host
        for machine in getattr(host, "machines", []):
            if machine.refusal("poweroff") is None:
                machine.request("poweroff", f"{host.name} switches off")
        self.state = OFF
        for nic in host.nics.values():
            self._handlers[nic.name] = nic.handler
            nic.handler = None
            nic.carrier = False
            peer = nic.peer
            if peer is not None and hasattr(peer.node, "carrier_changed"):
                peer.node.carrier_changed(peer, False, f"{host.name} is off")
        self.emit("host.power", f"{host.name} is off: its links are down", state=OFF, action="halt",
                  why=f"the shutdown took {SHUTDOWN_NS / S:g} s")
        if self.reboot_pending:
            self._boot("it reboots")

    # -- booting --------------------------------------------------------------------------------
    def _boot(self, origin: str) -> None:
        self.state = BOOTING
        self._token += 1
        self.emit("host.power", f"{self.host.name} boots ({origin}): firmware, kernel, systemd", state=BOOTING,
                  action="boot", why=origin)
        self.engine.schedule(BOOT_NS, self._up, self._token)

    def _up(self, token: int) -> None:
        if token != self._token:
            return
        host = self.host
        for nic in host.nics.values():
            nic.handler = self._handlers.pop(nic.name, host.stack.receive) or host.stack.receive
            nic.carrier = True
            peer = nic.peer
            if peer is not None and hasattr(peer.node, "carrier_changed"):
                peer.node.carrier_changed(peer, True, f"{host.name} is up")
        self.state = RUNNING
        self.reboot_pending = False
        host.console.inside = None
        self.emit("host.power", f"{host.name} is up: its links are up, LXD, Docker and VirtualBox's autostart "
                  "start what they are set to", state=RUNNING, action="boot", why=f"booting took {BOOT_NS / S:g} s")
        runtime = getattr(host, "containers", None)
        if runtime is not None:
            for c in runtime.all():
                why = restart_reason(c)
                if why is not None and not c.running:
                    runtime.restart_at_boot(c, f"{host.name} booted: {why}")
        for machine in getattr(host, "machines", []):
            if machine.settings.get("autostart") and machine.refusal("start") is None:
                machine.request("start", f"{host.name} booted: VirtualBox's autostart")


def restart_reason(c: Any) -> str | None:
    """Why a container starts when its host boots, or None (LXD's and Docker's rules)."""
    if c.runtime == "lxd":
        if c.autostart is True:
            return "boot.autostart is true"
        if c.autostart is None and c.last_state == "RUNNING":
            return "it was running at shutdown (boot.autostart unset: LXD restores the last state)"
        return None
    if c.restart == "always":
        return "its restart policy is always"
    if c.restart == "unless-stopped" and not c.stopped_by_user:
        return "its restart policy is unless-stopped and no one stopped it"
    return None
