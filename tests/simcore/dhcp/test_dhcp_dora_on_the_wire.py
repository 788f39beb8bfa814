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
    # dhclient's retransmission (3 + random() % 6 s, here 8 s) would come after it: one DISCOVER.
    assert arp_instants(seg) == [D, SECOND + D, 2 * SECOND + D]
    assert seg.dhcp_frames() == [
        (0, DHCPDISCOVER, "0.0.0.0", BCAST, FF),
        (3 * SECOND + D, DHCPOFFER, "10.0.2.2", "10.0.2.15", VM),
        (3 * SECOND + 2 * D, DHCPREQUEST, "0.0.0.0", BCAST, FF),
        (3 * SECOND + 3 * D, DHCPACK, "10.0.2.2", "10.0.2.15", VM),
    ]
    xids = {frame.payload.payload.payload.xid for _t, frame in seg.wire if frame.ethertype != ETH_ARP}
    assert len(xids) == 1
    assert seg.bound == {VM: "10.0.2.15"}
    assert seg.server.leases() == [{"mac": VM, "ip": "10.0.2.15", "hostname": "vm",
                                    "expires_at_ns": 3 * SECOND + 3 * D + 3600 * SECOND, "state": "bound"}]
    # dhclient's own IP header on its broadcasts (TOS 0x10, no DF), dnsmasq's kernel one (DF).
    headers = [(f.payload.tos, f.payload.flags) for _t, f in seg.wire if f.ethertype != ETH_ARP]
    assert headers == [(0x10, 0), (0, 2), (0x10, 0), (0, 2)]


def test_a_retransmission_during_the_probe_gets_a_second_offer_with_the_same_xid():
    # Seed 11: dhclient's first interval is 3 s (+0.102035 s): started at 0.9 s, the second
    # DISCOVER leaves at 3.102035 s, while dnsmasq still probes (until 3.90005 s). Both are
    # answered when the probe ends, with the same address and xid.
    seg, (vm,) = nat_segment(seed=11)
    start(seg, vm, 900_000_000)
    seg.run_until(10 * SECOND)
    t0 = 900_000_000
    assert seg.dhcp_frames() == [
        (t0, DHCPDISCOVER, "0.0.0.0", BCAST, FF),
        (3 * SECOND + 102_035_000, DHCPDISCOVER, "0.0.0.0", BCAST, FF),
        (t0 + 3 * SECOND + D, DHCPOFFER, "10.0.2.2", "10.0.2.15", VM),
        (t0 + 3 * SECOND + D, DHCPOFFER, "10.0.2.2", "10.0.2.15", VM),
        (t0 + 3 * SECOND + 2 * D, DHCPREQUEST, "0.0.0.0", BCAST, FF),
        (t0 + 3 * SECOND + 3 * D, DHCPACK, "10.0.2.2", "10.0.2.15", VM),
    ]
    secs = [f.payload.payload.payload.secs for _t, f in seg.wire if f.ethertype != ETH_ARP]
    assert secs[:2] == [0, 3]  # whole seconds: 3 - 0 (dhclient's cur_time)
    assert seg.bound == {VM: "10.0.2.15"}


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


def test_renew_unicast_then_rebind_broadcast_then_expiry_when_the_server_is_gone():
    seg, (vm,) = nat_segment()
    start(seg, vm, 0)
    seg.run_until(10 * SECOND)
    renew_at = [a.at_ns for _t, _who, a in seg.log if type(a).__name__ == "SetTimer" and a.timer_id == "t1"][-1]
    assert 3 * SECOND + 1350 * SECOND <= renew_at < 3 * SECOND + 1801 * SECOND  # T1 fuzzed: 75-100 %
    seg.wire.clear()
    seg.run_until(renew_at + 10 * D)
    # The renewal: REQUEST unicast from the leased address to the server (the kernel's header:
    # TOS 0, DF), ACK unicast back.
    assert seg.dhcp_frames() == [
        (renew_at, DHCPREQUEST, "10.0.2.15", "10.0.2.2", GW_MAC),
        (renew_at + D, DHCPACK, "10.0.2.2", "10.0.2.15", VM),
    ]
    assert (seg.wire[0][1].payload.tos, seg.wire[0][1].payload.flags) == (0, 2)
    renewed_s = (renew_at + 2 * D) // SECOND  # dhclient counts the new lease from this second
    seg.wire.clear()
    seg.server_up = False
    seg.run_until(renewed_s * SECOND + 3602 * SECOND)
    frames = seg.dhcp_frames()
    renew = [f for f in frames if f[3] == "10.0.2.2"]
    rebind = [f for f in frames if f[2] == "10.0.2.15" and f[3] == BCAST]
    # Unicast until T2 (3150 s after the renewal's second), broadcast after it, every 3 to 21 s
    # (dhclient's backoff with its 15 s cutoff), until one second past the lease end.
    assert renew and rebind
    assert all(t <= (renewed_s + 3151) * SECOND for t, *_ in renew)
    assert all((renewed_s + 3151) * SECOND <= t < (renewed_s + 3601) * SECOND for t, *_ in rebind)
    times = [t for t, *_ in renew + rebind]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert all(2 * SECOND < g < 22 * SECOND for g in gaps[:-1]), gaps  # 3..21 s from the whole second
    assert SECOND <= gaps[-1] < 22 * SECOND  # the last one cut to end one second past the lease
    # One second past the lease end the address goes and a new DORA begins from 0.0.0.0.
    t, mtype, src, dst, mac = frames[-1]
    assert (mtype, src, dst, mac) == (DHCPDISCOVER, "0.0.0.0", BCAST, FF)
    assert (renewed_s + 3601) * SECOND <= t < (renewed_s + 3602) * SECOND
    assert seg.bound == {}
    assert "vm's lease of 10.0.2.15 ran out without a renewal: it must stop using the address and starts over " \
           "(RFC 2131 §4.4.5)" in seg.notes(VM)
    seg.server_up = True
    seg.run_until(renewed_s * SECOND + 3700 * SECOND)
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
    "dhcp.reboot",
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
