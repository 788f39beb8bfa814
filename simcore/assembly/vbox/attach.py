"""Attaching every VM NIC that has a ``mode``: the one module that knows all five modes.

NICs are attached in document order, so the hidden switches' ports (and so every trace) are the
same on every run. A NIC with a mode that also has a drawn link is a problem: the mode already
attaches it. Whatever a mode's devices refuse (an id already taken, an address twice on the
host, a NIC already bridged) is a build problem at the NIC's path, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from simcore.assembly.context import BuildContext
from simcore.assembly.vbox import bridged, hostonly, internal, nat, natnetwork
from simcore.assembly.vbox.common import CODE, DEFAULT_NETWORK, ModeNic
from simcore.assembly.vbox.state import Attachment
from simcore.trace import Tracer

MODES: dict[str, Callable[[BuildContext, ModeNic], None]] = {
    "nat": nat.attach,
    "natnetwork": natnetwork.attach,
    "bridged": bridged.attach,
    "internal": internal.attach,
    "hostonly": hostonly.attach,
}


def linked_nics(links: Iterable[dict]) -> set[tuple[str, str]]:
    """``(node, nic)`` of every NIC at an end of a drawn link."""
    return {(end["node"], end["nic"]) for spec in links for end in (spec["a"], spec["b"]) if "nic" in end}


def attach_nic(ctx: BuildContext, at: ModeNic, linked: set[tuple[str, str]]) -> None:
    """Plug one mode NIC into what its mode gives it (creating that the first time)."""
    if (at.node_id, at.name) in linked:
        ctx.report(CODE, at.path, f"{at.who} is in {at.mode} mode, which attaches it: remove the drawn link")
        return
    problems = len(ctx.problems)
    try:
        MODES[at.mode](ctx, at)
    except ValueError as exc:
        ctx.report(CODE, at.path, str(exc))
    if len(ctx.problems) == problems:
        ctx.vbox.wired[(at.node_id, at.name)] = wiring(at.mode, at.nic.get("network"))


def wiring(mode: str | None, network: str | None) -> tuple[str, str | None] | None:
    """What a NIC in ``mode`` on ``network`` is plugged into, comparable with ``VboxState.wired``:
    the network's name with VirtualBox's default filled in, none for NAT and bridged (a NAT NIC
    has its own engine; bridged mode uses the host's first NIC with a static address)."""
    if mode is None:
        return None
    return mode, (network or DEFAULT_NETWORK[mode]) if mode in DEFAULT_NETWORK else None


def attach_modes(ctx: BuildContext, doc: dict) -> None:
    """Attach every mode NIC of the normalized ``doc``, then say at t = 0 what each is attached to."""
    linked = linked_nics(doc["links"])
    for i, spec in enumerate(doc["nodes"]):
        for j, nic in enumerate(spec.get("nics", [])):
            if nic.get("mode") is not None:
                attach_nic(ctx, ModeNic(i, j, spec, nic), linked)
    natnetwork.add_pending_forwards(ctx)
    announce_attached(ctx, 0)


def announce_attached(ctx: BuildContext, t_ns: int) -> None:
    """Schedule the ``vbox.attached`` events of the NICs attached since the last call (one engine
    event, traced or not, so a traced and an untraced run count the same events)."""
    if ctx.vbox.attached:
        ctx.engine.at(t_ns, _announce, ctx.tracer, tuple(ctx.vbox.attached))
        ctx.vbox.attached.clear()


def _announce(tracer: Tracer, attached: tuple[Attachment, ...]) -> None:
    if tracer.on:
        for a in attached:
            tracer.emit("vbox.attached", a.text, node=a.node, nic=a.nic, mode=a.mode)
