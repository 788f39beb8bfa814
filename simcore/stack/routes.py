"""The IPv4 routing table: connected, static and default routes, longest-prefix match."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPv4Network = ipaddress.IPv4Network


@dataclass(frozen=True, slots=True)
class Route:
    """One route. ``via`` None means on-link (the destination itself is the next hop)."""

    dest: IPv4Network
    dev: str
    via: str | None = None
    proto: str = "static"  # "kernel" for the connected route Linux adds with an address
    src: str | None = None  # preferred source (connected routes)
    metric: int = 0

    @property
    def is_default(self) -> bool:
        return self.dest.prefixlen == 0

    def line(self) -> str:
        """The route as ``ip route`` prints it (iproute2 6.x, main table)."""
        words = ["default" if self.is_default else str(self.dest)]
        if self.via is not None:
            words += ["via", self.via]
        words += ["dev", self.dev]
        if self.proto == "kernel":
            words += ["proto", "kernel", "scope", "link"]
        elif self.via is None:
            words += ["scope", "link"]
        if self.src is not None:
            words += ["src", self.src]
        if self.metric:
            words += ["metric", str(self.metric)]
        return " ".join(words)

    def to_dict(self) -> dict:
        return {"to": "default" if self.is_default else str(self.dest), "via": self.via, "dev": self.dev,
                "proto": self.proto, "src": self.src, "metric": self.metric}


class RoutingTable:
    """Routes kept sorted by prefix length (longest first), then metric, then insertion order.

    The routes are a tuple, replaced by every change (a host has two or three, changed when a
    lease comes or goes): no list's spare room is kept for each of a hundred containers."""

    __slots__ = ("_routes", "_sorted", "_cache")

    def __init__(self) -> None:
        self._routes: tuple[Route, ...] = ()
        self._sorted: tuple[Route, ...] | list[Route] = self._routes  # in lookup order (see _rebuild)
        self._cache: dict[str, Route | None] | None = None  # destination -> route, made by the first lookup

    def add(self, route: Route) -> None:
        for r in self._routes:
            if r.dest == route.dest and r.metric == route.metric:
                # Linux refuses the same prefix and metric twice ("RTNETLINK answers: File exists").
                raise ValueError(f"route to {route.dest} (metric {route.metric}) already exists")
        self._routes = (*self._routes, route)
        self._rebuild()

    def remove(self, dest: IPv4Network) -> list[Route]:
        gone = [r for r in self._routes if r.dest == dest]
        self._routes = tuple(r for r in self._routes if r.dest != dest)
        self._rebuild()
        return gone

    def remove_dev(self, dev: str, proto: str | None = None) -> None:
        self._routes = tuple(r for r in self._routes if not (r.dev == dev and (proto is None or r.proto == proto)))
        self._rebuild()

    def _rebuild(self) -> None:
        routes = self._routes
        ordered = sorted(routes, key=lambda r: (-r.dest.prefixlen, r.metric))
        # Routes added in lookup order (a connected route, then the default) need no second list:
        # every change to _routes rebuilds this at once.
        same = all(a is b for a, b in zip(ordered, routes, strict=True))
        self._sorted = routes if same else ordered
        self._cache = None

    def lookup(self, dst: str) -> Route | None:
        """The most specific route to ``dst`` (RFC 1812 5.2.4.3), or None."""
        cache = self._cache
        if cache is None:
            cache = self._cache = {}
        elif dst in cache:
            return cache[dst]
        value = int(ipaddress.IPv4Address(dst))
        found = None
        for route in self._sorted:
            dest = route.dest
            if value & int(dest.netmask) == int(dest.network_address):
                found = route
                break
        if len(cache) < 4096:
            cache[dst] = found
        return found

    def routes(self) -> list[Route]:
        """Routes in the order ``ip route`` lists them: default first, then by network."""
        return sorted(self._routes, key=lambda r: (int(r.dest.network_address), r.dest.prefixlen, r.metric))

    def lines(self) -> list[str]:
        return [r.line() for r in self.routes()]
