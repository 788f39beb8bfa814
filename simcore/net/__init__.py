"""Layer 1 and the bottom of layer 2: ports, NICs, links and capture points.

Contract of this layer:

- A :class:`Port` belongs to a device (``node``), has a ``name`` and at most one ``link``. The
  device hands frames down with ``port.send(frame)`` and receives them up through the callback
  ``port.handler(port, frame)`` (ns-3's NetDevice receive callback).
- A :class:`Nic` is a port with a MAC address (hosts, VMs, routers). A switch port has none.
- A :class:`Link` joins two ports with a one-way propagation delay; ``transmit`` delivers the frame
  to the other end ``delay_ns`` later. Serialisation time and loss are not modelled.
- Frames are frozen value objects (``simcore.packets.Ethernet``); nothing here emits bytes except
  :class:`Capture`, when a pcap is written.
- A :class:`Capture` on a NIC or a link records every frame crossing it, both directions, with the
  engine timestamp, in order.
"""

from simcore.net.capture import Capture
from simcore.net.link import Link
from simcore.net.port import Nic, Port

__all__ = ["Capture", "Link", "Nic", "Port"]
