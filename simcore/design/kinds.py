"""The registry of node kinds, read from schema.json.

Every fact about a kind lives in its ``$defs/kind_<id>`` entry of the schema (see
``simcore.design.annotations`` for what each keyword means); the browser reads the same entries
(static/src/model/kinds.js). The palette, the reference checks (what a ``host`` field may name,
which link ends need a NIC), the design checks and the engine's device factory are driven from
``KINDS``, never from kind names spelled elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from simcore.design.annotations import annotation_problems, kind_ids
from simcore.design.schema_errors import load_schema


@dataclass(frozen=True, slots=True)
class Kind:
    """What the designer knows about one kind of node."""

    id: str
    label: str
    description: str
    icon: str
    # A kind with NICs has an IP stack: nics, routes, ip_forward, services.
    has_nics: bool
    # Kinds whose id this kind's `host` field may name (empty: the kind has no `host` field).
    placed_on: tuple[str, ...]
    # A switch grows a port per link, so a link end on it names no NIC.
    is_switch: bool
    # Whether the `host` field is required (a VM cannot exist outside a hypervisor).
    placement_required: bool = False
    # New nodes are named prefix1, prefix2...
    prefix: str = ""
    # The properties panel's fields, in order (after Name).
    panel: tuple[str, ...] = ()


def kinds_from_schema(schema: dict) -> MappingProxyType[str, Kind]:
    """The kinds of ``schema`` in palette order; ValueError listing every problem of a broken one."""
    problems = annotation_problems(schema)
    if problems:
        raise ValueError("the design schema does not describe its kinds: " + "; ".join(problems))
    kinds = {}
    for kind in kind_ids(schema):
        spec = schema["$defs"][f"kind_{kind}"]
        has_nics = "nics" in spec["properties"]
        kinds[kind] = Kind(
            id=kind,
            label=spec["title"],
            description=spec["description"],
            icon=spec["x-icon"],
            has_nics=has_nics,
            placed_on=tuple(spec["x-placed-on"]),
            is_switch=not has_nics,
            placement_required="host" in spec.get("required", []),
            prefix=spec["x-id-prefix"],
            panel=tuple(spec["x-panel"]),
        )
    # A read-only mapping: iteration order is the schema's kind enum, the palette's order.
    return MappingProxyType(kinds)


KINDS: MappingProxyType[str, Kind] = kinds_from_schema(load_schema())

SWITCH_KINDS: tuple[str, ...] = tuple(k.id for k in KINDS.values() if k.is_switch)
NIC_KINDS: tuple[str, ...] = tuple(k.id for k in KINDS.values() if k.has_nics)
