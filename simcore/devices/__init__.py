"""Assembled nodes: switches and host-like nodes (host, vm, container, outside_host, internet).

Contract of this layer:

- Every device has ``id``, ``name``, ``kind`` and ``has_stack``; ``table()`` returns its state at
  the current instant as a JSON-friendly dict (a switch's forwarding table, a node's addresses,
  routes and ARP cache).
- Host-like nodes own NICs (``simcore.net.Nic``), a stack (``simcore.stack.Stack``) and a console
  (``simcore.apps.Console``). The ``internet`` node is a host-like router that answers pings for
  any address (see :mod:`simcore.devices.internet`).
- Devices are built by ``simcore.network.Network`` from a normalized design document.
"""

from simcore.devices.host import HostNode
from simcore.devices.internet import InternetNode
from simcore.devices.switch import Switch

__all__ = ["HostNode", "InternetNode", "Switch"]
