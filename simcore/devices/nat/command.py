"""The ``conntrack`` console command on a NAT router, as pure logic (argv in, output out).

Supported, as conntrack-tools 1.4.7 behaves: ``-L``/``--dump`` (list; filters ``-p``/``--proto``,
``-s``/``--src``/``--orig-src``, ``-d``/``--dst``/``--orig-dst``, ``--sport``/``--orig-port-src``,
``--dport``/``--orig-port-dst``, all on the original tuple), ``-C``/``--count`` (the number of
entries, filters ignored), ``-F``/``--flush`` (empty the table). The summary line and errors go to
stderr; an error exits 2 with conntrack's "Try `conntrack -h' ..." hint. The listing and summary
lines are conntrack's; the wording of the error messages is close to conntrack's but was not
checked against a real binary. The console (another part) only prints the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from simcore.packets import PROTO_ICMP

from .format import CONNTRACK_VERSION, format_conntrack
from .masquerade import Nat
from .tuples import LABEL_PROTOS, FlowTuple

_PREFIX = f"conntrack v{CONNTRACK_VERSION} (conntrack-tools): "
_HINT = "Try `conntrack -h' or 'conntrack --help' for more information."
_FILTERS = {
    "-p": "proto", "--proto": "proto",
    "-s": "src", "--src": "src", "--orig-src": "src",
    "-d": "dst", "--dst": "dst", "--orig-dst": "dst",
    "--sport": "sport", "--orig-port-src": "sport",
    "--dport": "dport", "--orig-port-dst": "dport",
}
_COMMANDS = {"-L": "list", "--dump": "list", "-C": "count", "--count": "count", "-F": "flush", "--flush": "flush"}


@dataclass(frozen=True, slots=True)
class CommandResult:
    exit_code: int
    stdout: str = ""
    stderr: str = ""


def _problem(message: str) -> CommandResult:
    return CommandResult(2, "", f"{_PREFIX}{message}\n{_HINT}\n")


def conntrack_command(nat: Nat, argv: list[str], now: int) -> CommandResult:
    """Run ``conntrack`` with ``argv`` (``argv[0]`` is the program name) on ``nat``'s table."""
    command: str | None = None
    filters: dict[str, str] = {}
    args = list(argv[1:])
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _COMMANDS:
            if command is not None:
                return _problem("Invalid parameters, only one command allowed")
            command = _COMMANDS[arg]
        elif arg in _FILTERS:
            if i + 1 >= len(args):
                return _problem(f"option `{arg}' requires an argument")
            filters[_FILTERS[arg]] = args[i + 1]
            i += 1
        else:
            return _problem(f"unknown option `{arg}'")
        i += 1
    if command is None:
        return _problem("no command specified")
    if command == "count":
        nat.expire(now)
        return CommandResult(0, f"{len(nat.entries())}\n")
    if command == "flush":
        for entry in nat.entries():
            nat.table.remove(entry.id)
        return CommandResult(0, "", f"{_PREFIX}connection tracking table has been emptied.\n")
    proto = filters.get("proto")
    if proto is not None and proto.lower() not in LABEL_PROTOS:
        return _problem(f"`{proto}' unsupported protocol")
    for key in ("sport", "dport"):
        if key in filters and not filters[key].isdigit():
            return _problem(f"invalid port: `{filters[key]}'")
    nat.expire(now)
    entries = [e for e in nat.entries() if _matches(e.original, filters)]
    out, err = format_conntrack(entries, now)
    return CommandResult(0, out, err)


def _matches(t: FlowTuple, filters: dict[str, str]) -> bool:
    if "proto" in filters and LABEL_PROTOS[filters["proto"].lower()] != t.proto:
        return False
    if "src" in filters and filters["src"] != t.src:
        return False
    if "dst" in filters and filters["dst"] != t.dst:
        return False
    if t.proto == PROTO_ICMP and ("sport" in filters or "dport" in filters):
        return False  # ICMP has no ports (sport/dport hold the echo id and type here)
    if "sport" in filters and int(filters["sport"]) != t.sport:
        return False
    return not ("dport" in filters and int(filters["dport"]) != t.dport)
