"""Client and server together on one simulated segment (``dhcp_loop.Segment``): the frames in
order with their instants, a pcap that tshark decodes cleanly, and determinism."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dhcp_loop import GW_MAC, SECOND, VM, D, dora_pcap, nat_segment, start, write_pcap

from simcore.packets import DHCPACK, DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, ETH_ARP

VM2 = "08:00:27:00:02:16"
BCAST = "255.255.255.255"
FF = "ff:ff:ff:ff:ff:ff"
TSHARK = "/usr/bin/tshark"


def arp_instants(seg):
    return [t for t, frame in seg.wire if frame.ethertype == ETH_ARP]


def test_dora_with_the_probe_frame_by_frame():
    seg, (vm,) = nat_segment()
    start(seg, vm, 0)
    seg.run_until(10 * SECOND)
    # The ARP probe at t, t+1 s, t+2 s after the DISCOVER reaches the server; the OFFER at t+3 s.
    # The client's second DISCOVER (3 s, dhclient's first interval) is answered with the same
    # address and xid: two OFFERs, as with dnsmasq.
    assert arp_instants(seg) == [D, SECOND + D, 2 * SECOND + D]
    assert seg.dhcp_frames() == [
        (0, DHCPDISCOVER, "0.0.0.0", BCAST, FF),
        (3 * SECOND, DHCPDISCOVER, "0.0.0.0", BCAST, FF),
        (3 * SECOND + D, DHCPOFFER, "10.0.2.2", "10.0.2.15", VM),
        (3 * SECOND + D, DHCPOFFER, "10.0.2.2", "10.0.2.15", VM),
        (3 * SECOND + 2 * D, DHCPREQUEST, "0.0.0.0", BCAST, FF),
        (3 * SECOND + 3 * D, DHCPACK, "10.0.2.2", "10.0.2.15", VM),
    ]
    xids = {frame.payload.payload.payload.xid for _t, frame in seg.wire if frame.ethertype != ETH_ARP}
    assert len(xids) == 1
    assert seg.bound == {VM: "10.0.2.15"}
    assert seg.server.leases() == [{"mac": VM, "ip": "10.0.2.15", "hostname": "vm",
                                    "expires_at_ns": 3 * SECOND + 3 * D + 3600 * SECOND, "state": "bound"}]


def test_two_clients_get_15_then_16():
    seg, (a, b) = nat_segment(((VM, "vm1"), (VM2, "vm2")))
    start(seg, a, 0)
    start(seg, b, SECOND // 2)
    seg.run_until(20 * SECOND)
    assert seg.bound == {VM: "10.0.2.15", VM2: "10.0.2.16"}


def test_probe_finds_a_squatter_and_the_next_address_is_leased():
    seg, (vm,) = nat_segment(occupied={"10.0.2.15": "02:00:00:00:00:99"})
    start(seg, vm, 0)
    seg.run_until(20 * SECOND)
    assert seg.bound == {VM: "10.0.2.16"}
    targets = [frame.payload.tpa for _t, frame in seg.wire if frame.ethertype == ETH_ARP and frame.payload.op == 1]
    assert targets == ["10.0.2.15", "10.0.2.16", "10.0.2.16", "10.0.2.16"]
    assert [(r["ip"], r["state"]) for r in seg.server.leases()] == [("10.0.2.15", "conflict"), ("10.0.2.16", "bound")]


def test_renew_unicast_at_t1_then_rebind_broadcast_at_t2_then_expiry_when_the_server_is_gone():
    seg, (vm,) = nat_segment()
    start(seg, vm, 0)
    seg.run_until(10 * SECOND)
    bound_at = 3 * SECOND + 4 * D  # the ACK's arrival
    seg.wire.clear()
    seg.run_until(bound_at + 1800 * SECOND + 10 * D)
    # T1: REQUEST unicast from the leased address to the server; ACK unicast back.
    assert seg.dhcp_frames() == [
        (bound_at + 1800 * SECOND, DHCPREQUEST, "10.0.2.15", "10.0.2.2", GW_MAC),
        (bound_at + 1800 * SECOND + D, DHCPACK, "10.0.2.2", "10.0.2.15", VM),
    ]
    renewed_at = bound_at + 1800 * SECOND + 2 * D
    seg.wire.clear()
    seg.server_up = False
    seg.run_until(renewed_at + 3600 * SECOND + 1)
    frames = seg.dhcp_frames()
    renew = [f for f in frames if f[3] == "10.0.2.2"]
    rebind = [f for f in frames if f[2] == "10.0.2.15" and f[3] == BCAST]
    assert [t - renewed_at for t, *_ in renew] == [s * SECOND // 1000 for s in (1800_000, 2475_000, 2812_500,
                                                                                  2981_250, 3065_625, 3125_625)]
    assert [t - renewed_at for t, *_ in rebind] == [s * SECOND // 1000 for s in (3150_000, 3375_000, 3487_500,
                                                                                   3547_500)]
    # At the lease end the address goes and a new DORA begins from 0.0.0.0.
    assert frames[-1] == (renewed_at + 3600 * SECOND, DHCPDISCOVER, "0.0.0.0", BCAST, FF)
    assert seg.bound == {}
    assert "vm's lease of 10.0.2.15 ran out without a renewal: it must stop using the address and starts over " \
           "(RFC 2131 §4.4.5)" in seg.notes(VM)
    # The server's record ran out too (its clock started at the ACK it sent, one delay earlier).
    seg.run_until(renewed_at + 3600 * SECOND + 2)
    seg.server_up = True
    seg.run_until(renewed_at + 3700 * SECOND)
    assert seg.bound == {VM: "10.0.2.15"}  # asked for again with option 50, and free


def test_release_then_the_address_goes_to_the_next_client():
    seg, (a, b) = nat_segment(((VM, "vm1"), (VM2, "vm2")))
    start(seg, a, 0)
    seg.run_until(10 * SECOND)
    seg.at(11 * SECOND, lambda: seg.apply(VM, a.release(seg.now)))
    seg.run_until(12 * SECOND)
    assert seg.dhcp_frames()[-1][1:] == (7, "10.0.2.15", "10.0.2.2", GW_MAC)
    assert seg.server.leases() == []
    start(seg, b, 20 * SECOND)
    seg.run_until(30 * SECOND)
    assert seg.bound == {VM2: "10.0.2.15"}


@pytest.mark.skipif(not shutil.which(TSHARK), reason="tshark is not installed")
def test_tshark_decodes_the_dora_pcap(tmp_path):
    pcap = dora_pcap(tmp_path / "vm_eth0.pcap")
    checks = ["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
    bad = subprocess.run([TSHARK, "-r", str(pcap), *checks, "-Y", '_ws.malformed || _ws.expert.severity >= "Error"'],
                         capture_output=True, text=True, check=True)
    assert bad.stdout == ""
    fields = ["frame.time_relative", "dhcp.option.dhcp", "ip.src", "ip.dst", "eth.dst", "dhcp.flags.bc",
              "dhcp.ip.your", "dhcp.option.requested_ip_address", "dhcp.option.dhcp_server_id",
              "dhcp.option.hostname", "dhcp.option.ip_address_lease_time", "dhcp.option.renewal_time_value",
              "dhcp.option.rebinding_time_value", "dhcp.option.request_list_item"]
    out = subprocess.run([TSHARK, "-r", str(pcap), *checks, "-Y", "dhcp", "-T", "fields",
                          *[x for f in fields for x in ("-e", f)]], capture_output=True, text=True, check=True)
    prl = "1,28,2,3,15,6,119,12,44,47,26,121,42"
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    assert rows == [
        ["0.000000000", "1", "0.0.0.0", BCAST, FF, "0", "0.0.0.0", "", "", "vm", "", "", "", prl],
        ["3.000000000", "1", "0.0.0.0", BCAST, FF, "0", "0.0.0.0", "", "", "vm", "", "", "", prl],
        ["3.000050000", "2", "10.0.2.2", "10.0.2.15", VM, "0", "10.0.2.15", "", "10.0.2.2", "", "3600", "1800",
         "3150", ""],
        ["3.000050000", "2", "10.0.2.2", "10.0.2.15", VM, "0", "10.0.2.15", "", "10.0.2.2", "", "3600", "1800",
         "3150", ""],
        ["3.000100000", "3", "0.0.0.0", BCAST, FF, "0", "0.0.0.0", "10.0.2.15", "10.0.2.2", "vm", "", "", "", prl],
        ["3.000150000", "5", "10.0.2.2", "10.0.2.15", VM, "0", "10.0.2.15", "", "10.0.2.2", "vm", "3600", "1800",
         "3150", ""],
    ]
    arp = subprocess.run([TSHARK, "-r", str(pcap), "-Y", "arp", "-T", "fields", "-e", "frame.time_relative",
                          "-e", "arp.dst.proto_ipv4"], capture_output=True, text=True, check=True)
    assert arp.stdout.splitlines() == ["0.000050000\t10.0.2.15", "1.000050000\t10.0.2.15", "2.000050000\t10.0.2.15"]


def test_same_seed_same_bytes_and_another_seed_other_xids(tmp_path):
    one = dora_pcap(tmp_path / "a.pcap").read_bytes()
    two = dora_pcap(tmp_path / "b.pcap").read_bytes()
    assert one == two
    seg, (vm,) = nat_segment(seed=2)
    start(seg, vm, 0)
    seg.run_until(10 * SECOND)
    write_pcap(seg, tmp_path / "c.pcap")
    assert (tmp_path / "c.pcap").read_bytes() != one


def test_pythonhashseed_changes_nothing(tmp_path):
    here = Path(__file__).parent
    root = here.parents[2]
    script = (
        "import sys, hashlib; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "from dhcp_loop import dora_pcap\n"
        "from pathlib import Path\n"
        "print(hashlib.sha256(dora_pcap(Path(sys.argv[3])).read_bytes()).hexdigest())\n"
    )
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", script, str(root), str(here), str(tmp_path / f"{seed}.pcap")],
                             capture_output=True, text=True, check=True, env=env)
        digests.add(out.stdout.strip())
    assert digests == {hashlib.sha256(dora_pcap(tmp_path / "here.pcap").read_bytes()).hexdigest()}


DOCUMENTED_KINDS = {
    "dhcp.discover", "dhcp.select", "dhcp.request", "dhcp.bound", "dhcp.renew", "dhcp.rebind", "dhcp.expire",
    "dhcp.nak", "dhcp.release", "dhcp.timeout", "dhcp.ignore", "dhcp.client", "dhcp.probe", "dhcp.conflict",
    "dhcp.offer", "dhcp.ack", "dhcp.withdraw", "dhcp.exhausted",
}


def test_every_note_is_one_documented_kind_and_one_sentence():
    seg, (a, b) = nat_segment(((VM, "vm1"), (VM2, "vm2")), occupied={"10.0.2.16": "02:00:00:00:00:99"})
    start(seg, a, 0)
    start(seg, b, SECOND)
    seg.at(100 * SECOND, lambda: seg.apply(VM2, b.release(seg.now)))
    seg.at(200 * SECOND, lambda: setattr(seg, "server_up", False))
    seg.run_until(4000 * SECOND)
    notes = [action for _t, _who, action in seg.log if type(action).__name__ == "Note"]
    kinds = {note.kind for note in notes}
    assert kinds <= DOCUMENTED_KINDS
    assert {"dhcp.probe", "dhcp.conflict", "dhcp.offer", "dhcp.ack", "dhcp.bound", "dhcp.renew",
            "dhcp.rebind", "dhcp.expire", "dhcp.release", "dhcp.timeout"} <= kinds
    for note in notes:
        assert note.text and note.text[0].isalnum() and "\n" not in note.text and not note.text.endswith((" ", ".")), note
    docs = (Path(__file__).parents[3] / "docs" / "dhcp.md").read_text()
    assert all(f"`{kind}`" in docs for kind in DOCUMENTED_KINDS)
