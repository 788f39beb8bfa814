"""How a place in a design document is written: ``nodes[3].nics[0].mac``.

One spelling for schema errors, reference problems, checks and the strict JSON parser, so the
browser can find the object a message is about with one small parser of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def format_path(elements: Iterable[str | int]) -> str:
    """``("nodes", 3, "mac")`` -> ``nodes[3].mac``; the document root is ``""``.

    A key that is not a plain identifier is written ``["a key"]`` (JSON-quoted) so that the
    spelling can always be read back.
    """
    out: list[str] = []
    for element in elements:
        if isinstance(element, int) and not isinstance(element, bool):
            out.append(f"[{element}]")
        elif _IDENT.fullmatch(element):
            out.append(f".{element}" if out else element)
        else:
            out.append(f"[{json.dumps(element, ensure_ascii=False)}]")
    return "".join(out)


# The top-level fields in the order a document is written and read.
_TOP_ORDER = {
    name: rank
    for rank, name in enumerate(("version", "name", "description", "nodes", "links", "captures", "script"))
}


def path_sort_key(elements: Iterable[str | int]) -> tuple[tuple[int, int, str], ...]:
    """Order paths as a reader would: ``nodes`` before ``links``, ``nodes[2]`` before ``nodes[10]``,
    parents before children."""
    key = []
    for depth, element in enumerate(elements):
        if isinstance(element, int) and not isinstance(element, bool):
            key.append((0, element, ""))
        elif depth == 0:
            key.append((1, _TOP_ORDER.get(element, len(_TOP_ORDER)), element))
        else:
            key.append((1, 0, element))
    return tuple(key)
