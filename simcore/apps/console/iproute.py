"""``ip addr``, ``ip link``, ``ip route``, ``ip neigh`` (iproute2 6.x) and ``arp`` (net-tools).

Formats are iproute2's default (not ``-br``, not ``-j``). No IPv6 addresses are shown: the
simulator has no IPv6. Interfaces are numbered as the kernel would: ``lo`` is 1, NICs follow in
design order.
"""

from __future__ import annotations

import ipaddress

from simcore.apps.console.shell import Console, command
from simcore.stack.neighbour import NudState

OBJECTS = {
    "address": ("a", "ad", "add", "addr", "addre", "addres", "address"),
    "link": ("l", "li", "lin", "link"),
    "route": ("r", "ro", "rou", "rout", "route"),
    "neigh": ("n", "ne", "nei", "neig", "neigh", "neighbor", "neighbour"),
}
IP_USAGE = [
    "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }",
    "where  OBJECT := { address | link | neighbour | route }",
    "       OPTIONS := { -4 }",
]


def _object(word: str) -> str | None:
    for name, spellings in OBJECTS.items():
        if word in spellings:
            return name
    return None


def _link_lines(console: Console, index: int, name: str, with_mode: bool) -> list[str]:
    mode = " mode DEFAULT" if with_mode else ""
    if name == "lo":
        return [f"{index}: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN{mode} group default qlen 1000",
                "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00"]
    nic = console.stack.ifaces[name].nic
    if nic.link is not None and nic.carrier:
        head = f"<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP{mode}"
    else:
        head = f"<NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc fq_codel state DOWN{mode}"
    return [f"{index}: {name}: {head} group default qlen 1000",
            f"    link/ether {nic.mac} brd ff:ff:ff:ff:ff:ff"]


def _devices(console: Console) -> list[str]:
    return ["lo", *console.stack.ifaces]


def _pick_dev(console: Console, args: list[str]) -> tuple[list[str], int]:
    """Parse ``[show] [dev] NAME``; returns (device names, status)."""
    words = [w for w in args if w not in ("show", "list", "lst", "sh")]
    if words and words[0] == "dev":
        words = words[1:]
    devices = _devices(console)
    if not words:
        return devices, 0
    if words[0] not in devices:
        console.print(f'Device "{words[0]}" does not exist.')
        return [], 1
    return [words[0]], 0


def ip_addr(console: Console, args: list[str]) -> int:
    devs, status = _pick_dev(console, args)
    if status:
        return status
    stack = console.stack
    for index, name in enumerate(_devices(console), start=1):
        if name not in devs:
            continue
        for text in _link_lines(console, index, name, with_mode=False):
            console.print(text)
        if name == "lo":
            console.print("    inet 127.0.0.1/8 scope host lo")
            console.print("       valid_lft forever preferred_lft forever")
            continue
        addr = stack.ifaces[name].addr
        if addr is not None:
            brd = stack.ifaces[name].broadcast
            brd_words = f" brd {brd}" if brd else ""
            left = _lease_left_s(console, name, str(addr.ip))
            dynamic = "" if left is None else " dynamic"
            console.print(f"    inet {addr.with_prefixlen}{brd_words} scope global{dynamic} {name}")
            lifetime = "forever" if left is None else f"{left}sec"
            console.print(f"       valid_lft {lifetime} preferred_lft {lifetime}")
    return 0


def _lease_left_s(console: Console, name: str, address: str) -> int | None:
    """Seconds left on the DHCP lease that gave ``address`` to ``name``, or None for an address
    configured by hand. dhclient-script and systemd-networkd give a leased address the lease's
    lifetime, so the kernel marks it ``dynamic`` and counts it down; a static one lives forever."""
    glue = getattr(console.node, "dhcp_clients", {}).get(name)
    lease = getattr(getattr(glue, "machine", None), "lease", None)
    if lease is None or lease.address != address or lease.expires_at_ns is None:
        return None
    return max(0, (lease.expires_at_ns - console.engine.now) // 1_000_000_000)


def ip_link(console: Console, args: list[str]) -> int:
    devs, status = _pick_dev(console, args)
    if status:
        return status
    for index, name in enumerate(_devices(console), start=1):
        if name in devs:
            for text in _link_lines(console, index, name, with_mode=True):
                console.print(text)
    return 0


def ip_route(console: Console, args: list[str]) -> int:
    stack = console.stack
    if args and args[0] == "get":
        if len(args) < 2:
            console.print('Command line is not complete. Try option "help"')
            return 255
        try:
            dst = str(ipaddress.IPv4Address(args[1]))
        except ValueError:
            console.print(f'Error: inet prefix is expected rather than "{args[1]}".')
            return 1
        if dst in stack.local_ips:
            console.print(f"local {dst} dev lo src {dst} uid 0")
            console.print("    cache <local>")
            return 0
        route = stack.routes.lookup(dst)
        if route is None:
            console.print("RTNETLINK answers: Network is unreachable")
            return 2
        via = f" via {route.via}" if route.via else ""
        console.print(f"{dst}{via} dev {route.dev} src {stack.source_for(dst)} uid 0")
        console.print("    cache")
        return 0
    if args and args[0] not in ("show", "list", "lst", "sh"):
        console.print(f'Command "{args[0]}" is unknown, try "ip route help".')
        return 255
    for text in stack.routes.lines():
        console.print(text)
    return 0


def ip_neigh(console: Console, args: list[str]) -> int:
    if args and args[0] not in ("show", "list", "lst", "sh"):
        console.print(f'Command "{args[0]}" is unknown, try "ip neigh help".')
        return 255
    for text in console.stack.neigh.neigh_lines():
        console.print(text)
    return 0


HANDLERS = {"address": ip_addr, "link": ip_link, "route": ip_route, "neigh": ip_neigh}


@command("ip", "show addresses, links, routes and neighbours (ip addr | link | route | neigh)")
def ip_command(console: Console, argv: list[str]) -> int:
    args = [a for a in argv[1:] if a != "-4"]
    if not args or args[0] in ("help", "-h", "--help"):
        for text in IP_USAGE:
            console.print(text)
        return 255 if not args else 0
    if args[0].startswith("-"):
        console.print(f'Option "{args[0]}" is unknown, try "ip -help".')
        return 255
    obj = _object(args[0])
    if obj is None:
        console.print(f'Object "{args[0]}" is unknown, try "ip help".')
        return 255
    return HANDLERS[obj](console, args[1:])


@command("arp", "show the ARP cache (net-tools: arp -n, arp -a)")
def arp_command(console: Console, argv: list[str]) -> int:
    flags = argv[1:]
    for flag in flags:
        if flag not in ("-n", "-a", "-an", "-na", "-e"):
            console.print(f"arp: invalid option -- '{flag.lstrip('-')[:1] or flag}'")
            console.print("Usage:")
            console.print("  arp [-vn]  [<HW>] [-i <if>] [-a] [<hostname>]             <-Display ARP cache")
            return 255
    neigh = console.stack.neigh
    if any("a" in f for f in flags):
        # BSD style: one sentence per entry, "?" because no name resolves.
        for n in neigh.entries.values():
            if n.state in (NudState.INCOMPLETE, NudState.FAILED) or n.mac is None:
                console.print(f"? ({n.ip}) at <incomplete> on {n.dev}")
            else:
                console.print(f"? ({n.ip}) at {n.mac} [ether] on {n.dev}")
        return 0
    lines = neigh.arp_lines()
    if len(lines) > 1:  # net-tools prints the title only before the first entry
        for text in lines:
            console.print(text)
    return 0
