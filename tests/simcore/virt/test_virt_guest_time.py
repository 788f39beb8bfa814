"""Pause and save stop a guest's time: its ARP entries do not age, its DHCP renewal and TCP
retransmissions wait, and once it runs again everything goes on as if no time had passed."""

from virt_designs import BCAST, FF, SRV, D, S, build, dhcp_frames, lan_design

from simcore.packets import ETH_ARP
from simcore.packets.dhcp import DHCPACK, DHCPNAK, DHCPREQUEST


def arp_row(net, node, ip):
    return next(r for r in net.tables()["nodes"][node]["arp"] if r["ip"] == ip)


def running_pair(**kw):
    return lan_design(vm1_ip="10.0.0.11/24", initial="running", **kw)


def test_a_paused_vm_s_arp_entry_is_as_fresh_after_resume_as_before():
    net = build(running_pair(script=[(1.0, "vm1", "ping -c 1 10.0.0.12")]))
    net.vm_action("vm1", "pause", at=2.0)
    net.vm_action("vm1", "resume", at=602.0)
    net.run_until(2.0)  # the pause runs first at 2 s (user actions are urgent)
    before = arp_row(net, "vm1", "10.0.0.12")
    assert before["state"] == "REACHABLE"
    net.run_until(602.0)
    assert arp_row(net, "vm1", "10.0.0.12") == before  # ten minutes later: not a nanosecond older
    assert net.machines["vm1"].clock.now == 2 * S


def test_the_entry_goes_stale_at_the_same_guest_instant_as_in_a_run_without_the_pause():
    def stale_at(pause_s):
        trace = []
        net = build(running_pair(script=[(1.0, "vm1", "ping -c 1 10.0.0.12")]), trace)
        if pause_s:
            net.vm_action("vm1", "pause", at=2.0)
            net.vm_action("vm1", "resume", at=2.0 + pause_s)
        net.run_until(200)
        return next(e["t"] for e in trace if e["kind"] == "arp.entry" and e["node"] == "vm1" and e["state"] == "STALE")

    assert stale_at(100) == stale_at(0) + 100 * S


def test_tcp_retransmissions_wait_while_the_sender_is_paused():
    """vm2 stops answering (paused); vm1's curl sends its SYN and retransmits. Pausing vm1 for 50 s
    after its first SYN moves every later frame of vm1 by exactly 50 s."""
    script = [(1.0, "vm1", "ping -c 1 10.0.0.12"), (3.0, "vm1", "curl http://10.0.0.12/")]

    def frames_of_vm1(pause):
        net = build(running_pair(script=script))
        net.vm_action("vm2", "pause", at=2.0)
        if pause:
            net.vm_action("vm1", "pause", at=3.5)
            net.vm_action("vm1", "resume", at=53.5)
        net.run_until(100)
        return [(t, f) for t, f in net.captures["vm1_eth0"].records if f.src == "08:00:27:00:00:11" and t >= 3 * S]

    plain, paused = frames_of_vm1(False), frames_of_vm1(True)
    syns = [t for t, f in plain if f.ethertype != ETH_ARP and f.payload.proto == 6]
    assert syns[:3] == [3 * S, 4 * S, 6 * S]  # Linux: RTO 1 s, doubling
    shifted = [(t if t < 3.5 * S else t + 50 * S, f) for t, f in plain]
    assert paused == [x for x in shifted if x[0] < 100 * S]


def test_dhcp_renewal_waits_while_the_guest_is_paused():
    def renewals(pause):
        net = build(lan_design(script=[(1.0, "hv", "VBoxManage startvm vm1")]))
        if pause:
            net.vm_action("vm1", "pause", at=10.0)
            net.vm_action("vm1", "resume", at=30.0)  # 20 s: the server's lease (until 64.3 s) still holds
        net.run_until(70)
        return [f for f in dhcp_frames(net, since=10 * S) if f[1] in (DHCPREQUEST, DHCPACK)]

    plain, paused = renewals(False), renewals(True)
    assert [f[1] for f in plain[:2]] == [DHCPREQUEST, DHCPACK]  # the renewal at T1 (about 34.7 s)
    assert [(t + 20 * S, *rest) for t, *rest in plain if t + 20 * S < 70 * S] == paused


def test_a_saved_vm_whose_lease_expired_renews_and_is_refused_on_the_wire():
    """vm1 leases 10.0.0.100 for 60 s and is saved 6 s later; the server forgets the lease while
    vm1 is saved. Started again, vm1 is still bound (its clock stood still), renews at its T1 and the
    server answers DHCPNAK: the frames of a run without the save, 91 s later, NAK instead of ACK."""

    def run(saved):
        net = build(lan_design(script=[(1.0, "hv", "VBoxManage startvm vm1")]))
        if saved:
            net.vm_action("vm1", "savestate", at=10.0)  # Saving 10-11 s: the guest stops at 10 s
            net.vm_action("vm1", "start", at=100.0)  # Restoring 100-101 s: it runs again at 101 s
        return net

    plain = run(False)
    plain.run_until(60)
    renew_t, _, src, dst, mac = next(f for f in dhcp_frames(plain, since=10 * S) if f[1] == DHCPREQUEST)
    assert (src, dst, mac) == ("10.0.0.100", "10.0.0.1", SRV)

    net = run(True)
    net.run_until(101)
    assert net.tables()["dhcp_leases"]["srv"]["eth0"] == []  # the server's lease ran out at 64.3 s
    assert [a["ip"] for a in net.tables()["nodes"]["vm1"]["addresses"]] == ["10.0.0.100/24"]  # vm1: still bound
    assert net.machines["vm1"].clock.now == 10 * S - 1_500_000_000  # guest time: 8.5 s since it was started
    net.run_until(renew_t / S + 92)
    frozen = 91 * S
    assert dhcp_frames(net, since=101 * S) == [
        (renew_t + frozen, DHCPREQUEST, "10.0.0.100", "10.0.0.1", SRV),
        (renew_t + frozen + 2 * D, DHCPNAK, "10.0.0.1", BCAST, FF),
    ]
