"""Capture points: every frame crossing a NIC or a link, both directions, with its time."""

from __future__ import annotations

import copy
import io
from typing import Any

from simcore.engine import Engine
from simcore.packets import PcapWriter


class Capture:
    """Records ``(t_ns, frame)`` pairs; bytes are emitted only when the pcap is written."""

    __slots__ = ("name", "engine", "records")

    def __init__(self, engine: Engine, name: str):
        self.name = name  # file stem: "<node>_<nic>" or "<link>"
        self.engine = engine
        self.records: list[tuple[int, Any]] = []

    def __deepcopy__(self, memo: dict) -> Capture:
        # A fork (checkpoint) copies the list, not the frames: they are frozen values, and a live
        # run captures every NIC, so copying each frame per checkpoint would multiply memory.
        twin = Capture.__new__(Capture)
        memo[id(self)] = twin
        twin.name = self.name
        twin.engine = copy.deepcopy(self.engine, memo)
        twin.records = list(self.records)
        return twin

    def record(self, frame: Any) -> None:
        self.records.append((self.engine.now, frame))

    @property
    def filename(self) -> str:
        return f"{self.name}.pcap"

    def pcap_bytes(self) -> bytes:
        """A classic pcap (Ethernet link type, nanosecond timestamps) of everything recorded."""
        buf = io.BytesIO()
        writer = PcapWriter(buf)
        for t, frame in self.records:
            writer.write(t, frame)
        return buf.getvalue()

    def write(self, path: str) -> None:
        with open(path, "wb") as f:
            f.write(self.pcap_bytes())
