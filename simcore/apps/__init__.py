"""Applications over a node's stack: pure logic, time passed in.

- ``simcore.apps.console``: the console of a node, its command registry and commands (``ping``,
  ``ip``, ``arp``, ``help``).
- Protocol state machines over the stack (DHCP, TCP, UDP sockets, HTTP, curl): they know nothing
  of interfaces or the engine; glue in the devices layer maps their actions onto a stack.

This package's ``__init__`` imports nothing, so each application is loaded only where it is used.
"""
