"""Capture files: written by our writers, read back by dpkt and by tshark (oracles we did not write)."""

import io
import shutil
import struct
import subprocess

import dpkt
import pytest
from packet_samples import SAMPLES

from simcore.packets import Ethernet, PcapngWriter, PcapWriter

TSHARK = shutil.which("tshark")
needs_tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")

# Distinct nanosecond timestamps, including sub-microsecond parts that a µs pcap would lose.
TIMES = [1_700_000_000_000_000_000 + i * 1_000_000_123 for i in range(len(SAMPLES))]
FRAMES = [frame for _, frame, _ in SAMPLES]


def write_pcap(path=None, **kw) -> bytes:
    buf = io.BytesIO()
    w = PcapWriter(buf, **kw)
    for ts, frame in zip(TIMES, FRAMES, strict=True):
        w.write(ts, frame)
    if path is not None:
        path.write_bytes(buf.getvalue())
    return buf.getvalue()


def write_pcapng(path=None) -> bytes:
    buf = io.BytesIO()
    w = PcapngWriter(buf)
    ids = [w.add_interface("vm1-eth0"), w.add_interface("sw1-port2")]
    for i, (ts, frame) in enumerate(zip(TIMES, FRAMES, strict=True)):
        w.write(ids[i % 2], ts, frame, comment="first" if i == 0 else None)
    if path is not None:
        path.write_bytes(buf.getvalue())
    return buf.getvalue()


def test_pcap_global_header_is_nanosecond_ethernet():
    data = write_pcap()
    assert data[:24] == struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1)


def test_pcap_reads_back_with_dpkt_to_the_nanosecond():
    reader = dpkt.pcap.Reader(io.BytesIO(write_pcap()))
    assert reader.datalink() == dpkt.pcap.DLT_EN10MB
    records = list(reader)
    assert [buf for _, buf in records] == [f.emit() for f in FRAMES]
    # dpkt gives float seconds; compare the raw record header for exact nanoseconds.
    data = write_pcap()
    sec, nsec, caplen, length = struct.unpack_from("<IIII", data, 24)
    assert (sec, nsec, caplen, length) == (1_700_000_000, 0, len(FRAMES[0].emit()), len(FRAMES[0].emit()))
    sec, nsec = struct.unpack_from("<II", data, 24 + 16 + len(FRAMES[0].emit()))
    assert (sec, nsec) == (1_700_000_001, 123)
    assert [round(ts, 6) for ts, _ in records][:2] == [1_700_000_000.0, 1_700_000_001.0]


def test_pcap_microsecond_variant_and_snaplen():
    buf = io.BytesIO()
    w = PcapWriter(buf, nanoseconds=False, snaplen=40)
    w.write(1_500_000_999, FRAMES[0])  # 1.500000999 s -> 1 s 500000 µs
    data = buf.getvalue()
    assert data[:4] == struct.pack("<I", 0xA1B2C3D4)
    assert struct.unpack_from("<IIII", data, 24) == (1, 500000, 40, 60)
    assert len(data) == 24 + 16 + 40
    [(ts, pkt)] = list(dpkt.pcap.Reader(io.BytesIO(data)))
    assert (ts, pkt) == (1.5, FRAMES[0].emit()[:40])


def test_pcapng_reads_back_with_dpkt():
    reader = dpkt.pcapng.Reader(io.BytesIO(write_pcapng()))
    records = list(reader)
    assert [buf for _, buf in records] == [f.emit() for f in FRAMES]
    assert [round(ts, 6) for ts, _ in records][:2] == [1_700_000_000.0, 1_700_000_001.0]


def test_pcapng_block_layout():
    data = write_pcapng()
    block_type, total, magic, major, minor = struct.unpack_from("<IIIHH", data)
    assert (block_type, magic, major, minor) == (0x0A0D0D0A, 0x1A2B3C4D, 1, 0)
    assert total % 4 == 0 and data[total - 4 : total] == data[4:8]  # trailing length repeats the leading one
    idb_type, idb_len, linktype = struct.unpack_from("<IIH", data, total)
    assert (idb_type, linktype) == (1, 1)
    assert b"vm1-eth0" in data[total : total + idb_len]


def test_writers_reject_bad_input():
    with pytest.raises(ValueError, match=r"^pcap: negative timestamp -1$"):
        PcapWriter(io.BytesIO()).write(-1, b"\x00" * 60)
    w = PcapngWriter(io.BytesIO())
    with pytest.raises(ValueError, match=r"^pcapng: unknown interface id 0$"):
        w.write(0, 0, b"\x00" * 60)


def test_frames_in_the_file_parse_back_to_the_same_values():
    for (_, buf), frame in zip(dpkt.pcap.Reader(io.BytesIO(write_pcap())), FRAMES, strict=True):
        assert Ethernet.parse(buf) == frame


def tshark(path, *args) -> str:
    cmd = [
        TSHARK,
        "-r",
        str(path),
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "udp.check_checksum:TRUE",
        "-o",
        "tcp.check_checksum:TRUE",
        *args,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


@needs_tshark
@pytest.mark.parametrize("writer", [write_pcap, write_pcapng], ids=["pcap", "pcapng"])
def test_tshark_finds_nothing_malformed_and_no_bad_checksum(tmp_path, writer):
    path = tmp_path / "capture.cap"
    writer(path)
    assert tshark(path, "-Y", '_ws.malformed || _ws.expert.severity >= "Error"') == ""
    assert (
        tshark(
            path,
            "-Y",
            "ip.checksum.status == 0 || udp.checksum.status == 0 || "
            "tcp.checksum.status == 0 || icmp.checksum.status == 0",
        )
        == ""
    )
    assert len(tshark(path, "-T", "fields", "-e", "frame.number").split()) == len(FRAMES)


@needs_tshark
def test_tshark_decodes_our_fields(tmp_path):
    path = tmp_path / "capture.pcap"
    write_pcap(path)
    out = tshark(
        path,
        "-T",
        "fields",
        "-E",
        "separator=|",
        "-e",
        "frame.time_epoch",
        "-e",
        "frame.protocols",
        "-e",
        "arp.dst.proto_ipv4",
        "-e",
        "icmp.ident",
        "-e",
        "dhcp.option.dhcp",
        "-e",
        "dns.qry.name",
        "-e",
        "vxlan.vni",
        "-e",
        "tcp.options.mss_val",
    )
    rows = {name: line.split("|") for (name, _, _), line in zip(SAMPLES, out.splitlines(), strict=True)}
    assert rows["arp-request"][0] == "1700000000.000000000"
    index = [name for name, _, _ in SAMPLES].index("echo-request")
    assert rows["echo-request"][0] == f"{1_700_000_000 + index}.{index * 123:09d}"  # nanoseconds survive
    assert rows["arp-request"][1:3] == ["eth:ethertype:arp", "10.0.2.16"]
    assert rows["echo-request"][1] == "eth:ethertype:ip:icmp:data"
    assert rows["echo-request"][3] == "66"
    assert [rows[n][4] for n in ("dhcp-discover", "dhcp-offer", "dhcp-request", "dhcp-ack")] == [
        "1",
        "2",
        "3",
        "5",
    ]
    assert rows["dns-query"][5] == "example.com"
    assert rows["vxlan-ping"][1] == "eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data"
    assert rows["vxlan-ping"][6] == "100"
    assert rows["tcp-syn"][7] == "1460"


@needs_tshark
def test_tshark_pcapng_interface_names(tmp_path):
    path = tmp_path / "capture.pcapng"
    write_pcapng(path)
    out = tshark(path, "-T", "fields", "-e", "frame.interface_name", "-e", "frame.comment")
    lines = out.splitlines()
    assert lines[0].split("\t") == ["vm1-eth0", "first"]
    assert lines[1].split("\t")[0] == "sw1-port2"
