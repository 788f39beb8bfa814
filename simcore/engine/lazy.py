"""Tables made when code first asks for them.

Most objects of a big run never get a hook, a socket, a listener or a pulled cable: an
:class:`OnFirstUse` attribute keeps none until then, so a hundred containers on one host do not
each keep a handful of empty lists and dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class OnFirstUse:
    """A list or dict attribute made when code first asks for it (to add to it, or to read it):
    until then the object reads the class's shared, empty (or built-in) default, kept as the class
    attribute ``_own_<name>``. ``obj.<name>`` always gives the object's own, mutable one, made by
    ``make(default)``; code on a hot path may read ``obj._own_<name>`` to look without making it."""

    def __init__(self, make: Callable[[Any], Any]):
        self.make = make

    def __set_name__(self, owner: type, name: str) -> None:
        self.private = "_own_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj, self.private)
        if value.__class__ is not list and value.__class__ is not dict:  # still the class's default
            value = self.make(value)
            setattr(obj, self.private, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj, self.private, value)
