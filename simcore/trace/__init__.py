"""The trace: what the engine tells the world, one event per thing that happened.

Contract (documented kind by kind in docs/trace-events.md):

- An event is a plain JSON-friendly dict. It always starts with ``seq`` (int, from 1, no gaps),
  ``t`` (int, simulated nanoseconds) and ``kind`` (dotted, e.g. ``frame.sent``), then where it
  happened (``node``, ``nic``, ``port``, ``link``), fields of the kind, ``text`` (one plain sentence
  naming the user's devices) and, when a frame is involved, ``summary`` (Wireshark-like),
  ``layers`` (``simcore.packets.layers``) and ``frame`` (the wire bytes in hex).
- Same design + seed + actions -> the same events, byte for byte, as JSON lines.
- Sinks: ``None`` (nothing is built: the devices test ``tracer.on`` before building an event), a
  ``list`` (tests), a callable receiving batches, :class:`JsonLinesSink` (serialises in batches),
  :class:`RingSink` (keeps the last N). Nothing is retained unless the sink retains it.
"""

from simcore.trace.sinks import CallbackSink, JsonLinesSink, RingSink, dumps_event
from simcore.trace.tracer import Tracer

__all__ = ["Tracer", "CallbackSink", "JsonLinesSink", "RingSink", "dumps_event"]
