"""``VBoxManage snapshot`` and ``clonevm`` on a host's console, with VirtualBox 7's output and errors.

    VBoxManage snapshot VM take NAME [--description TEXT] [--live|--pause]
    VBoxManage snapshot VM restore NAME | restorecurrent | delete NAME | list [--details]
    VBoxManage clonevm VM [--name NAME] [--mode machine|all] [--snapshot NAME]
                          [--options link,KeepAllMACs,...] [--register]

The work is the VM's (``machine.snapshots``, ``simcore.virt.snapshots``) and the network's
(``machine.cloner``, ``simcore.assembly.clones``), duck-typed: apps cannot import ``simcore.virt``.
A refusal is printed as VBoxManage prints it (``VBoxManage: error: ...`` and, for VirtualBox's own
sentences, the ``Details:`` line with its result code), exit status 1. ``showvminfo`` lists the
snapshot tree after the NICs, as VirtualBox does. The subcommands join ``vboxmanage.SUBCOMMANDS``.
"""

from __future__ import annotations

from typing import Any

from simcore.apps.console import vboxmanage as vbm
from simcore.apps.console.shell import Console

SYNTAX = vbm.SYNTAX
CODES = {
    "VBOX_E_OBJECT_NOT_FOUND": ("0x80bb0001", "MachineWrap"),
    "VBOX_E_INVALID_VM_STATE": ("0x80bb0002", "SessionMachine"),
    "VBOX_E_FILE_ERROR": ("0x80bb0004", "MachineWrap"),
    "VBOX_E_INVALID_OBJECT_STATE": ("0x80bb0007", "SessionMachine"),
    "E_INVALIDARG": ("0x80070057", "SessionMachine"),
}
SNAPSHOT_USAGE = ("Usage: VBoxManage snapshot <uuid|vmname> take <snapshot-name> [--description=description] "
                  "[--live] | restore <snapshot-name> | restorecurrent | delete <snapshot-name> | list [--details]")
CLONE_USAGE = ("Usage: VBoxManage clonevm <uuid|vmname> [--name=name] [--mode=machine|all] [--snapshot=snapshot-name] "
               "[--options=link,keepallmacs,keepnatmacs,keepdisknames,keephwuuids] [--register]")
CLONE_OPTIONS = ("link", "keepallmacs", "keepnatmacs", "keepdisknames", "keephwuuids")


def refused(console: Console, exc: Any) -> int:
    """A Refused (``sentence``, ``code``) as VBoxManage prints it."""
    details = None
    if exc.code in CODES:
        number, component = CODES[exc.code]
        details = f"code {exc.code} ({number}), component {component}, interface IMachine, callee nsISupports"
    return vbm.error(console, exc.sentence, details)


def _snapshot(console: Console, argv: list[str]) -> int:
    if len(argv) < 4:
        console.print("VBoxManage: error: Not enough parameters")
        console.print(SNAPSHOT_USAGE)
        return SYNTAX
    machine = vbm.find(console, argv[2])
    if machine is None:
        return vbm.not_found(console, argv[2])
    tree, sub, rest = machine.snapshots, argv[3], argv[4:]
    origin = f"VBoxManage on {console.node.name}"
    if sub == "list":
        if any(a not in ("--details", "--machinereadable") for a in rest):
            console.print(f"VBoxManage: error: Invalid parameter '{next(a for a in rest if a != '--details')}'")
            return SYNTAX
        lines = tree.list_lines(details="--details" in rest)
        if not lines:
            console.print("This machine does not have any snapshots")
            return 1
        for line in lines:
            console.print(line)
        return 0
    if sub == "take":
        if not rest or rest[0].startswith("-"):
            console.print("VBoxManage: error: Missing snapshot name")
            console.print(SNAPSHOT_USAGE)
            return SYNTAX
        params: dict = {"op": "take", "name": rest[0]}
        i = 1
        while i < len(rest):
            arg = rest[i]
            key, eq, value = arg.partition("=")
            if key in ("--description", "-description", "-desc"):
                if not eq:
                    if i + 1 >= len(rest):
                        console.print(f"VBoxManage: error: Missing argument to '{key}'")
                        return SYNTAX
                    value, i = rest[i + 1], i + 1
                params["description"] = value
            elif arg == "--live":
                params["live"] = True
            elif arg == "--pause":
                params["live"] = False
            else:
                console.print(f"VBoxManage: error: Invalid parameter '{arg}'")
                return SYNTAX
            i += 1
        try:
            snap = tree.apply(params, origin)
        except Exception as exc:
            if not hasattr(exc, "sentence"):
                raise
            return refused(console, exc)
        console.print(vbm.PROGRESS)
        console.print(f"Snapshot taken. UUID: {snap.uuid}")
        return 0
    if sub in ("restore", "delete", "restorecurrent"):
        if sub == "restorecurrent" and rest:
            console.print("VBoxManage: error: Too many arguments")
            return SYNTAX
        if sub != "restorecurrent" and len(rest) != 1:
            console.print("VBoxManage: error: Expecting snapshot name only")
            return SYNTAX
        try:  # VBoxManage finds the snapshot, says which, then asks VirtualBox to do it
            snap = tree.current if sub == "restorecurrent" else tree.find(rest[0])
        except Exception as exc:
            if not hasattr(exc, "sentence"):
                raise
            return refused(console, exc)
        if snap is None:
            console.print("This machine does not have any snapshots")
            return 1
        console.print(f"{'Deleting' if sub == 'delete' else 'Restoring'} snapshot '{snap.name}' ({snap.uuid})")
        params = {"op": sub} if sub == "restorecurrent" else {"op": sub, "name": snap.uuid}
        try:
            tree.apply(params, origin)
        except Exception as exc:
            if not hasattr(exc, "sentence"):
                raise
            return refused(console, exc)
        console.print(vbm.PROGRESS)
        return 0
    console.print(f"VBoxManage: error: Invalid parameter '{sub}'")
    console.print(SNAPSHOT_USAGE)
    return SYNTAX


def _clonevm(console: Console, argv: list[str]) -> int:
    if len(argv) < 3 or argv[2].startswith("-"):
        console.print(CLONE_USAGE)
        return SYNTAX
    ref, rest = argv[2], argv[3:]
    values: dict[str, str] = {}
    register = False
    i = 0
    while i < len(rest):
        arg = rest[i]
        key, eq, value = arg.partition("=")
        if key == "--register":
            register = True
            i += 1
            continue
        if key not in ("--name", "--mode", "--snapshot", "--options", "--basefolder", "--groups", "--uuid"):
            console.print(f"VBoxManage: error: Invalid parameter '{arg}'")
            return SYNTAX
        if not eq:
            if i + 1 >= len(rest):
                console.print(f"VBoxManage: error: Missing argument to '{key}'")
                return SYNTAX
            value, i = rest[i + 1], i + 1
        values[key] = value
        i += 1
    machine = vbm.find(console, ref)
    if machine is None:
        return vbm.not_found(console, ref)
    options = [o.strip().lower() for o in values.get("--options", "").split(",") if o.strip()]
    bad = [o for o in options if o not in CLONE_OPTIONS]
    if bad:
        console.print(f"VBoxManage: error: Invalid clone options '{values['--options']}'")
        return SYNTAX
    mode = values.get("--mode", "machine").lower()
    if mode not in ("machine", "machineandchildren", "all"):
        console.print(f"VBoxManage: error: Invalid clone mode '{values['--mode']}'")
        return SYNTAX
    params: dict = {"name": values.get("--name") or f"{machine.name} Clone", "mode": "all" if mode != "machine" else
                    "machine", "link": "link" in options, "keep_macs": "keepallmacs" in options}
    if "--snapshot" in values:
        params["snapshot"] = values["--snapshot"]
    try:
        machine.cloner.clone(machine, params, f"VBoxManage on {console.node.name}")
    except Exception as exc:
        if not hasattr(exc, "sentence"):
            raise
        return refused(console, exc)
    del register  # the simulator registers every clone, so it can be a node of the run (docs/virt.md)
    console.print(vbm.PROGRESS)
    console.print(f'Machine has been successfully cloned as "{params["name"]}"')
    return 0


_plain_showvminfo = vbm.SUBCOMMANDS["showvminfo"]


def _showvminfo(console: Console, argv: list[str]) -> int:
    status = _plain_showvminfo(console, argv)
    machine = vbm.find(console, argv[2]) if status == 0 else None
    if machine is not None:
        lines = machine.snapshots.list_lines()
        if lines:
            console.print("Snapshots:")
            console.print("")
            for line in lines:
                console.print(line)
    return status


vbm.SUBCOMMANDS["snapshot"] = _snapshot
vbm.SUBCOMMANDS["clonevm"] = _clonevm
vbm.SUBCOMMANDS["showvminfo"] = _showvminfo
