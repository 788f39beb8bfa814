"""An Ubuntu guest brings its NIC up with DHCP (``guest_nic_up``: netplan, systemd-networkd)
through the whole engine: the frames on its NIC, what tshark reads in them, and the console's
``dhclient`` taking the NIC over as ISC dhclient."""

import shutil
import subprocess

import pytest
from test_dhcp_full_engine import VM, D, build, dhcp_frames

from simcore.apps.dhcp.glue import guest_nic_up
from simcore.apps.dhcp.networkd import NETWORKD_PARAMETER_REQUEST_LIST, client_identifier, machine_id_for
from simcore.packets import ETH_ARP, PcapWriter
from simcore.packets.dhcp import DHCPACK, DHCPDISCOVER, DHCPOFFER, DHCPREQUEST

S = 1_000_000_000
BCAST, FF = "255.255.255.255", "ff:ff:ff:ff:ff:ff"
TSHARK = shutil.which("tshark")


def booted(trace=None):
    net = build(trace, script=False)
    vm = net.nodes["vm"]
    net.engine.at(S // 2, lambda: guest_nic_up(vm, "eth0"))
    return net, vm


def test_the_guest_leases_its_address_with_networkd_s_messages_and_sends_no_arp():
    net, vm = booted()
    net.run_until(3)
    frames = [f for f in dhcp_frames(net) if f[0] >= S // 2]
    t = S // 2
    assert frames == [
        (t, DHCPDISCOVER, "0.0.0.0", BCAST, FF),
        (t + 2 * D, DHCPOFFER, "10.0.0.1", "10.0.0.100", VM),
        (t + 2 * D, DHCPREQUEST, "0.0.0.0", BCAST, FF),
        (t + 4 * D, DHCPACK, "10.0.0.1", "10.0.0.100", VM),
    ]
    records = [(ts, f) for ts, f in net.captures["vm_eth0"].records if ts >= t]
    discover = records[0][1]
    assert (discover.payload.tos, discover.payload.flags) == (0xC0, 0)  # CS6, no DF
    table = net.tables()["nodes"]["vm"]
    assert [a["ip"] for a in table["addresses"]] == ["10.0.0.100/24"]
    arp_from_vm = [f for ts, f in records if f.ethertype == ETH_ARP and f.src == VM]
    assert arp_from_vm == []  # no conflict probe, no gratuitous ARP after the ACK
    assert vm.dhcp_clients["eth0"].program == "systemd-networkd"


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
def test_tshark_reads_the_client_identifier_and_the_request_list(tmp_path):
    net, vm = booted()
    net.run_until(3)
    path = tmp_path / "vm_eth0.pcap"
    with open(path, "wb") as f:
        writer = PcapWriter(f)
        for ts, frame in net.captures["vm_eth0"].records:
            if ts >= S // 2:
                writer.write(ts, frame)
    checks = ["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
    bad = subprocess.run([TSHARK, "-r", str(path), *checks, "-Y", '_ws.malformed || _ws.expert.severity >= "Error"'],
                         capture_output=True, text=True, check=True)
    assert bad.stdout == ""
    fields = ["dhcp.option.dhcp", "dhcp.client_id.iaid", "dhcp.client_id.duid_type",
              "dhcp.client_id.enterprise_num", "dhcp.option.request_list_item", "dhcp.option.dhcp_max_message_size",
              "dhcp.option.hostname", "ip.dsfield", "udp.length"]
    out = subprocess.run([TSHARK, "-r", str(path), *checks, "-Y", "dhcp && ip.src == 0.0.0.0", "-T", "fields",
                          *[x for f in fields for x in ("-e", f)]], capture_output=True, text=True, check=True)
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    iaid = client_identifier("eth0", machine_id_for("vm"))[1:5].hex()
    prl = ",".join(str(code) for code in NETWORKD_PARAMETER_REQUEST_LIST)
    # DISCOVER: 8 + 240 + 48 bytes; REQUEST: 54 and 50 instead of 80 (+ 10 bytes).
    assert rows == [
        # RFC 4361: IAID, then a DUID of type 2 (DUID-EN) with systemd's enterprise number.
        ["1", iaid, "2", "43793", prl, "1472", "vm", "0xc0", str(8 + 240 + 48)],
        ["3", iaid, "2", "43793", prl, "1472", "vm", "0xc0", str(8 + 240 + 58)],
    ]


def test_the_console_s_dhclient_takes_the_nic_over_as_isc_dhclient():
    net, vm = booted()
    net.run_until(3)
    vm.console.run("dhclient -r eth0")  # ISC dhclient: it has no lease of its own to release
    assert vm.dhcp_clients["eth0"].program == "isc-dhclient"
