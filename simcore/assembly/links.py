"""Drawn links and capture points.

A link end on a switch takes the switch's next port (ports are numbered in link order, so the
document's order of links is the order of the ports); an end on a host names one of its NICs.
Capture points are named for their pcap file: ``<node>_<nic>`` on a NIC, the link's id on a
link. With ``capture_all`` (the live run: a user may download the capture of any NIC) every
drawn NIC and every link between two switches gets one too.
"""

from __future__ import annotations

from simcore.assembly.context import BuildContext
from simcore.net import Link

DEFAULT_DELAY_US = 50


def add_link(ctx: BuildContext, k: int, spec: dict) -> Link | None:
    """The drawn link ``links[k]``; None, with the problem reported, if its id is taken by a
    device the network made itself (a hidden link of a VirtualBox mode or a NAT network)."""
    a, b = spec["a"], spec["b"]
    try:
        return ctx.connect(spec["id"], ctx.port_of(a["node"], a.get("nic")), ctx.port_of(b["node"], b.get("nic")),
                           int(round(spec.get("delay_us", DEFAULT_DELAY_US) * 1000)))
    except ValueError as exc:
        ctx.report("build.link", f"links[{k}]", str(exc))
        return None


def add_links(ctx: BuildContext, links: list[dict]) -> None:
    for k, spec in enumerate(links):
        add_link(ctx, k, spec)


def add_captures(ctx: BuildContext, captures: list[dict]) -> None:
    """The document's capture points; two different points that would write the same file are
    a problem at the second one."""
    for k, spec in enumerate(captures):
        try:
            if "link" in spec:
                ctx.capture_link(spec["link"])
            else:
                ctx.capture_nic(spec["node"], spec["nic"])
        except ValueError as exc:
            ctx.report("build.capture", f"captures[{k}]", str(exc))


def capture_everything(ctx: BuildContext, nodes: list[dict], links: list[dict]) -> None:
    """A capture on every NIC of every drawn node, in document order, and on every link between
    two switches (a link with a NIC at an end is already seen whole by that NIC's capture). A
    name the document's captures already use is left as it is."""
    for spec in nodes:
        node = ctx.host(spec["id"])
        for nic in spec.get("nics", []):
            if node is not None and nic["name"] in node.nics and f"{spec['id']}_{nic['name']}" not in ctx.captures:
                ctx.capture_nic(spec["id"], nic["name"])
    for spec in links:
        if "nic" not in spec["a"] and "nic" not in spec["b"] and spec["id"] not in ctx.captures:
            ctx.capture_link(spec["id"])
