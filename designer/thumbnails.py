"""Inline SVG thumbnails of a design, drawn from its document's node positions and links.

The home page and the example gallery show one per design. It is drawn here, on the server, from
the document itself (no stored image that could go stale, no placeholder): hosts as boxes around
the VMs, containers and virtual switches placed on them, other nodes as marks shaped by kind, and a
line per link. Colours are CSS classes (`static/css/site.css`) so the light and dark themes apply.

The input may be any JSON value (a stored document predates later schema rules, an import may be
odd): this module never raises on it; what cannot be drawn is left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 160
HEIGHT = 100
PADDING = 10
# A thumbnail is a glance: past these counts the extra marks are invisible and only cost bytes.
MAX_NODES = 300
MAX_LINKS = 600
HOST_MARGIN = 4.0
MARK = 4.0


@dataclass(frozen=True, slots=True)
class Mark:
    """One node reduced to what the thumbnail draws."""

    id: str
    kind: str
    x: float
    y: float
    host: str | None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _marks(document: object) -> list[Mark]:
    """The first MAX_NODES nodes with an id; nodes without a position go on a circle, in order."""
    nodes = document.get("nodes") if isinstance(document, dict) else None
    if not isinstance(nodes, list):
        return []
    nodes = [n for n in nodes if isinstance(n, dict) and isinstance(n.get("id"), str)][:MAX_NODES]
    host_ids = {n["id"] for n in nodes if n.get("kind") == "host"}
    marks = []
    for index, node in enumerate(nodes):
        position = node.get("position")
        x = y = None
        if isinstance(position, dict):
            x, y = _number(position.get("x")), _number(position.get("y"))
        if x is None or y is None:
            # Deterministic fallback: the node's index on a circle, so the same document always
            # gives the same picture.
            angle = 2 * math.pi * index / max(len(nodes), 1)
            x, y = 100 * math.cos(angle), 100 * math.sin(angle)
        host = node.get("host")
        kind = node.get("kind") if isinstance(node.get("kind"), str) else "unknown"
        # Whatever is placed on a host (VMs, containers, switches, NAT networks) sits inside it.
        placed = host if host in host_ids and host != node["id"] else None
        marks.append(Mark(node["id"], kind, x, y, placed))
    return marks


def _host_boxes(marks: list[Mark]) -> dict[str, tuple[float, float, float, float]]:
    """Box (min x, min y, max x, max y) of each host: around its children, else around itself."""
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for mark in marks:
        if mark.host is None:
            continue
        x0, y0, x1, y1 = boxes.get(mark.host, (mark.x, mark.y, mark.x, mark.y))
        boxes[mark.host] = (min(x0, mark.x), min(y0, mark.y), max(x1, mark.x), max(y1, mark.y))
    for mark in marks:
        if mark.kind == "host" and mark.id not in boxes:
            boxes[mark.id] = (mark.x, mark.y, mark.x, mark.y)
    return boxes


def _links(document: object, known: dict[str, Mark]) -> list[tuple[Mark, Mark]]:
    links = document.get("links") if isinstance(document, dict) else None
    if not isinstance(links, list):
        return []
    pairs = []
    for link in links[:MAX_LINKS]:
        if not isinstance(link, dict):
            continue
        a, b = link.get("a"), link.get("b")
        if not isinstance(a, dict) or not isinstance(b, dict):
            continue
        ends = known.get(a.get("node")), known.get(b.get("node"))  # type: ignore[arg-type]
        if ends[0] is not None and ends[1] is not None:
            pairs.append((ends[0], ends[1]))
    return pairs


def _spans(document: object, known: dict[str, Mark]) -> list[tuple[Mark, str]]:
    """(distributed switch, member host id) pairs: the hosts each distributed switch spans."""
    nodes = document.get("nodes") if isinstance(document, dict) else None
    if not isinstance(nodes, list):
        return []
    pairs = []
    for node in nodes:
        if (
            not isinstance(node, dict)
            or node.get("kind") != "distributed_switch"
            or node.get("id") not in known
        ):
            continue
        members = node.get("members")
        for member in members if isinstance(members, list) else []:
            host = member.get("host") if isinstance(member, dict) else None
            if isinstance(host, str) and host in known and known[host].kind == "host":
                pairs.append((known[node["id"]], host))
    return pairs


class _Scale:
    """Maps design coordinates into the thumbnail's viewBox, keeping the aspect ratio."""

    def __init__(self, x0: float, y0: float, x1: float, y1: float):
        self.factor = min(
            (WIDTH - 2 * PADDING) / max(x1 - x0, 1.0), (HEIGHT - 2 * PADDING) / max(y1 - y0, 1.0)
        )
        self.dx = PADDING + ((WIDTH - 2 * PADDING) - (x1 - x0) * self.factor) / 2 - x0 * self.factor
        self.dy = PADDING + ((HEIGHT - 2 * PADDING) - (y1 - y0) * self.factor) / 2 - y0 * self.factor

    def x(self, value: float) -> str:
        return f"{value * self.factor + self.dx:.1f}"

    def y(self, value: float) -> str:
        return f"{value * self.factor + self.dy:.1f}"


def _shape(mark: Mark, scale: _Scale) -> str:
    x, y = scale.x(mark.x), scale.y(mark.y)
    cls = f"thumb-node thumb-{escape(mark.kind)}"
    if mark.kind in ("vswitch", "lan_switch"):
        cx, cy = float(x), float(y)
        points = f"{cx:.1f},{cy - MARK:.1f} {cx + MARK:.1f},{cy:.1f} {cx:.1f},{cy + MARK:.1f} {cx - MARK:.1f},{cy:.1f}"
        return f'<polygon class="{cls}" points="{points}"/>'
    if mark.kind in ("vm", "container", "outside_host"):
        return (
            f'<rect class="{cls}" x="{float(x) - MARK:.1f}" y="{float(y) - MARK:.1f}" '
            f'width="{2 * MARK:.1f}" height="{2 * MARK:.1f}" rx="1"/>'
        )
    return f'<circle class="{cls}" cx="{x}" cy="{y}" r="{MARK:.1f}"/>'


def thumbnail_svg(document: object, *, title: str = "") -> SafeString:
    """An inline `<svg>` picture of the design; `title` names it for screen readers."""
    marks = _marks(document)
    label = escape(f"Thumbnail of {title}" if title else "Design thumbnail")
    head = (
        f'<svg class="thumb" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg">'
    )
    if not marks:
        empty = f'<text class="thumb-empty" x="{WIDTH / 2:.0f}" y="{HEIGHT / 2:.0f}" text-anchor="middle">empty design</text>'
        return mark_safe(head + empty + "</svg>")  # noqa: S308 - every value above is escaped or numeric
    boxes = _host_boxes(marks)
    xs = (
        [m.x for m in marks]
        + [b[0] - 2 * HOST_MARGIN for b in boxes.values()]
        + [b[2] + 2 * HOST_MARGIN for b in boxes.values()]
    )
    ys = (
        [m.y for m in marks]
        + [b[1] - 2 * HOST_MARGIN for b in boxes.values()]
        + [b[3] + 2 * HOST_MARGIN for b in boxes.values()]
    )
    scale = _Scale(min(xs), min(ys), max(xs), max(ys))
    parts = [head]
    pad = HOST_MARGIN + MARK
    for host_id in sorted(boxes):
        x0, y0, x1, y1 = boxes[host_id]
        left, top = float(scale.x(x0)) - pad, float(scale.y(y0)) - pad
        right, bottom = float(scale.x(x1)) + pad, float(scale.y(y1)) + pad
        parts.append(
            f'<rect class="thumb-host" x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" '
            f'height="{bottom - top:.1f}" rx="3"/>'
        )
    known = {m.id: m for m in marks}
    for a, b in _links(document, known):
        parts.append(
            f'<line class="thumb-link" x1="{scale.x(a.x)}" y1="{scale.y(a.y)}" x2="{scale.x(b.x)}" y2="{scale.y(b.y)}"/>'
        )
    # A distributed switch: a dashed line to the middle of each host it spans.
    for switch, host in _spans(document, known):
        x0, y0, x1, y1 = boxes.get(host, (known[host].x, known[host].y, known[host].x, known[host].y))
        parts.append(
            f'<line class="thumb-link thumb-span" stroke-dasharray="3 2" x1="{scale.x(switch.x)}" y1="{scale.y(switch.y)}" '
            f'x2="{scale.x((x0 + x1) / 2)}" y2="{scale.y((y0 + y1) / 2)}"/>'
        )
    for mark in marks:
        if mark.kind != "host" or mark.id not in boxes:
            parts.append(_shape(mark, scale))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric
