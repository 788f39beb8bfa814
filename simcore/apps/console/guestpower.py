"""``poweroff``, ``shutdown``, ``reboot`` typed in a VM's console: the guest shuts itself down.

As systemd's commands do, they return at once and the shutdown runs: services stop, the console
shows systemd's lines, then the guest switches the machine off (``poweroff``, ``shutdown -h now``,
``shutdown now``) or restarts from its firmware (``reboot``, ``shutdown -r now``). Only a VM's
guest can do it here (``node.machine``, set by the assembly); a physical host's console refuses.
``shutdown`` at a later time (``+5``, ``22:00``) is not modelled and is refused with a usage line.
"""

from __future__ import annotations

from simcore.apps.console.shell import Console, command

SHUTDOWN_USAGE = "Usage: shutdown [-h|-P|-r] now   (a later time is not simulated)"


def _guest(console: Console, what: str) -> object | None:
    machine = getattr(console.node, "machine", None)
    if machine is None:
        console.print(f"{what}: this simulator switches off and restarts virtual machines only, not {console.node.name}")
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
