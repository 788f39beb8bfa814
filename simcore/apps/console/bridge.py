"""``bridge fdb [show] [br NAME]`` (iproute2 6.x) on a host: the forwarding tables of its switches.

A host's switches are the vswitches placed on it and its halves of distributed switches; the
network build lists them in ``node.bridge_devices`` (``simcore.assembly.switches``).
Lines follow iproute2's default format:

    08:00:27:51:00:99 dev p1 master br
    02:00:00:51:00:0a dev enp1s0 master br permanent
    08:00:27:64:0b:11 dev vxlan100 master dvs
    08:00:27:64:0b:11 dev vxlan100 dst 172.16.0.2 self
    00:00:00:00:00:00 dev vxlan100 dst 172.16.0.2 self permanent

A link port is named ``p<number>`` (the simulator has no tap names). The ``self`` lines are the
VXLAN device's own table (inner MAC -> remote endpoint, RFC 7348 §4.1) and its head-end
replication list, one all-zeros entry per remote endpoint, as Linux shows them.
"""

from __future__ import annotations

from typing import Any

from simcore.apps.console.shell import Console, command

USAGE = [
    "Usage: bridge fdb [ show [ br BRDEV ] ]",
]


def fdb_lines(device: Any) -> list[str]:
    """The ``bridge fdb show`` lines of one switch (or one half of a distributed switch)."""
    lines = []
    master = device.id
    for row in device.fdb_rows():
        port = next(p for p in device.ports if p.number == row["port"])
        dev = row.get("dev") or port.name
        tail = " permanent" if row.get("permanent") else ""
        lines.append(f"{row['mac']} dev {dev} master {master}{tail}")
    for port in device.ports:
        remote = getattr(port, "remote", None)
        if remote is None:
            continue
        for mac in sorted(remote):
            lines.append(f"{mac} dev {port.name} dst {remote[mac]} self")
        for endpoint in port.vtep.dswitch.endpoints_except(port.vtep):
            lines.append(f"00:00:00:00:00:00 dev {port.name} dst {endpoint} self permanent")
    return lines


@command("bridge", "show a host's switch forwarding tables: bridge fdb show")
def _bridge(console: Console, argv: list[str]) -> int:
    args = argv[1:]
    if not args or args[0] in ("help", "-h", "--help"):
        for text in USAGE:
            console.print(text)
        return 0 if args else 255
    if args[0] != "fdb":
        console.print(f'Object "{args[0]}" is unknown, try "bridge help".')
        return 255
    args = args[1:]
    if args and args[0] in ("show", "list", "lst"):
        args = args[1:]
    only = None
    if args[:1] == ["br"] and len(args) == 2:
        only = args[1]
    elif args:
        console.print(f'Command "{args[0]}" is unknown, try "bridge fdb help".')
        return 255
    devices = getattr(console.node, "bridge_devices", [])
    if only is not None and not any(d.id == only for d in devices):
        console.print(f'Cannot find device "{only}"')
        return 1
    for device in devices:
        if only is None or device.id == only:
            for text in fdb_lines(device):
                console.print(text)
    return 0
