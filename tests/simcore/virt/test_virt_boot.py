"""Starting a VM takes simulated time: Starting, then the guest boots on its console (firmware,
GRUB, the kernel, systemd, the login prompt) and brings its NICs up as the design says."""

import pytest
from virt_designs import BCAST, FF, MS, VM1, D, S, build, dhcp_frames, kinds, lan_design, lines

from simcore.packets.dhcp import DHCPACK, DHCPDISCOVER, DHCPOFFER, DHCPREQUEST

START = [(1.0, "hv", "VBoxManage startvm vm1 --type headless")]
RUNNING = 1500 * MS  # Starting lasts 0.5 s
NETWORK = RUNNING + 2800 * MS


def boot_log(t0: int, factor: int = 1) -> list[tuple[int, str]]:
    def at(ms):
        return t0 + ms * MS * factor

    def kernel(ms, text):  # kernel stamps count from the kernel's start, 1 s (x factor) into the boot
        us = (ms - 1000) * 1000 * factor
        return at(ms), f"[{us // 1_000_000:5d}.{us % 1_000_000:06d}] {text}"

    return [
        (at(0), "VirtualBox BIOS: 2048 MB RAM, 2 CPUs; booting from the hard disk..."),
        (at(500), "GRUB: Booting 'Ubuntu 24.04 LTS'"),
        # the image's kernel, the one `uname -r` shows once it is up
        (at(600), "Loading Linux 6.8.0-45-generic ..."),
        (at(700), "Loading initial ramdisk ..."),
        kernel(1000, "Linux version 6.8.0-45-generic (buildd@lcy02-amd64-115) #45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 "
                     "12:02:04 UTC 2024"),
        kernel(1000, "Hypervisor detected: " + ("KVM" if factor == 1 else "none (software simulation)")),
        kernel(1100, "Memory: 2048 MB"),
        kernel(1200, "smpboot: CPU0: Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz"),
        kernel(1300, "smp: Brought up 1 node, 2 CPUs"),
        kernel(1500, f"e1000 0000:00:03.0 eth0: (PCI:33MHz:32-bit) {VM1}"),
        kernel(1800, "Run /init as init process"),
        kernel(2000, "systemd[1]: systemd 255.4-1ubuntu8 running in system mode"),
        kernel(2000, "systemd[1]: Hostname set to <vm1>."),
        (at(2400), "[  OK  ] Started systemd-journald.service - Journal Service."),
        (at(2600), "[  OK  ] Started systemd-networkd.service - Network Configuration."),
        (at(2800), "[  OK  ] Reached target network.target - Network."),
        (at(3200), "[  OK  ] Reached target multi-user.target - Multi-User System."),
        (at(3500), ""),
        (at(3500), "Ubuntu 24.04 LTS vm1 tty1"),
        (at(3500), ""),
        (at(3500), "vm1 login: student (automatic login)"),
    ]


def test_startvm_waits_for_starting_then_the_guest_boots_on_its_console():
    trace = []
    net = build(lan_design(script=START), trace)
    net.run_until(6)
    assert lines(net, "hv") == [(S, 'Waiting for VM "vm1" to power on...'),
                                (RUNNING, 'VM "vm1" has been successfully started.')]
    assert lines(net, "vm1") == boot_log(RUNNING)
    assert [(t, k) for t, k, _ in kinds(trace, "vm.state", "link.carrier")] == [
        (S, "vm.state"), (S, "link.carrier"), (RUNNING, "vm.state")]
    assert net.machines["vm1"].state == "Running"
    assert net.tables()["vms"]["vm1"]["guest"] == "up"


def test_a_dhcp_nic_does_its_dora_on_the_wire_when_networkd_starts():
    net = build(lan_design(script=START))
    net.run_until(6)
    assert dhcp_frames(net) == [
        (NETWORK, DHCPDISCOVER, "0.0.0.0", BCAST, FF),
        (NETWORK + 2 * D, DHCPOFFER, "10.0.0.1", "10.0.0.100", VM1),
        (NETWORK + 2 * D, DHCPREQUEST, "0.0.0.0", BCAST, FF),
        (NETWORK + 4 * D, DHCPACK, "10.0.0.1", "10.0.0.100", VM1),
    ]
    assert [a["ip"] for a in net.tables()["nodes"]["vm1"]["addresses"]] == ["10.0.0.100/24"]
    assert net.nodes["vm1"].dhcp_clients["eth0"].program == "systemd-networkd"


def test_dhcp_at_boot_false_keeps_waiting_for_dhclient():
    net = build(lan_design(script=[*START, (10.0, "vm1", "dhclient eth0")], dhcp_at_boot=False))
    net.run_until(9.9)
    assert dhcp_frames(net) == []
    net.run_until(12)
    assert [f[1] for f in dhcp_frames(net)] == [DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPACK]
    assert dhcp_frames(net)[0][0] == 10 * S


def test_a_static_nic_has_its_address_only_once_the_network_is_up():
    net = build(lan_design(vm1_ip="10.0.0.11/24", script=START))
    net.run_until((NETWORK - 1) / S)
    assert [a["ip"] for a in net.tables()["nodes"]["vm1"]["addresses"]] == [None]
    net.run_until(NETWORK / S)
    assert [a["ip"] for a in net.tables()["nodes"]["vm1"]["addresses"]] == ["10.0.0.11/24"]


def test_the_console_reads_nothing_until_the_login_prompt():
    trace = []
    typed = [*START, (3.0, "vm1", "ip addr"), (5.5, "vm1", "hostname")]
    net = build(lan_design(vm1_ip="10.0.0.11/24", script=typed), trace)
    net.run_until(6)
    refused = [(e["t"], e["action"], e["msg"]) for e in trace if e["kind"] == "vm.refused"]
    assert refused == [(3 * S, "console", "vm1 is still booting: its console takes commands once the login prompt "
                                          "is shown")]
    assert [e["line"] for e in trace if e["kind"] == "command.run"] == ["VBoxManage startvm vm1 --type headless",
                                                                       "hostname"]


def test_a_vm_off_from_the_start_is_silent_until_started():
    trace = []
    net = build(lan_design(), trace)
    net.run_until(30)
    assert [e for e in trace if e["kind"] in ("link.carrier", "switch.flushed", "vm.state")] == []
    assert net.machines["vm1"].state == "PoweredOff"
    assert net.nodes["vm1"].nics["eth0"].carrier is False
    assert net.tables()["nodes"]["vm1"]["addresses"] == [{"dev": "eth0", "mac": VM1, "ip": None}]


@pytest.mark.parametrize("vt_x", [True, False])
def test_without_vt_x_the_guest_is_simulated_and_boots_eight_times_slower(vt_x):
    net = build(lan_design(vt_x=vt_x, script=START))
    net.run_until(40)
    factor = 1 if vt_x else 8
    log = lines(net, "vm1")
    if not vt_x:
        assert log[0] == (RUNNING, "hv has no hardware virtualization (VT-x/AMD-V): vm1 runs by software simulation, "
                                   "every guest instruction simulated, about 8 times slower")
        log = log[1:]
    assert log == boot_log(RUNNING, factor)
    assert dhcp_frames(net)[0][0] == RUNNING + 2800 * MS * factor
