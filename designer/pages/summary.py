"""The design as text: rows of nodes and links shown under the canvas.

Canvas content is not DOM, so screen-reader users (and anyone without the bundle) read the design
from these tables. Like the thumbnail, it tolerates any JSON and never raises.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

# A page of 10,000 rows helps nobody; the canvas and the export carry the rest.
MAX_ROWS = 500


@dataclass(frozen=True, slots=True)
class NodeRow:
    id: str
    name: str
    kind: str
    host: str
    addresses: str


@dataclass(frozen=True, slots=True)
class LinkRow:
    id: str
    a: str
    b: str


def _list(document: object, key: str) -> list:
    value = document.get(key) if isinstance(document, dict) else None
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def node_rows(document: object) -> list[NodeRow]:
    rows = []
    for node in _list(document, "nodes")[:MAX_ROWS]:
        if not isinstance(node, dict):
            continue
        nics = node.get("nics") if isinstance(node.get("nics"), list) else []
        addresses = ", ".join(
            f"{_text(nic.get('name'))} {nic['ip']}".strip()
            for nic in nics
            if isinstance(nic, dict) and isinstance(nic.get("ip"), str)
        )
        node_id = _text(node.get("id"))
        rows.append(NodeRow(node_id, _text(node.get("name")) or node_id, _text(node.get("kind")), _text(node.get("host")), addresses))
    return rows


def _end(end: object) -> str:
    if not isinstance(end, dict):
        return ""
    node, nic = _text(end.get("node")), _text(end.get("nic"))
    return f"{node} {nic}" if nic else node


def link_rows(document: object) -> list[LinkRow]:
    return [
        LinkRow(_text(link.get("id")), _end(link.get("a")), _end(link.get("b")))
        for link in _list(document, "links")[:MAX_ROWS]
        if isinstance(link, dict)
    ]


MAX_PROBLEMS = 50
# validate + check take about a second per 1,000 nodes (measured: 0.9 s + 0.2 s for 1,020 nodes),
# so findings are cached. The key is the document's content, not (design id, version): ids are
# reused after a database reset while a Redis cache lives on, and a stale finding would mislead.
PROBLEMS_CACHE_S = 24 * 3600


def design_problems(document: object) -> list[dict]:
    """What the design page lists under "Checks": the schema and reference problems if the stored
    document no longer validates (a schema grown stricter since it was saved), else the design
    checks of `simcore.design.check` (errors, warnings, info), as `{code, path, msg, severity}`."""
    from simcore.design import check, validate

    problems = validate(document)
    if not problems:
        problems = check(document)
    return [p.to_dict() for p in problems[:MAX_PROBLEMS]]


def cached_design_problems(document: object) -> list[dict]:
    from django.core.cache import cache

    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = "designer:problems:" + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
    problems = cache.get(key)
    if problems is None:
        problems = design_problems(document)
        cache.set(key, problems, PROBLEMS_CACHE_S)
    return problems
