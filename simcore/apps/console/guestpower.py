"""``poweroff``, ``shutdown``, ``reboot`` typed in a VM's console: the guest shuts itself down.

As systemd's commands do, they return at once and the shutdown runs: services stop, the console
shows systemd's lines, then the guest switches the machine off (``poweroff``, ``shutdown -h now``,
``shutdown now``) or restarts from its firmware (``reboot``, ``shutdown -r now``). On a VM
they act on its guest (``node.machine``, set by the assembly); on a physical host on the host
itself (``node.host_power``, ``simcore.virt.hostpower``: its containers stop, its VMs stop as
each one's autostop says, its links go down; ``reboot`` boots it again).
``shutdown`` at a later time (``+5``, ``22:00``) is not modelled and is refused with a usage line.
"""

from __future__ import annotations

from simcore.apps.console.shell import Console, command

SHUTDOWN_USAGE = "Usage: shutdown [-h|-P|-r] now   (a later time is not simulated)"


def _guest(console: Console, what: str) -> object | None:
    machine = getattr(console.node, "machine", None) or getattr(console.node, "host_power", None)
    if machine is None:
        console.print(f"{what}: this simulator switches off and restarts virtual machines and physical hosts only, "
                      f"not {console.node.name}")
    return machine


@command("poweroff", "shut the guest down cleanly and switch the VM off")
def _poweroff(console: Console, argv: list[str]) -> int:
    machine = _guest(console, "poweroff")
    if machine is None:
        return 1
    machine.guest_power(reboot=False)
    return 0


@command("reboot", "shut the guest down cleanly and start it again")
def _reboot(console: Console, argv: list[str]) -> int:
    machine = _guest(console, "reboot")
    if machine is None:
        return 1
    machine.guest_power(reboot=True)
    return 0


@command("shutdown", "shutdown -h now (power off) or shutdown -r now (reboot)")
def _shutdown(console: Console, argv: list[str]) -> int:
    flags = [a for a in argv[1:] if a.startswith("-")]
    times = [a for a in argv[1:] if not a.startswith("-")]
    if any(f not in ("-h", "-P", "-r", "--poweroff", "--reboot") for f in flags) or times not in (["now"], ["+0"], []):
        console.print(SHUTDOWN_USAGE)
        return 1
    if not times:
        # systemd's shutdown without a time waits a minute; the simulator does not schedule it.
        console.print(SHUTDOWN_USAGE)
        return 1
    machine = _guest(console, "shutdown")
    if machine is None:
        return 1
    machine.guest_power(reboot="-r" in flags or "--reboot" in flags)
    return 0
