"""``VBoxManage``'s hardware subcommands on a host's console: a VM's hardware changed by software.

    VBoxManage modifyvm VM [--memory MB] [--cpus N] [--nicN none|nat|natnetwork|bridged|intnet|hostonly
                           [--intnetN NAME|--hostonlyadapterN NAME|--nat-networkN NAME]]
    VBoxManage controlvm VM setlinkstateN on|off
    VBoxManage controlvm VM nicN nat|natnetwork NAME|bridged IF|intnet NAME|hostonly NAME|null
    VBoxManage storageattach VM --storagectl SATA|IDE --port N --device 0 --type hdd|dvddrive
                             --medium PATH|none|emptydrive [--hotpluggable on|off]
    VBoxManage createmedium disk --filename PATH --size MB [--format VDI|VMDK|VHD]
    VBoxManage closemedium disk PATH [--delete]
    VBoxManage list hdds|hostinfo

Each change goes to the VM's guest (``machine.node.guest.apply``, duck-typed: apps cannot import
``simcore.virt``), which refuses it in VirtualBox's words when the VM's state does not allow it;
disk images are the host's (``console.node.guest.store``). The subcommands join the tables of
``vboxmanage.py`` (``SUBCOMMANDS``, ``CONTROLVM``).
"""

from __future__ import annotations

import datetime

from simcore.apps.console import vboxmanage as vbm
from simcore.apps.console.shell import Console

SYNTAX = vbm.SYNTAX
PROGRESS = vbm.PROGRESS
_NETWORK_OPTIONS = ("--intnet", "--hostonlyadapter", "--nat-network", "--natnet", "--bridgeadapter")


def _apply(console: Console, machine, action: str, **params) -> int:
    guest = getattr(machine.node, "guest", None)
    if guest is None:
        return vbm.error(console, f"The machine '{machine.name}' has no hardware settings in this simulator")
    try:
        guest.apply(action, **params)
    except Exception as exc:  # a Refusal (simcore.virt.hardware): VirtualBox's words
        lines = getattr(exc, "lines", None)
        if lines is None:
            raise
        for text in lines():
            console.print(text)
        machine.refuse(action, exc.sentence)
        return 1
    return 0


def _options(console: Console, args: list[str], known: tuple[str, ...]) -> dict[str, str] | None:
    """``--name value`` pairs (``--name=value`` too); None after VBoxManage's complaint."""
    out, i = {}, 0
    while i < len(args):
        arg = args[i]
        name, _, value = arg.partition("=")
        base = name.rstrip("0123456789")
        if not name.startswith("--") or (name not in known and base not in known):
            console.print(f"VBoxManage: error: Invalid parameter '{arg}'")
            return None
        if not value:
            if i + 1 >= len(args):
                console.print(f"VBoxManage: error: Missing argument to '{name}'")
                return None
            value = args[i + 1]
            i += 1
        out[name] = value
        i += 1
    return out


def _number(console: Console, text: str, what: str) -> int | None:
    if not text.isdigit():
        console.print(f"VBoxManage: error: Invalid {what} '{text}'")
        return None
    return int(text)


def _modifyvm(console: Console, argv: list[str]) -> int:
    if len(argv) < 4:
        console.print("Usage: VBoxManage modifyvm <uuid|vmname> [--memory <MB>] [--cpus <N>] [--nic<1-8> <mode>]")
        return SYNTAX
    machine = vbm.find(console, argv[2])
    if machine is None:
        return vbm.not_found(console, argv[2])
    opts = _options(console, argv[3:], ("--memory", "--cpus", "--nic", *_NETWORK_OPTIONS))
    if opts is None:
        return SYNTAX
    params: dict = {}
    for key, value in opts.items():
        if key in ("--memory", "--cpus"):
            n = _number(console, value, "value")
            if n is None:
                return SYNTAX
            params["memory" if key == "--memory" else "cpus"] = n
        elif key.startswith("--nic"):
            params["nic"], params["mode"] = int(key[5:] or 0), value
        else:
            params["network"] = value
    status = 0
    for part in (("memory",), ("cpus",), ("nic", "mode", "network")):  # VBoxManage sets them in order
        chosen = {k: params[k] for k in part if k in params}
        if chosen and part[0] in chosen:
            status = _apply(console, machine, "modifyvm", **chosen)
            if status:
                return status
    return status


def _setlinkstate(console: Console, machine, argv: list[str]) -> int:
    slot = argv[3][len("setlinkstate"):]
    if len(argv) < 5:
        console.print(f"VBoxManage: error: Missing argument to '{argv[3]}'.")
        return SYNTAX
    if not slot.isdigit():
        console.print(f"VBoxManage: error: Invalid NIC number '{slot}'.")
        return SYNTAX
    if argv[4] not in ("on", "off"):
        console.print(f"VBoxManage: error: Invalid link state '{argv[4]}'.")
        return SYNTAX
    return _apply(console, machine, "setlinkstate", nic=int(slot), on=argv[4] == "on")


def _nic(console: Console, machine, argv: list[str]) -> int:
    slot = argv[3][len("nic"):]
    if len(argv) < 5:
        console.print(f"VBoxManage: error: Missing argument to '{argv[3]}'.")
        return SYNTAX
    if not slot.isdigit():
        console.print(f"VBoxManage: error: Invalid NIC number '{slot}'.")
        return SYNTAX
    network = argv[5] if len(argv) > 5 else None
    return _apply(console, machine, "nic", nic=int(slot), mode=argv[4], network=network)


def _storageattach(console: Console, argv: list[str]) -> int:
    if len(argv) < 4:
        console.print("Usage: VBoxManage storageattach <uuid|vmname> --storagectl <name> --port <n> --device <n> "
                      "--type hdd|dvddrive --medium <path>|none|emptydrive [--hotpluggable on|off]")
        return SYNTAX
    machine = vbm.find(console, argv[2])
    if machine is None:
        return vbm.not_found(console, argv[2])
    opts = _options(console, argv[3:], ("--storagectl", "--port", "--device", "--type", "--medium", "--hotpluggable"))
    if opts is None:
        return SYNTAX
    if "--storagectl" not in opts:
        console.print("VBoxManage: error: Storage controller name not specified")
        return SYNTAX
    port = _number(console, opts.get("--port", "0"), "port number")
    device = _number(console, opts.get("--device", "0"), "device number")
    if port is None or device is None:
        return SYNTAX
    kind = opts.get("--type", "hdd")
    medium = opts.get("--medium")
    if medium is None:
        console.print("VBoxManage: error: Medium not specified")
        return SYNTAX
    hot = opts.get("--hotpluggable")
    if hot not in (None, "on", "off"):
        console.print(f"VBoxManage: error: Invalid --hotpluggable argument '{hot}'")
        return SYNTAX
    params = {"medium": medium, "type": kind, "port": port, "device": device, "controller": opts["--storagectl"]}
    if hot is not None:
        params["hotpluggable"] = hot == "on"
    return _apply(console, machine, "storageattach", **params)


def _store(console: Console):
    guest = getattr(console.node, "guest", None)
    return guest.store if guest is not None else None


def _refused(console: Console, exc: Exception) -> int:
    lines = getattr(exc, "lines", None)
    if lines is None:
        raise exc
    for text in lines():
        console.print(text)
    return 1


def _createmedium(console: Console, argv: list[str]) -> int:
    args = argv[2:]
    if args and args[0] in ("disk", "hd"):
        args = args[1:]
    opts = _options(console, args, ("--filename", "--size", "--format", "--variant"))
    if opts is None:
        return SYNTAX
    if "--filename" not in opts:
        console.print("VBoxManage: error: Parameters --filename is required")
        return SYNTAX
    size = _number(console, opts.get("--size", "0"), "size")
    if size is None:
        return SYNTAX
    store = _store(console)
    if store is None:
        return vbm.error(console, "This machine has no VirtualBox to keep disk images in")
    try:
        medium = store.create(store.fs.abspath(opts["--filename"]), size)
    except Exception as exc:
        return _refused(console, exc)
    console.print(PROGRESS)
    console.print(f"Medium created. UUID: {medium.uuid}")
    return 0


def _closemedium(console: Console, argv: list[str]) -> int:
    args = [a for a in argv[2:] if a not in ("disk", "--delete")]
    if len(args) != 1:
        console.print("Usage: VBoxManage closemedium [disk|dvd|floppy] <uuid|filename> [--delete]")
        return SYNTAX
    store = _store(console)
    if store is None:
        return vbm.error(console, "This machine has no VirtualBox to keep disk images in")
    try:
        store.close(store.fs.abspath(args[0]), delete="--delete" in argv)
    except Exception as exc:
        return _refused(console, exc)
    if "--delete" in argv:
        console.print(PROGRESS)
    return 0


def _list(console: Console, argv: list[str]) -> int:
    what = argv[2] if len(argv) > 2 else None
    if what == "hdds":
        store = _store(console)
        for text in store.list_hdds() if store is not None else []:
            console.print(text)
        return 0
    if what == "hostinfo":
        return _hostinfo(console)
    return _CORE_LIST(console, argv)


def _hostinfo(console: Console) -> int:
    guest = getattr(console.node, "guest", None)
    if guest is None:
        return vbm.error(console, "This machine has no VirtualBox")
    cpu = getattr(console.node, "cpu", None) or {}
    seconds, ns = divmod(console.tracer.engine.now, 1_000_000_000)
    when = datetime.datetime.fromtimestamp(vbm.DEFAULT_EPOCH_S + seconds, tz=datetime.UTC)
    alloc = guest.allocation()
    running = sum(vm.ram_mb for vm in guest.vms if vm.state in ("Running", "Paused", "Starting", "Stopping",
                                                                   "Saving", "Restoring"))
    vt = "yes" if cpu.get("vt_x", True) else "no"
    lines = ["Host Information:", "", f"Host time: {when:%Y-%m-%dT%H:%M:%S}.{ns:09d}Z",
             f"Processor online count: {alloc['cpu_cores']}", f"Processor count: {alloc['cpu_cores']}",
             f"Processor online core count: {alloc['cpu_cores']}", f"Processor core count: {alloc['cpu_cores']}",
             f"Processor supports HW virtualization: {vt}", "Processor supports PAE: yes",
             "Processor supports long mode: yes", f"Processor supports nested paging: {vt}",
             "Processor#0 speed: unknown", f"Processor#0 description: {cpu.get('model', 'unknown')}",
             f"Memory size: {alloc['ram_mb']} MByte",
             f"Memory available: {max(0, alloc['ram_mb'] - guest.image.ram_used_mb - running)} MByte",
             "Operating system: Linux", f"Operating system version: {guest.image.kernel}"]
    for text in lines:
        console.print(text)
    return 0


_CORE_LIST = vbm.SUBCOMMANDS["list"]
vbm.SUBCOMMANDS.update({"modifyvm": _modifyvm, "storageattach": _storageattach, "createmedium": _createmedium,
                        "createhd": _createmedium, "closemedium": _closemedium, "list": _list})
vbm.PREFIXED_CONTROLVM = {"setlinkstate": _setlinkstate, "nic": _nic}
