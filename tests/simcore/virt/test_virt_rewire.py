"""A VM's NICs move on the wire when its attachment changes during a run (``controlvm nicN``,
``modifyvm --nicN`` while off, a snapshot restored): what the guest, the switches and the
capture then show (simcore/assembly/vbox/rewire.py)."""

import copy

from virt_designs import dhcp_frames, kinds
from virt_guests import DESIGN, Talk

from simcore.network import Network
from simcore.packets import DHCPACK, DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, Dhcp

S = 1_000_000_000
QUIET = {"frame.sent", "frame.received", "switch.learned", "switch.forwarded", "switch.flooded", "console.output",
         "command.run", "command.exit", "arp.entry", "packet.dropped"}


def nat_vm_design() -> dict:
    """DESIGN with vm1 off at t = 0, NAT with DHCP at boot, and a capture on its NIC."""
    doc = copy.deepcopy(DESIGN)
    doc["nodes"][1].update(power={"initial": "off"}, nics=[{"name": "eth0", "mode": "nat", "ip": "dhcp"}])
    doc["captures"] = [{"node": "vm1", "nic": "eth0"}]
    return doc


def booted(doc=None, actions=()):
    """vm1 started at 1 s and leased 10.0.2.15 by 40 s; ``actions``: (t, action, params) after."""
    trace = []
    net = Network.from_design(doc or nat_vm_design(), seed=0, trace=trace)
    net.vm_action("vm1", "start", at=1)
    for t, action, params in actions:
        net.vm_action("vm1", action, at=t, **params)
    return net, trace


def events(trace, since_s):
    return [(e["t"] / S, e["kind"]) for e in trace if e["t"] >= since_s * S and e["kind"] not in QUIET]


def addr(net, node="vm1", nic="eth0"):
    return [line.split()[1] for line in Talk(net)(node, f"ip -4 addr show {nic}") if line.strip().startswith("inet ")]


def test_a_running_vm_moved_from_nat_to_host_only_loses_its_lease_and_is_leased_there_after_the_link_comes_back():
    net, trace = booted(actions=[(40, "nic", {"nic": 1, "mode": "hostonly", "network": "vboxnet0"})])
    net.run_until(39)
    assert addr(net) == ["10.0.2.15/24"]
    net.run_until(60)
    assert events(trace, 40) == [
        (40, "vm.hardware"), (40, "vbox.detached"), (40, "link.carrier"), (40, "vbox.attached"), (40, "dhcp.stop"),
        (43, "link.carrier"), (43, "dhcp.discover"), (43, "dhcp.offer"), (43, "dhcp.select"), (43, "dhcp.request"),
        (43, "dhcp.ack"), (43, "dhcp.bound")]
    said = {e["kind"]: e["text"] for e in trace if e["t"] == 40 * S}
    assert said["vbox.detached"] == ("vm1's NIC eth0 leaves VirtualBox NAT; its NAT engine keeps its table and "
                                     "port forwards")
    assert said["link.carrier"] == ("vm1's eth0 has no carrier: VirtualBox holds the link down for 3 s after "
                                    "re-attaching the NIC, so that the guest notices the change")
    assert said["dhcp.stop"].startswith("vm1's eth0 lost its carrier: systemd-networkd stops its DHCP client and "
                                        "removes 10.0.2.15")
    # Nothing on the wire while the link is down; then DORA with the new network's server.
    dora = dhcp_frames(net, since=40 * S)
    assert [(t / S, m) for t, m, *_ in dora] == [(43, DHCPDISCOVER), (43, DHCPOFFER), (43, DHCPREQUEST), (43, DHCPACK)]
    assert {src for _t, m, src, *_ in dora if m == DHCPOFFER} == {"192.168.56.100"}
    assert addr(net) == ["192.168.56.101/24"]
    talk = Talk(net)
    talk("hv", "ping -c 1 192.168.56.101")
    net.run_until(62)
    assert "1 packets transmitted, 1 received, 0% packet loss, time 0ms" in [
        text for _t, n, text in net.console_lines() if n == "hv"]


def test_back_on_nat_the_nic_finds_its_own_engine_again_and_the_host_only_switch_forgets_it():
    net, trace = booted(actions=[(40, "nic", {"nic": 1, "mode": "hostonly", "network": "vboxnet0"}),
                                 (60, "nic", {"nic": 1, "mode": "nat"})])
    net.run_until(80)
    flushed = [e for e in trace if e["kind"] == "switch.flushed" and e["t"] == 60 * S]
    assert [(e["node"], e["macs"]) for e in flushed] == [("hostonly-hv-vboxnet0", [net.nodes["vm1"].nics["eth0"].mac])]
    assert [n for n in net.nodes if n.startswith("vboxnat-")] == ["vboxnat-vm1-eth0"]
    acks = [e["text"] for e in trace if e["kind"] == "dhcp.ack" and e["t"] >= 60 * S]
    assert len(acks) == 1 and "extends the lease of 10.0.2.15" in acks[0]
    assert addr(net) == ["10.0.2.15/24"]
    Talk(net)("vm1", "ping -c 1 192.0.2.20")
    net.run_until(82)
    assert net.tables()["vbox_nat"]["vboxnat-vm1-eth0"]["conntrack"], "the engine's table has the ping"


def test_the_same_actions_give_the_same_trace_and_capture():
    runs = []
    for _ in range(2):
        net, trace = booted(actions=[(40, "nic", {"nic": 1, "mode": "hostonly", "network": "vboxnet0"}),
                                     (60, "nic", {"nic": 1, "mode": "nat"})])
        net.run_until(70)
        runs.append(([(e["t"], e["kind"], e["text"]) for e in trace],
                     net.captures["vm1_eth0"].pcap_bytes()))
    assert runs[0] == runs[1]


def test_an_internal_network_by_another_name_is_another_wire():
    trace = []
    net = Network.from_design(copy.deepcopy(DESIGN), seed=0, trace=trace)
    talk = Talk(net)
    net.run_until(1)
    assert talk("hv", "VBoxManage controlvm deb nic1 intnet other") == []
    net.run_until(5)
    talk("alp", "ping -c 1 -W 1 10.0.0.1")
    net.run_until(10)
    talk("hv", "VBoxManage controlvm deb nic1 intnet intnet")
    net.run_until(15)
    talk("alp", "ping -c 1 -W 1 10.0.0.1")
    net.run_until(20)
    said = [text for _t, n, text in net.console_lines() if n == "alp" and "packets transmitted" in text]
    assert said == ["1 packets transmitted, 0 received, 100% packet loss, time 0ms",
                    "1 packets transmitted, 1 received, 0% packet loss, time 0ms"]
    assert [p.peer.node.id for p in net.nodes["internal-hv-other"].ports if p.peer] == []
    attached = [e["text"] for e in trace if e["kind"] == "vbox.attached" and e["node"] == "deb" and e["t"] > 0]
    assert [t.split(":")[0] for t in attached] == [
        "deb's NIC eth0 is attached to VirtualBox internal network 'other'",
        "deb's NIC eth0 is attached to VirtualBox internal network 'intnet'"]


def test_a_nic_added_while_off_is_a_new_interface_and_removing_it_takes_it_off_the_wire():
    net, trace = booted()
    talk = Talk(net)
    net.run_until(30)
    talk("hv", "VBoxManage controlvm vm1 poweroff")
    net.run_until(35)
    assert talk("hv", "VBoxManage modifyvm vm1 --nic2 intnet") == []
    talk("hv", "VBoxManage startvm vm1 --type headless")
    net.run_until(70)
    assert "eth1" in net.nodes["vm1"].nics
    assert any("eth1:" in line for line in talk("vm1", "ip link"))
    assert addr(net, nic="eth1") == []  # netplan does not know it: no address
    switch = net.nodes["internal-hv-intnet"]
    assert sorted(p.peer.node.id for p in switch.ports if p.peer) == ["alp", "deb", "vm1"]
    talk("vm1", "sudo dhclient eth1")  # nobody leases there, but its DISCOVER reaches the others
    net.run_until(75)
    heard = {e["to_node"] for e in trace if e["kind"] == "frame.sent" and e.get("nic") == "eth1"
             and e["node"] == "vm1"}
    assert heard == {"internal-hv-intnet"}
    assert any(e["kind"] == "frame.received" and e["node"] in ("deb", "alp") and e["t"] >= 70 * S for e in trace)
    talk("hv", "VBoxManage controlvm vm1 poweroff")
    net.run_until(80)
    assert talk("hv", "VBoxManage modifyvm vm1 --nic2 none") == []
    assert "eth1" not in net.nodes["vm1"].nics
    assert sorted(p.peer.node.id for p in switch.ports if p.peer) == ["alp", "deb"]
    assert [e["text"] for e in trace if e["kind"] == "switch.flushed" and e["t"] >= 80 * S] == []  # off: no carrier


def test_not_attached_leaves_the_nic_without_a_cable_behind_it():
    net, trace = booted(actions=[(40, "nic", {"nic": 1, "mode": "null"})])
    net.run_until(45)
    nic = net.nodes["vm1"].nics["eth0"]
    assert nic.link is None and not nic.carrier
    assert "NO-CARRIER" in Talk(net)("vm1", "ip link show eth0")[0]
    assert addr(net) == []
    detached = [e for e in trace if e["kind"] == "vbox.detached"]
    assert [(e["mode"], e["link"]) for e in detached] == [("nat", "vboxnat-vm1-eth0-bridge")]


def test_a_pulled_cable_stays_pulled_on_the_new_attachment_and_plugging_it_asks_for_the_last_address():
    net, trace = booted(actions=[(40, "setlinkstate", {"nic": 1, "on": False}),
                                 (45, "nic", {"nic": 1, "mode": "hostonly", "network": "vboxnet0"}),
                                 (55, "setlinkstate", {"nic": 1, "on": True})])
    net.run_until(54)
    assert addr(net) == []  # the carrier went with the cable: networkd dropped the lease
    assert dhcp_frames(net, since=40 * S) == []
    net.run_until(60)
    discover = [e for e in trace if e["kind"] == "dhcp.discover" and e["node"] == "vm1" and e["t"] >= 40 * S]
    assert [e["t"] / S for e in discover] == [55]
    assert addr(net) == ["192.168.56.101/24"]
    frames = [f for t, f in net.captures["vm1_eth0"].records if t >= 55 * S]
    first = Dhcp.parse(bytes(frames[0].payload.payload.payload))
    assert first.message_type == DHCPDISCOVER
    assert first.get(50) == "10.0.2.15", "networkd asks for its last address first (option 50)"


def test_a_snapshot_restored_puts_the_nic_back_where_the_snapshot_had_it():
    net, trace = booted()
    talk = Talk(net)
    net.run_until(40)
    talk("hv", "VBoxManage snapshot vm1 take onnat")
    talk("hv", "VBoxManage controlvm vm1 nic1 hostonly vboxnet0")
    net.run_until(50)
    assert addr(net) == ["192.168.56.101/24"]
    talk("hv", "VBoxManage controlvm vm1 poweroff")
    net.run_until(55)
    talk("hv", "VBoxManage snapshot vm1 restore onnat")
    net.run_until(56)
    back = [e["text"] for e in trace if e["kind"] == "vbox.attached" and e["t"] >= 55 * S]
    assert back and back[0].startswith("vm1's NIC eth0 is attached to VirtualBox NAT")
    talk("hv", "VBoxManage startvm vm1 --type headless")
    net.run_until(70)
    assert addr(net) == ["10.0.2.15/24"]
    talk("vm1", "ping -c 1 192.0.2.20")
    net.run_until(72)
    assert "1 packets transmitted, 1 received, 0% packet loss, time 0ms" in [
        text for t, n, text in net.console_lines() if n == "vm1" and t >= 70 * S]


def test_a_mode_that_cannot_attach_says_why_and_leaves_the_nic_on_nothing():
    doc = copy.deepcopy(DESIGN)
    doc["nodes"][0]["nics"] = [{"name": "eth0", "ip": "dhcp"}]
    doc["nodes"][1]["nics"] = [{"name": "eth0", "mode": "internal", "ip": "10.0.0.3/24"}]
    trace = []
    net = Network.from_design(doc, seed=0, trace=trace)
    net.vm_action("vm1", "nic", at=2, nic=1, mode="nat")
    net.run_until(5)
    texts = [e["text"] for e in trace if e["kind"] == "vbox.detached"]
    assert texts == ["vm1's NIC eth0 leaves VirtualBox internal network 'intnet'",
                     "vm1's NIC eth0 is attached to nothing: vm1 eth0 is in nat mode: its host needs a NIC with a "
                     "static address (the NAT engine's traffic leaves from it)"]
    assert net.nodes["vm1"].nics["eth0"].link is None
    assert kinds(trace, "vbox.attached")[-1][0] == 0
