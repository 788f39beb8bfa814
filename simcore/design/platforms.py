"""Hypervisor platforms and types, explained in a sentence or two, read from the design schema.

The facts live once, in ``schema.json``: the ``x-choices`` of ``$defs/kind_host/properties/platform``
(each platform's friendly name, its sentence, the hypervisor types it is, whether its type is
debated) and of ``.../hypervisor_type`` (each type's name and sentence; type 2's ``host_os_mb``, what
the host OS keeps for itself). The editor reads the same entries (static/src/editor/platforms.js).

``explain(platform, hypervisor_type)`` gives the sentences for a host; ``contradiction`` the one
sentence when the two disagree (VirtualBox as type 1), which ``checks.py`` reports;
``HOST_OS_RESERVE_MB`` is what a type 2 host's own operating system keeps for itself, which the
RAM over-commit check counts before the VMs.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from simcore.design.schema_errors import load_schema


@dataclass(frozen=True, slots=True)
class Platform:
    id: str
    label: str
    types: tuple[int, ...]  # the hypervisor types it is
    text: str
    debated: bool = False  # its type is a matter of debate (KVM)


@dataclass(frozen=True, slots=True)
class HypervisorType:
    id: int
    label: str
    text: str
    host_os_mb: int = 0  # RAM the host OS keeps for itself (type 2)


def choices(prop: dict) -> list[dict]:
    """A property's ``x-choices`` entries, ValueError unless there is one per enum value, in order."""
    found = prop.get("x-choices")
    if not isinstance(found, list) or [c.get("value") for c in found if isinstance(c, dict)] != prop.get("enum"):
        raise ValueError(f"x-choices of {prop.get('title')!r} do not list its enum {prop.get('enum')!r} in order")
    return found


def _read(schema: dict) -> tuple[MappingProxyType, MappingProxyType]:
    host = schema["$defs"]["kind_host"]["properties"]
    platforms = {
        c["value"]: Platform(c["value"], c["title"], tuple(c["types"]), c["description"], bool(c.get("debated", False)))
        for c in choices(host["platform"])
    }
    types = {
        c["value"]: HypervisorType(c["value"], c["title"], c["description"], int(c.get("host_os_mb", 0)))
        for c in choices(host["hypervisor_type"])
    }
    return MappingProxyType(platforms), MappingProxyType(types)


PLATFORMS, HYPERVISOR_TYPES = _read(load_schema())
# The sentence for each type, by its number.
TYPES = MappingProxyType({t.id: t.text for t in HYPERVISOR_TYPES.values()})
# A desktop Linux or Windows under a type 2 hypervisor needs about this much for itself.
HOST_OS_RESERVE_MB = HYPERVISOR_TYPES[2].host_os_mb


def contradiction(platform: str | None, hypervisor_type: int | None) -> str | None:
    """The sentence saying ``platform`` is not a ``hypervisor_type`` hypervisor, or None when they agree."""
    known = PLATFORMS.get(platform) if platform else None
    if known is None or hypervisor_type not in TYPES or hypervisor_type in known.types:
        return None
    return (f"{known.label} is not a type {hypervisor_type} hypervisor: it is type "
            f"{' or '.join(str(t) for t in known.types)}.")


def explain(platform: str | None, hypervisor_type: int | None) -> list[str]:
    """The sentences for a host: its platform, its type, and a note when the two disagree."""
    out = []
    known = PLATFORMS.get(platform) if platform else None
    if known is not None:
        out.append(known.text)
    if hypervisor_type in TYPES:
        out.append(TYPES[hypervisor_type])
        note = contradiction(platform, hypervisor_type)
        if note:
            out.append(note)
    return out
