"""Wireshark's own TCP and HTTP analysis of our conversations: an oracle we did not write.

The client's side of a curl transfer is framed (Ethernet + IPv4, fixed MACs) into a pcap; tshark
must find correct checksums, no TCP analysis warning on a clean link, only the expected ones on a
lossy link, and the HTTP request and response curl and the server exchanged.
"""

import io
import shutil
import subprocess

import pytest
from tcp_harness import S, World

from simcore.apps.http import CurlSession, HttpServerConnection, HttpService, parse_curl_args
from simcore.packets import ETH_IPV4, PROTO_TCP, Ethernet, IPv4, PcapWriter

TSHARK = shutil.which("tshark")
pytestmark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (.ci/run installs Debian's tshark)")

OUT, VM = "203.0.113.10", "10.0.2.15"
MAC = {OUT: "02:00:00:71:00:10", VM: "08:00:27:00:02:15"}


def capture(tmp_path, loss=None, body="<h1>hello</h1>\n"):
    w = World(loss=loss)
    client, server = w.host(OUT, 1), w.host(VM, 2)
    server.listen(80, lambda key: HttpServerConnection(HttpService(body=body)))
    session = CurlSession(parse_curl_args(["curl", f"http://{VM}/"]), 0)
    w.call(OUT, client.connect, OUT, VM, 80, session)
    w.run(100 * S)
    buf = io.BytesIO()
    pcap = PcapWriter(buf)
    ident = {OUT: 0x1000, VM: 0x2000}
    for sent in w.wire:
        # What a capture on the client's NIC sees: everything it sends, and what reaches it.
        if sent.src != OUT and sent.lost:
            continue
        t = sent.t if sent.src == OUT else sent.t + w.delay_ns
        ident[sent.src] += 1
        ip = IPv4(sent.src, sent.dst, PROTO_TCP, sent.seg, ident=ident[sent.src])
        pcap.write(t, Ethernet(MAC[sent.dst], MAC[sent.src], ETH_IPV4, ip))
    path = tmp_path / "out_eth0.pcap"
    path.write_bytes(buf.getvalue())
    return path, session


def tshark(path, *args):
    proc = subprocess.run([TSHARK, "-r", str(path), "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                           *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_a_clean_transfer_has_no_tcp_analysis_flags(tmp_path):
    path, session = capture(tmp_path)
    assert session.result.exit_code == 0
    assert tshark(path, "-Y", "tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning "
                              "|| ip.checksum.status == 0 || tcp.checksum.status == 0") == []
    assert tshark(path, "-Y", "http", "-T", "fields", "-e", "http.request.line", "-e", "http.response.code",
                  "-e", "http.content_length") == [
        "Host: 10.0.2.15\\r\\n,User-Agent: curl/7.88.1\\r\\n,Accept: */*\\r\\n\t\t",
        "\t200\t15",
    ]
    flags = tshark(path, "-T", "fields", "-e", "tcp.flags.str")
    assert [f.replace("\u00b7", "").strip() for f in flags] == [
        "S", "AS", "A", "AP", "A", "AP", "A", "AP", "A", "AF", "AF", "A"]


def test_a_lossy_transfer_shows_only_loss_and_recovery(tmp_path):
    path, session = capture(tmp_path, loss=lambda n, seg: n in (3, 6), body="x" * 4000)
    assert session.result.stdout == "x" * 4000
    flagged = tshark(path, "-Y", "tcp.analysis.flags && !tcp.analysis.window_update",
                     "-T", "fields", "-e", "_ws.expert.message")
    allowed = ("retransmission", "Previous segment(s) not captured", "Duplicate ACK", "out-of-order",
               "Out-Of-Order", "ACKed segment that wasn't captured", "Spurious", "Retransmission")
    assert flagged, "the losses must be visible"
    for line in flagged:
        assert any(word in line for word in allowed), line
    assert tshark(path, "-Y", "_ws.malformed || tcp.checksum.status == 0") == []
