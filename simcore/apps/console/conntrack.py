"""``conntrack`` (conntrack-tools 1.4.7) on a node: ``-L``, ``-C``, ``-F`` with filters.

The table and the command's logic belong to the router (``simcore.devices.nat``): a node that
does NAT has ``node.conntrack(argv, now) -> (status, stdout, stderr)`` (set by the NAT network
that lives on it). A node without NAT has an empty table, as a Linux host that tracks nothing.
"""

from __future__ import annotations

from simcore.apps.console.shell import Console, command

EMPTY_SUMMARY = "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown."


@command("conntrack", "list the connection tracking (NAT) table: conntrack -L")
def _conntrack(console: Console, argv: list[str]) -> int:
    run = getattr(console.node, "conntrack", None)
    if run is None:
        if len(argv) > 1 and argv[1] in ("-L", "--dump"):
            console.print(EMPTY_SUMMARY)
            return 0
        status, out, err = 0, "", ""
        if len(argv) > 1 and argv[1] in ("-C", "--count"):
            out = "0\n"
        else:
            status, err = 2, "conntrack v1.4.7 (conntrack-tools): no NAT on this node\n"
    else:
        status, out, err = run(argv, console.engine.now)
    for text in (out + err).splitlines():
        console.print(text)
    return status
