"""Ports and NICs: where a device meets a link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Port:
    """One attachment point of a device. ``handler(port, frame)`` receives delivered frames."""

    __slots__ = ("node", "name", "link", "handler", "_taps", "number", "carrier")

    def __init__(self, node: Any, name: str, number: int = 0):
        if not name:
            raise ValueError(f"a port needs a name, got {name!r}")
        self.node = node
        self.name = name
        self.number = number
        self.link = None
        self.handler: Callable[[Port, Any], None] | None = None
        self._taps: list | tuple = ()  # see ``taps``
        # False while the device at this end is not running (a VM powered off or saved): a switch
        # port without carrier is disabled, as a Linux bridge port whose link is down.
        self.carrier = True

    @property
    def taps(self) -> list:
        """Capture objects on this port (see Capture.attach_port); the list is made for the first."""
        taps = self._taps
        if taps.__class__ is not list:
            taps = self._taps = []
        return taps

    @property
    def peer(self) -> Port | None:
        """The port at the other end of the link, if connected."""
        link = self.link
        if link is None:
            return None
        return link.b if link.a is self else link.a

    def send(self, frame: Any) -> bool:
        """Put ``frame`` on the link. False when the port is not connected (frame lost)."""
        link = self.link
        if link is None:
            return False
        if self._taps:
            for tap in self._taps:
                tap.record(frame)
        link.transmit(self, frame)
        return True

    def deliver(self, frame: Any) -> None:
        """Called by the link when a frame arrives at this port."""
        if self._taps:
            for tap in self._taps:
                tap.record(frame)
        handler = self.handler
        if handler is not None:
            handler(self, frame)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self.node, 'id', self.node)}:{self.name}>"


class Nic(Port):
    """A network interface card: a port with a MAC address (lowercase, colon separated)."""

    __slots__ = ("mac",)

    def __init__(self, node: Any, name: str, mac: str, number: int = 0):
        super().__init__(node, name, number)
        if len(mac) != 17 or mac != mac.lower() or mac.count(":") != 5:
            raise ValueError(f"not a lowercase colon-separated MAC address: {mac!r}")
        self.mac = mac
