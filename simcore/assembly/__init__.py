"""simcore.assembly — from a design document to a network of devices.

Contract of this layer:

- ``BuildContext`` (``context.py``) is the network being built: the engine, the tracer, names
  for sentences, and every node, link, capture point, NAT network, service and bridge made so
  far. Builders add to it only through its typed methods (``add_node``, ``add_nic``,
  ``connect``, ``capture_nic``...), which refuse an id already taken with a message naming
  what holds it.
- ``assemble(ctx, doc)`` (``build.py``) builds a normalized document in a fixed order; every build
  problem is a ``Problem`` (``build.<what>`` at a document path), raised as one ``DesignError``.
- One module per thing built: ``nodes.py`` (nodes, NICs, routes), ``links.py`` (links, captures),
  ``services.py``, ``natnet.py`` (drawn NAT networks), ``switches.py`` (bridged and distributed
  switches) and ``vbox/`` (VirtualBox's NIC attachment modes, one module each).
- Devices (``simcore.devices``) never see the network or the document's layout beyond their own
  spec: they get typed objects (a host, a switch, names) from here.
- Adding one node to a running network is the same calls on the same context (docs/design.md,
  "Assembly: from a document to devices").
"""

from simcore.assembly.build import assemble
from simcore.assembly.context import BuildContext, Node

__all__ = ["BuildContext", "Node", "assemble"]
