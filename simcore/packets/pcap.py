"""Capture file writers: classic pcap and pcapng, both LINKTYPE_ETHERNET.

Time is passed in (integer nanoseconds of the engine clock), never read. Classic pcap uses the
nanosecond-resolution magic 0xa1b23c4d so no precision is lost; pcapng declares
``if_tsresol = 9`` (10^-9 s) on each interface. Both write little-endian to any binary file
object and never seek, so a socket or a pipe works as well as a file.

References: the pcap format (draft-ietf-opsawg-pcap), pcapng (draft-ietf-opsawg-pcapng).
"""

import struct
from typing import BinaryIO

LINKTYPE_ETHERNET = 1
PCAP_MAGIC_NS = 0xA1B23C4D
PCAP_MAGIC_US = 0xA1B2C3D4
DEFAULT_SNAPLEN = 262144  # what tcpdump and Wireshark use

_PCAP_HEADER = struct.Struct("<IHHiIII")
_PCAP_RECORD = struct.Struct("<IIII")

_SHB = 0x0A0D0D0A
_IDB = 0x00000001
_EPB = 0x00000006
_BYTE_ORDER_MAGIC = 0x1A2B3C4D
_OPT_ENDOFOPT = 0
_OPT_COMMENT = 1
_SHB_USERAPPL = 4
_IF_NAME = 2
_IF_TSRESOL = 9


def _frame_bytes(frame) -> bytes:
    return frame if isinstance(frame, (bytes, bytearray)) else frame.emit()


class PcapWriter:
    """Classic pcap with nanosecond timestamps; the header is written at construction."""

    def __init__(
        self,
        fileobj: BinaryIO,
        *,
        snaplen: int = DEFAULT_SNAPLEN,
        linktype: int = LINKTYPE_ETHERNET,
        nanoseconds: bool = True,
    ) -> None:
        self._f = fileobj
        self.snaplen = snaplen
        self._div = 1 if nanoseconds else 1000
        magic = PCAP_MAGIC_NS if nanoseconds else PCAP_MAGIC_US
        fileobj.write(_PCAP_HEADER.pack(magic, 2, 4, 0, 0, snaplen, linktype))

    def write(self, ts_ns: int, frame) -> None:
        """Append one frame (wire bytes or an object with ``emit()``) captured at ``ts_ns``."""
        if ts_ns < 0:
            raise ValueError(f"pcap: negative timestamp {ts_ns}")
        data = _frame_bytes(frame)
        sec, frac = divmod(ts_ns, 1_000_000_000)
        caplen = min(len(data), self.snaplen)
        self._f.write(_PCAP_RECORD.pack(sec, frac // self._div, caplen, len(data)))
        self._f.write(data[:caplen])


def _pad4(data: bytes) -> bytes:
    return data + bytes(-len(data) % 4)


def _option(code: int, value: bytes) -> bytes:
    return struct.pack("<HH", code, len(value)) + _pad4(value)


def _block(block_type: int, body: bytes) -> bytes:
    total = 12 + len(body)
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


class PcapngWriter:
    """pcapng: one Section Header Block, one Interface Description Block per interface
    (with ``if_name``), and Enhanced Packet Blocks."""

    def __init__(self, fileobj: BinaryIO, *, application: str = "netdesigner simcore") -> None:
        self._f = fileobj
        self._snaplens: list[int] = []
        options = _option(_SHB_USERAPPL, application.encode("utf-8")) + _option(_OPT_ENDOFOPT, b"")
        # Section length -1: unknown, so a reader must not try to skip the section.
        body = struct.pack("<IHHq", _BYTE_ORDER_MAGIC, 1, 0, -1) + options
        fileobj.write(_block(_SHB, body))

    def add_interface(
        self, name: str, *, snaplen: int = DEFAULT_SNAPLEN, linktype: int = LINKTYPE_ETHERNET
    ) -> int:
        """Declare an interface; returns its id for ``write``. Ids count from 0 in call order."""
        options = (
            _option(_IF_NAME, name.encode("utf-8"))
            + _option(_IF_TSRESOL, bytes([9]))
            + _option(_OPT_ENDOFOPT, b"")
        )
        self._f.write(_block(_IDB, struct.pack("<HHI", linktype, 0, snaplen) + options))
        self._snaplens.append(snaplen)
        return len(self._snaplens) - 1

    def write(self, interface_id: int, ts_ns: int, frame, *, comment: str | None = None) -> None:
        if not 0 <= interface_id < len(self._snaplens):
            raise ValueError(f"pcapng: unknown interface id {interface_id}")
        if ts_ns < 0:
            raise ValueError(f"pcapng: negative timestamp {ts_ns}")
        data = _frame_bytes(frame)
        caplen = min(len(data), self._snaplens[interface_id] or len(data))  # 0: no limit
        body = struct.pack("<IIIII", interface_id, ts_ns >> 32, ts_ns & 0xFFFFFFFF, caplen, len(data))
        body += _pad4(data[:caplen])
        if comment:
            body += _option(_OPT_COMMENT, comment.encode("utf-8")) + _option(_OPT_ENDOFOPT, b"")
        self._f.write(_block(_EPB, body))
