"""Layer 3 of a node, as Linux does it: addresses, routes, the ARP cache, ICMP, forwarding.

Contract of this layer:

- :class:`Stack` receives frames from its NICs (``nic.handler``) and sends through them; it never
  touches links or other nodes. Time comes from the engine, randomness from ``engine.rng``.
- Upper layers plug in through sockets (``udp_bind``, ``icmp_bind``), protocol handlers
  (``stack.protocols[proto]``) and netfilter-like hook lists (``prerouting``, ``input``,
  ``forward``, ``output``, ``postrouting``) -- the seams DHCP, TCP and NAT use.
- Every drop is traced with a reason code (``packet.dropped``); ARP state changes are traced
  (``arp.entry``); see docs/trace-events.md.
- The ARP cache (:class:`NeighbourTable`) is a pure state machine returning actions
  (``neighbour_actions``); ``arp.py`` carries them out on the stack. An application puts an
  entry in with ``Stack.add_neighbour``.
"""

from simcore.stack.iface import Iface
from simcore.stack.ipv4 import Stack
from simcore.stack.neighbour import NeighbourTable
from simcore.stack.neighbour_actions import NudState
from simcore.stack.routes import Route, RoutingTable

__all__ = ["Iface", "NeighbourTable", "NudState", "Route", "RoutingTable", "Stack"]
