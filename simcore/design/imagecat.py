"""The image catalogue (``images.json``, next to the schema): what an image reference names.

One data file for the engine (``simcore.virt.images``: ``lxc launch``, ``docker run``, the
consoles' ``lxc image list images:`` and ``docker search``), the design checks (a drawn
container's image and its host's kernel) and the editor's image picker. This module only reads it:
``rows()`` are the file's image rows, ``os_of(ref)`` the OS family an image reference names.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CATALOGUE = Path(__file__).resolve().with_name("images.json")


@cache
def _rows() -> tuple[dict, ...]:
    return tuple(json.loads(CATALOGUE.read_text(encoding="utf-8"))["images"])


def rows() -> list[dict]:
    """The catalogue's image rows, in the file's order (copies: callers may change them)."""
    return [dict(row) for row in _rows()]


def reference(row: dict) -> str:
    """How a row is named: ``nginx:1.27`` (Docker), ``images:ubuntu/24.04`` (LXD)."""
    if row["runtime"] == "lxd":
        return f"{row['remote']}:{row['alias']}"
    return f"{row['repository']}:{row['tag']}"


def find(ref: str) -> dict | None:
    """The row ``ref`` names: ``REMOTE:ALIAS`` for LXD, ``[docker.io/library/]NAME[:TAG]`` for
    Docker (no tag: ``latest``, the catalogue's tag of that repository)."""
    ref = ref.strip()
    for row in _rows():
        if row["runtime"] == "lxd" and ":" in ref:
            remote, alias = ref.split(":", 1)
            if row["remote"] == remote and alias in (row["alias"], *row.get("aliases", [])):
                return dict(row)
    name, tag = ref, "latest"
    if ":" in ref.rsplit("/", 1)[-1]:
        name, tag = ref.rsplit(":", 1)
    for prefix in ("docker.io/library/", "library/", "docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    for row in _rows():
        if row["runtime"] == "docker" and row["repository"] == name and tag in (row["tag"], "latest"):
            return dict(row)
    return None


def os_of(ref: str) -> str | None:
    row = find(ref)
    return row["os"] if row is not None else None
