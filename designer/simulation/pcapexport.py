"""pcap export of a run: one capture point as classic pcap (simcore's `Capture.pcap_bytes`), or
all of them as one pcapng with one interface per capture point (its name in `if_name`), the
packets merged in time order (Wireshark shows them interleaved, each with its interface)."""

from __future__ import annotations

import heapq
import io

from simcore.packets.pcap import PcapngWriter


def all_captures_pcapng(captures: dict) -> bytes:
    buf = io.BytesIO()
    writer = PcapngWriter(buf)
    streams = []
    for name, cap in captures.items():
        iface = writer.add_interface(name)
        # (t, interface, index) keeps the merge deterministic for frames at the same instant.
        streams.append([(t, iface, i, frame) for i, (t, frame) in enumerate(cap.records)])
    for t, iface, _i, frame in heapq.merge(*streams, key=lambda r: (r[0], r[1], r[2])):
        writer.write(iface, t, frame)
    return buf.getvalue()
