"""``VBoxManage`` on a host's console: the VMs placed on the host, as VirtualBox 7's tool shows them.

    VBoxManage list vms|runningvms
    VBoxManage showvminfo VM
    VBoxManage startvm VM [--type gui|headless|separate]
    VBoxManage controlvm VM pause|resume|savestate|acpipowerbutton|poweroff|reset

``VM`` is the VM's name, id or UUID. An action goes to the VM's controller (``node.machines``, set by
the assembly: apps cannot import ``simcore.virt``), the same call the run's controls make, and is
refused with VBoxManage's own sentence (``VBoxManage: error: ...``, exit status 1). ``startvm``
waits until the VM runs (``Waiting for VM "vm1" to power on...``), ``savestate`` and ``poweroff``
print their progress when done, as the real tool does. The console line is what the run's action
log records, so a replay runs it again and the VM does the same.

Subcommands are a table (``SUBCOMMANDS``, and ``CONTROLVM`` for ``controlvm``'s): another module
adds one with a line (``snapshot``, ``clonevm``, ``modifyvm``, ``setlinkstateN``...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simcore.apps.console.shell import Console, Job, command
from simcore.apps.http.server import DEFAULT_EPOCH_S

VERSION = "7.0.16r162802"
PROGRESS = "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%"
CONTROLVM_POWER = ("pause", "resume", "reset", "poweroff", "savestate", "acpipowerbutton")
USAGE = (
    f"Oracle VM VirtualBox Command Line Management Interface Version {VERSION.split('r')[0]}",
    "Copyright (C) 2005-2024 Oracle and/or its affiliates",
    "",
    "Usage:",
    "  VBoxManage list vms|runningvms",
    "  VBoxManage showvminfo <uuid|vmname>",
    "  VBoxManage startvm <uuid|vmname> [--type=gui|headless|separate]",
    "  VBoxManage controlvm <uuid|vmname> pause|resume|reset|poweroff|savestate|acpipowerbutton",
)
SYNTAX = 2  # RTEXITCODE_SYNTAX
# VirtualBox's error details for the sentences of simcore.virt.power, by how they begin.
DETAILS = (
    ("The machine ", "code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component MachineWrap, interface IMachine, "
                     "callee nsISupports"),
    ("Machine ", None),  # "Machine 'vm1' is not currently running": VBoxManage's own message, no details
)
INVALID_VM_STATE = "code VBOX_E_INVALID_VM_STATE (0x80bb0002), component ConsoleWrap, interface IConsole, callee nsISupports"
ATTACHMENTS = {"nat": "NAT", "natnetwork": "NAT Network '{network}'", "bridged": "Bridged Interface '{uplink}'",
               "internal": "Internal Network '{network}'", "hostonly": "Host-only Interface '{network}'"}
DEFAULT_NETWORKS = {"internal": "intnet", "hostonly": "vboxnet0", "natnetwork": "NatNetwork"}


def machines(console: Console) -> list[Any]:
    return console.node.__dict__.get("machines", [])


def find(console: Console, ref: str) -> Any | None:
    for machine in machines(console):
        if ref in (machine.name, machine.id, machine.uuid):
            return machine
    return None


def error(console: Console, msg: str, details: str | None = None) -> int:
    console.print(f"VBoxManage: error: {msg}")
    if details:
        console.print(f"VBoxManage: error: Details: {details}")
    return 1


def not_found(console: Console, ref: str) -> int:
    return error(console, f"Could not find a registered machine named '{ref}'",
                 "code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, "
                 "callee nsISupports")


def refused(console: Console, msg: str) -> int:
    details = INVALID_VM_STATE
    for start, words in DETAILS:
        if msg.startswith(start):
            details = words
            break
    return error(console, msg, details)


class Waiting(Job):
    """A VBoxManage command waiting for its VM's transition to end (``machine.waiters``)."""

    name = "VBoxManage"

    def __init__(self, console: Console, line: str, done_line: str):
        super().__init__(console, line)
        self.done_line = done_line

    def settled(self, machine: Any) -> None:
        if self.status is not None:
            return  # interrupted meanwhile
        self.console.print(self.done_line)
        self.console.job_done(self, 0)


def _act(console: Console, machine: Any, action: str, argv: list[str], done_line: str | None) -> int | Job:
    origin = f"VBoxManage on {console.node.name}"
    msg = machine.request(action, origin)
    if msg is not None:
        return refused(console, msg)
    if done_line is None:
        return 0
    if machine.in_transition:
        job = Waiting(console, console.current_line, done_line)
        machine.waiters.append(job)
        return job
    console.print(done_line)
    return 0


def _startvm(console: Console, argv: list[str]) -> int | Job:
    args = argv[2:]
    refs = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--type" and i + 1 < len(args):
            i += 2
            continue
        if arg.startswith("--type="):
            i += 1
            continue
        if arg.startswith("-"):
            console.print(f"VBoxManage: error: Invalid parameter '{arg}'")
            return SYNTAX
        refs.append(arg)
        i += 1
    if len(refs) != 1:
        console.print("Usage: VBoxManage startvm <uuid|vmname> [--type=gui|headless|separate]")
        return SYNTAX
    machine = find(console, refs[0])
    if machine is None:
        return not_found(console, refs[0])
    if machine.refusal("start") is None:
        console.print(f'Waiting for VM "{machine.name}" to power on...')
    return _act(console, machine, "start", argv, f'VM "{machine.name}" has been successfully started.')


def _controlvm(console: Console, argv: list[str]) -> int | Job:
    if len(argv) < 4:
        console.print("Usage: VBoxManage controlvm <uuid|vmname> " + "|".join(CONTROLVM))
        return SYNTAX
    ref, sub = argv[2], argv[3]
    handler = CONTROLVM.get(sub) or next((h for prefix, h in PREFIXED_CONTROLVM.items()
                                          if sub.startswith(prefix) and sub[len(prefix):].isdigit()), None)
    if handler is None:
        console.print(f"VBoxManage: error: Invalid parameter '{sub}'")
        return SYNTAX
    machine = find(console, ref)
    if machine is None:
        return not_found(console, ref)
    return handler(console, machine, argv)


def _power(action: str, done_line: str | None) -> Callable:
    def run(console: Console, machine: Any, argv: list[str]) -> int | Job:
        return _act(console, machine, action, argv, done_line)
    return run


CONTROLVM: dict[str, Callable] = {
    "pause": _power("pause", None),
    "resume": _power("resume", None),
    "reset": _power("reset", None),
    "poweroff": _power("poweroff", PROGRESS),
    "savestate": _power("savestate", PROGRESS),
    "acpipowerbutton": _power("acpipowerbutton", None),
}


# ``controlvm VM setlinkstateN`` / ``nicN``: subcommands named with a NIC number (vboxhw.py).
PREFIXED_CONTROLVM: dict[str, Callable] = {}


def _list(console: Console, argv: list[str]) -> int:
    what = argv[2] if len(argv) > 2 else None
    if what not in ("vms", "runningvms"):
        console.print(f"VBoxManage: error: Invalid parameter '{what}'" if what else "Usage: VBoxManage list vms|runningvms")
        return SYNTAX
    for machine in machines(console):
        if what == "vms" or machine.state in ("Running", "Paused"):
            console.print(f'"{machine.name}" {{{machine.uuid}}}')
    return 0


def _since(t_ns: int) -> str:
    """VBoxManage's timestamp, on the simulated calendar (t = 0 is 2026-01-01T00:00:00Z)."""
    import datetime

    seconds, ns = divmod(t_ns, 1_000_000_000)
    when = datetime.datetime.fromtimestamp(DEFAULT_EPOCH_S + seconds, tz=datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S") + f".{ns:09d}"


def _guest_os(spec: dict) -> str:
    os_family, text = spec.get("os", "linux"), (spec.get("guest_os") or "").lower()
    if os_family == "windows":
        return "Windows 11 (64-bit)"
    if os_family != "linux":
        return "Other/Unknown (64-bit)"
    for distro in ("ubuntu", "debian", "fedora"):
        if distro in text or (not text and distro == "ubuntu"):
            return f"{distro.capitalize()} (64-bit)"
    return "Other Linux (64-bit)"


def _attachment(machine: Any, nic: dict) -> str:
    mode = nic.get("mode")
    if mode is None:
        guest = getattr(machine.node, "guest", None)
        link = guest.nic_link(nic["name"]) if guest is not None else machine.node.nics[nic["name"]].link
        peer = None if link is None else link.b if link.a is machine.node.nics[nic["name"]] else link.a
        return f"Internal Network '{peer.node.name}'" if peer is not None else "Not attached"
    uplink = next((n["name"] for n in machine.host_spec.get("nics", []) if n.get("ip") and n["ip"] != "dhcp"), "eth0")
    return ATTACHMENTS[mode].format(network=nic.get("network") or DEFAULT_NETWORKS.get(mode, ""), uplink=uplink)


def _showvminfo(console: Console, argv: list[str]) -> int:
    if len(argv) != 3:
        console.print("Usage: VBoxManage showvminfo <uuid|vmname>")
        return SYNTAX
    machine = find(console, argv[2])
    if machine is None:
        return not_found(console, argv[2])
    spec = machine.spec
    rows = [
        ("Name", machine.name),
        ("Encryption", "disabled"),
        ("Groups", "/"),
        ("Guest OS", _guest_os(spec)),
        ("UUID", machine.uuid),
        ("Config file", _config_file(machine)),
        ("Memory size", f"{machine.ram_mb}MB"),
        ("Number of CPUs", str(machine.vcpus)),
        ("Hardware Virtualization", "disabled" if machine.software else "enabled"),
        ("State", f"{machine.shown_state} (since {_since(machine.since_ns)})"),
    ]
    hw = getattr(getattr(machine.node, "guest", None), "hardware", None)  # the VM's settings now
    if hw is not None:
        for d in hw.disks:
            rows.append((f"SATA ({d.port}, 0)", f"{d.medium.path} (UUID: {d.medium.uuid})"))
        rows.append(("IDE (1, 0)", hw.dvd or "Empty"))
    nics = [{"name": n.name, "mode": n.mode, "network": n.network, "mac": n.mac, "cable": n.cable}
            for n in hw.nics] if hw is not None else spec.get("nics", [])
    for k, nic in enumerate(nics):
        port = machine.node.nics.get(nic["name"])
        mac = nic.get("mac") or port.mac
        cable = "on" if nic.get("cable", True) else "off"
        attachment = _attachment(machine, nic) if port is not None or nic.get("mode") else "Not attached"
        rows.append((f"NIC {k + 1}", f"MAC: {mac.replace(':', '').upper()}, Attachment: {attachment}, "
                                     f"Cable connected: {cable}, Trace: off (file: none), Type: 82540EM, Reported "
                                     "speed: 0 Mbps, Boot priority: 0, Promisc Policy: deny, Bandwidth group: none"))
    for key, value in rows:
        console.print(f"{key + ':':<29}{value}")
    return 0


def _config_file(machine: Any) -> str:
    store = getattr(getattr(machine.host, "guest", None), "store", None)
    folder = store.folder if store is not None else "/home/student/VirtualBox VMs"
    return f"{folder}/{machine.name}/{machine.name}.vbox"


SUBCOMMANDS: dict[str, Callable] = {
    "list": _list,
    "showvminfo": _showvminfo,
    "startvm": _startvm,
    "controlvm": _controlvm,
}


@command("VBoxManage", "control the VirtualBox VMs of this host (list, showvminfo, startvm, controlvm)",
         aliases=("vboxmanage",))
def _vboxmanage(console: Console, argv: list[str]) -> int | Job:
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        for line in USAGE:
            console.print(line)
        return 0 if len(argv) > 1 else SYNTAX
    if argv[1] in ("-v", "--version"):
        console.print(VERSION)
        return 0
    handler = SUBCOMMANDS.get(argv[1])
    if handler is None:
        console.print(f"VBoxManage: error: Unknown command '{argv[1]}'")
        return SYNTAX
    return handler(console, argv)
