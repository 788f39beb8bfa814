"""``dhclient [-v] [-r] IFACE`` (ISC dhclient 4.4, as on Ubuntu): start or release a DHCP lease.

The client runs in the background once started (real dhclient daemonizes): the command returns
at once with status 0. Plain ``dhclient eth0`` prints nothing; ``-v`` prints dhclient's log lines
as they happen (``DHCPDISCOVER on eth0 to 255.255.255.255 port 67 interval 3 (xid=...)``...).
One client per NIC: a second ``dhclient eth0`` on a running one starts a new round, as
``dhclient`` restarted would. The glue is ``simcore.apps.dhcp.glue``.
"""

from __future__ import annotations

from simcore.apps.console.shell import Console, command
from simcore.apps.dhcp.glue import DhcpClientGlue, client_on

USAGE = "Usage: dhclient [-v] [-r] [interface]"


def client_for(console: Console, nic_name: str) -> DhcpClientGlue:
    """The node's dhclient on ``nic_name``, created on first use."""
    node = console.node
    return client_on(node, nic_name, "isc-dhclient", getattr(node.narrator, "names", None))


@command("dhclient", "ask a DHCP server for an address (-r releases it, -v shows the conversation)")
def _dhclient(console: Console, argv: list[str]) -> int:
    verbose = release = False
    names = []
    for arg in argv[1:]:
        if arg == "-v":
            verbose = True
        elif arg == "-r":
            release = True
        elif arg.startswith("-"):
            console.print(f"Unknown command: {arg}")
            console.print(USAGE)
            return 1
        else:
            names.append(arg)
    if len(names) != 1:
        # Real dhclient without an interface configures every one; the simulator asks for one.
        console.print(USAGE)
        return 1
    nic_name = names[0]
    if nic_name not in console.stack.ifaces:
        console.print(f"Cannot find device \"{nic_name}\"")
        return 1
    glue = client_for(console, nic_name)
    if release:
        glue.release(verbose)
    else:
        glue.start(verbose)
    return 0
