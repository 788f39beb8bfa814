"""What each power action does to the guest: ACPI shutdown is clean and takes time, power off is
immediate, reset reboots without shutting down, and the guest's own poweroff/shutdown/reboot do what
they do. Powered off, the RAM is lost: the next boot starts with an empty ARP cache, no lease, no
connection. A host without VT-x simulates its guests: each frame they take costs 350 us more."""

import pytest
from virt_designs import MS, S, build, dhcp_frames, lan_design, lines

from simcore.packets.dhcp import DHCPDISCOVER


def running(**kw):
    return lan_design(vm1_ip="10.0.0.11/24", initial="running", **kw)


def states(trace):
    return [(e["t"], e["from"], e["to"], e["action"]) for e in trace if e["kind"] == "vm.state" and e["node"] == "vm1"]


SHUTDOWN = [
    (100, "         Stopping systemd-networkd.service - Network Configuration..."),
    (400, "[  OK  ] Stopped systemd-networkd.service - Network Configuration."),
    (800, "[  OK  ] Reached target shutdown.target - System Shutdown."),
    (1000, "[  OK  ] Finished systemd-poweroff.service - System Power Off."),
    (1200, "[  OK  ] Reached target poweroff.target - System Power Off."),
]


def test_the_acpi_power_button_shuts_the_guest_down_cleanly_then_it_switches_off():
    trace = []
    net = build(running(), trace)
    net.vm_action("vm1", "acpipowerbutton", at=10.0)
    net.run_until(12)
    t = 10 * S
    assert lines(net, "vm1") == [
        (t, "[   10.000000] systemd-logind[612]: Power key pressed short."),
        (t, "[   10.000000] systemd-logind[612]: Powering off..."),
        *[(t + ms * MS, text) for ms, text in SHUTDOWN],
        (t + 1500 * MS, "[   11.500000] reboot: Power down"),
    ]
    assert states(trace) == [(t, "Running", "Running", "acpipowerbutton"),
                             (t + 1500 * MS, "Running", "Stopping", "halt"),
                             (t + 1600 * MS, "Stopping", "PoweredOff", "halt")]
    carrier = [e["t"] for e in trace if e["kind"] == "link.carrier" and e["node"] == "vm1"]
    assert carrier == [t + 1500 * MS]


def test_power_off_is_immediate_no_shutdown():
    trace = []
    net = build(running(), trace)
    net.vm_action("vm1", "poweroff", at=10.0)
    net.run_until(12)
    assert lines(net, "vm1") == []
    assert states(trace) == [(10 * S, "Running", "Stopping", "poweroff"),
                             (10 * S + 100 * MS, "Stopping", "PoweredOff", "poweroff")]
    assert [e["t"] for e in trace if e["kind"] == "link.carrier" and e["node"] == "vm1"] == [10 * S]


def test_reset_restarts_from_the_firmware_at_once_and_the_ram_is_lost():
    trace = []
    net = build(running(script=[(1.0, "vm1", "ping -c 1 10.0.0.12")]), trace)
    net.vm_action("vm1", "reset", at=10.0)
    net.run_until(9)
    assert [r["ip"] for r in net.tables()["nodes"]["vm1"]["arp"]] == ["10.0.0.12"]
    net.run_until(10)
    assert lines(net, "vm1")[-1] == (10 * S, "VirtualBox BIOS: 2048 MB RAM, 2 CPUs; booting from the hard disk...")
    assert net.tables()["nodes"]["vm1"]["arp"] == []
    assert net.tables()["nodes"]["vm1"]["addresses"][0]["ip"] is None
    assert states(trace) == [(10 * S, "Running", "Running", "reset")]
    assert not any("Stopping" in text for _, text in lines(net, "vm1"))
    net.run_until(14)
    assert net.tables()["nodes"]["vm1"]["addresses"][0]["ip"] == "10.0.0.11/24"


@pytest.mark.parametrize("line", ["poweroff", "shutdown -h now", "shutdown now"])
def test_the_guest_switches_itself_off(line):
    trace = []
    net = build(running(script=[(5.0, "vm1", line)]), trace)
    net.run_until(8)
    assert lines(net, "vm1")[-1] == (6500 * MS, "[    6.500000] reboot: Power down")
    assert states(trace) == [(6500 * MS, "Running", "Stopping", "halt"),
                             (6600 * MS, "Stopping", "PoweredOff", "halt")]


@pytest.mark.parametrize("line", ["reboot", "shutdown -r now"])
def test_reboot_shuts_down_then_boots_again_and_stays_running(line):
    trace = []
    net = build(running(script=[(5.0, "vm1", line)]), trace)
    net.run_until(12)
    texts = [text for _, text in lines(net, "vm1")]
    assert "[  OK  ] Reached target reboot.target - System Reboot." in texts
    assert texts[texts.index("[    6.500000] reboot: Restarting system") + 1].startswith("VirtualBox BIOS")
    assert texts[-1] == "vm1 login: student (automatic login)"
    assert states(trace) == [] and net.machines["vm1"].state == "Running"


@pytest.mark.parametrize(("node", "line", "out"), [
    ("vm1", "shutdown +5", "Usage: shutdown [-h|-P|-r] now   (a later time is not simulated)"),
    ("vm1", "shutdown -k now", "Usage: shutdown [-h|-P|-r] now   (a later time is not simulated)"),
    ("srv", "poweroff", "poweroff: this simulator switches off and restarts virtual machines and physical hosts only, "
                        "not srv"),
    ("srv", "reboot", "reboot: this simulator switches off and restarts virtual machines and physical hosts only, "
                      "not srv"),
])
def test_what_the_guest_commands_refuse(node, line, out):
    net = build(running(script=[(5.0, node, line)]))
    net.run_until(8)
    assert lines(net, node) == [(5 * S, out)]
    assert net.machines["vm1"].state == "Running"


def test_powered_off_the_guest_forgets_its_lease_and_asks_from_scratch_at_the_next_boot():
    net = build(lan_design(script=[(1.0, "hv", "VBoxManage startvm vm1")]))
    net.vm_action("vm1", "poweroff", at=10.0)
    net.vm_action("vm1", "start", at=20.0)
    net.run_until(19)
    assert net.tables()["nodes"]["vm1"]["addresses"][0]["ip"] is None
    assert "dhcp_clients" not in net.nodes["vm1"].__dict__
    net.run_until(30)
    again = [f for f in dhcp_frames(net, since=20 * S)]
    # a fresh boot: DISCOVER from 0.0.0.0 at the network step (20.5 + 2.8 s), not a renewal
    assert again[0][:3] == (23300 * MS, DHCPDISCOVER, "0.0.0.0")


def test_powered_off_the_guest_s_connections_are_gone():
    doc = running(script=[(1.0, "vm1", "curl -s http://10.0.0.12/")])
    doc["nodes"][4]["services"] = [{"kind": "http", "port": 80}]
    net = build(doc)
    net.vm_action("vm2", "poweroff", at=3.0)
    net.vm_action("vm2", "start", at=4.0)
    net.run_until(2)
    assert net.nodes["vm2"].tcp.table.conns  # the server's side of curl's connection (TIME_WAIT)
    assert len(net.tables()["services"]["vm2"][0]["served"]) == 1
    net.run_until(3.5)
    assert "tcp" not in net.nodes["vm2"].__dict__ and net.tables()["services"]["vm2"] == []
    net.run_until(10)  # booted: systemd started the web server again, with no connection
    assert net.nodes["vm2"].tcp.table.conns == {}
    assert net.tables()["services"]["vm2"][0]["served"] == []


def test_the_console_of_a_vm_that_is_off_reads_nothing():
    trace = []
    net = build(lan_design(script=[(1.0, "vm1", "ip addr")]), trace)
    net.run_until(2)
    assert [(e["t"], e["action"], e["msg"]) for e in trace if e["kind"] == "vm.refused"] == [
        (S, "console", "vm1 is powered off: nothing reads what is typed on its console")]
    assert [e for e in trace if e["kind"] == "command.run"] == []


@pytest.mark.parametrize(("vt_x", "rtt"), [(True, "0.200"), (False, "0.550")])
def test_ping_round_trips_to_a_simulated_guest_grow(vt_x, rtt):
    net = build(running(vt_x=vt_x, script=[(1.0, "srv", "ping -c 2 10.0.0.12")]))
    net.run_until(3)
    second = [text for _, text in lines(net, "srv") if "icmp_seq=2" in text]
    assert second == [f"64 bytes from 10.0.0.12: icmp_seq=2 ttl=64 time={rtt} ms"]
    assert net.tables()["vms"]["vm2"]["software_virtualization"] is (not vt_x)


def test_lscpu_in_the_guest_shows_the_host_s_cpu_model():
    model = "AMD Ryzen 7 5800X 8-Core Processor"
    net = build(running(cpu_model=model, script=[(1.0, "vm1", "lscpu"), (1.0, "hv", "lscpu")]))
    net.run_until(2)
    guest = [text for _, text in lines(net, "vm1")]
    assert "  Model name:             AMD Ryzen 7 5800X 8-Core Processor" in guest
    assert "CPU(s):                   2" in guest and "  Hypervisor vendor:      KVM" in guest
    assert "Vendor ID:                AuthenticAMD" in guest
    host = [text for _, text in lines(net, "hv")]
    assert "  Model name:             AMD Ryzen 7 5800X 8-Core Processor" in host
    assert "CPU(s):                   4" in host and "  Virtualization:         AMD-V" in host


def test_lscpu_in_a_simulated_guest_finds_no_hypervisor():
    net = build(running(vt_x=False, script=[(1.0, "vm1", "lscpu")]))
    net.run_until(2)
    guest = [text for _, text in lines(net, "vm1")]
    assert guest[-2:] == ["Virtualization features:",
                          "  Virtualization type:    none: the host simulates this CPU in software"]
    assert not any("Hypervisor vendor" in text for text in guest)


def test_the_power_button_during_the_boot_stops_the_boot_and_shuts_down():
    trace = []
    net = build(lan_design(script=[(1.0, "hv", "VBoxManage startvm vm1")]), trace)
    net.vm_action("vm1", "acpipowerbutton", at=3.0)  # 1.5 s into the boot: the network is not up yet
    net.run_until(10)
    texts = [text for _, text in lines(net, "vm1")]
    assert "[  OK  ] Reached target network.target - Network." not in texts
    assert texts[-1] == "[    2.000000] reboot: Power down"
    assert dhcp_frames(net) == [] and net.machines["vm1"].state == "PoweredOff"
