"""Small records read as the dicts they stand for.

A run keeps one fact for every command line a console ran and one entry in its action log for
every line typed: a dict each (184 bytes however few its keys), a hundred of them for a hundred
``lxc launch`` lines. A :class:`Record` keeps the values in slots and reads as that dict:
``r["t"]``, ``r.get("kind")``, ``"exit" in r``, ``dict(r)``, ``{**r}`` and ``r == {...}`` (either
way round) give what the dict gave, its keys in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class Record(Mapping):
    """A fixed-key mapping: ``KEYS`` in order, each read from the attribute of that name (a slot,
    or a class attribute for a key whose value every record of the class shares)."""

    __slots__ = ()
    KEYS: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        if key in self.KEYS:
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)

    def __repr__(self) -> str:
        return repr(dict(self))
