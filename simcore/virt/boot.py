"""What a guest's console shows while it boots and shuts down, and when (pure data).

Every guest boots as an Ubuntu-like Linux, in the order a real one does: the firmware, the boot
loader (GRUB), the kernel (with ``[uptime]`` stamps), systemd, the network, the login prompt. The
lines are short and few: enough to read what each stage is. ``boot_steps`` and
``shutdown_steps`` give ``Step``\\ s at guest times from the start of the sequence; the machine
(``machine.py``) prints them on the guest's clock, so a paused guest's boot waits too.

Two steps do something besides printing: ``network`` (systemd-networkd brings the NICs up: static
addresses, routes, services, and a DHCP client on each ``dhcp`` NIC) and ``up`` (the login prompt
is there: the console takes commands). A shutdown ends with ``halt`` (the guest switches the
machine off) or ``reboot`` (the firmware again).

Software simulation (a host without VT-x/AMD-V): every instant is ``factor`` times later, and the
first line says why.
"""

from __future__ import annotations

from dataclasses import dataclass

MS = 1_000_000
KERNEL_START_NS = 1000 * MS  # the kernel starts 1 s into the boot: its [uptime] stamps count from there
SYSTEMD = "255.4-1ubuntu8"
DEFAULT_OS = "Ubuntu 24.04 LTS"
LOGIN_USER = "student"
# VirtualBox puts the first NIC at PCI 00:03.0 and the next ones at 00:08.0, 00:09.0, ...
PCI_SLOTS = ("03", "08", "09", "0a", "0b", "0c", "0d", "0e")

NETWORK, UP, HALT, REBOOT = "network", "up", "halt", "reboot"


@dataclass(frozen=True, slots=True)
class Step:
    at_ns: int  # guest time from the start of the sequence
    line: str | None = None  # a console line (None: nothing printed)
    does: str | None = None  # NETWORK, UP, HALT, REBOOT or None


@dataclass(frozen=True, slots=True)
class GuestFacts:
    """What the boot log shows of a VM."""

    name: str
    os_name: str  # "Ubuntu 24.04 LTS"
    cpu_model: str
    vcpus: int
    ram_mb: int
    nics: tuple[tuple[str, str], ...]  # (name, MAC) in order
    host: str  # the host's name, for the software-simulation note
    factor: int = 1  # > 1: software simulation, this many times slower
    # The guest image's kernel (osimage.py): its release (`uname -r` in the guest), build line
    # (`uname -v`) and builder, as the kernel's first boot line names them.
    kernel: str = ""
    kernel_version: str = ""
    kernel_builder: str = ""


def stamp(uptime_ns: int) -> str:
    """The kernel's ``[    1.234567]`` uptime stamp."""
    us = uptime_ns // 1000
    return f"[{us // 1_000_000:5d}.{us % 1_000_000:06d}]"


def software_note(host: str, name: str, factor: int) -> str:
    return (f"{host} has no hardware virtualization (VT-x/AMD-V): {name} runs by software simulation, every "
            f"guest instruction simulated, about {factor} times slower")


def boot_steps(vm: GuestFacts) -> list[Step]:
    f = vm.factor
    cpus = f"{vm.vcpus} CPU" + ("s" if vm.vcpus != 1 else "")

    def at(ms: int) -> int:
        return ms * MS * f

    def kernel(ms: int, text: str) -> Step:
        return Step(at(ms), f"{stamp(at(ms) - KERNEL_START_NS * f)} {text}")

    steps = []
    if f > 1:
        steps.append(Step(0, software_note(vm.host, vm.name, f)))
    steps += [
        Step(0, f"VirtualBox BIOS: {vm.ram_mb} MB RAM, {cpus}; booting from the hard disk..."),
        Step(at(500), f"GRUB: Booting '{vm.os_name}'"),
        Step(at(600), f"Loading Linux {vm.kernel} ..."),
        Step(at(700), "Loading initial ramdisk ..."),
        kernel(1000, f"Linux version {vm.kernel} ({vm.kernel_builder}) {vm.kernel_version}"),
        kernel(1000, "Hypervisor detected: KVM" if f == 1 else "Hypervisor detected: none (software simulation)"),
        kernel(1100, f"Memory: {vm.ram_mb} MB"),
        kernel(1200, f"smpboot: CPU0: {vm.cpu_model}"),
        kernel(1300, f"smp: Brought up 1 node, {cpus}"),
    ]
    for k, (nic, mac) in enumerate(vm.nics):
        slot = PCI_SLOTS[k] if k < len(PCI_SLOTS) else f"{16 + k:02x}"
        steps.append(kernel(1500 + 10 * k, f"e1000 0000:00:{slot}.0 {nic}: (PCI:33MHz:32-bit) {mac}"))
    steps += [
        kernel(1800, "Run /init as init process"),
        kernel(2000, f"systemd[1]: systemd {SYSTEMD} running in system mode"),
        kernel(2000, f"systemd[1]: Hostname set to <{vm.name}>."),
        Step(at(2400), "[  OK  ] Started systemd-journald.service - Journal Service."),
        Step(at(2600), "[  OK  ] Started systemd-networkd.service - Network Configuration."),
        Step(at(2800), None, NETWORK),
        Step(at(2800), "[  OK  ] Reached target network.target - Network."),
        Step(at(3200), "[  OK  ] Reached target multi-user.target - Multi-User System."),
        Step(at(3500), ""),
        Step(at(3500), f"{vm.os_name} {vm.name} tty1"),
        Step(at(3500), ""),
        Step(at(3500), f"{vm.name} login: {LOGIN_USER} (automatic login)", UP),
    ]
    return steps


def shutdown_steps(vm: GuestFacts, uptime_ns: int, *, reboot: bool, acpi: bool) -> list[Step]:
    """A clean shutdown from ``uptime_ns`` after boot: the ACPI power button (``acpi``), or
    ``poweroff``/``shutdown -h now``/``reboot`` typed in the guest."""
    f = vm.factor

    def at(ms: int) -> int:
        return ms * MS * f

    steps = []
    if acpi:
        steps += [Step(0, f"{stamp(uptime_ns)} systemd-logind[612]: Power key pressed short."),
                  Step(0, f"{stamp(uptime_ns)} systemd-logind[612]: Powering off...")]
    target = ("reboot.target - System Reboot" if reboot else "poweroff.target - System Power Off")
    service = ("systemd-reboot.service - System Reboot" if reboot else "systemd-poweroff.service - System Power Off")
    steps += [
        Step(at(100), "         Stopping systemd-networkd.service - Network Configuration..."),
        Step(at(400), "[  OK  ] Stopped systemd-networkd.service - Network Configuration."),
        Step(at(800), "[  OK  ] Reached target shutdown.target - System Shutdown."),
        Step(at(1000), f"[  OK  ] Finished {service}."),
        Step(at(1200), f"[  OK  ] Reached target {target}."),
        Step(at(1500), f"{stamp(uptime_ns + at(1500))} reboot: " + ("Restarting system" if reboot else "Power down"),
             REBOOT if reboot else HALT),
    ]
    return steps
