"""The ARP cache as Linux's neighbour state machine, with its timers."""

import pytest
from sim_designs import S, build, kinds, lan

US = 1000


def states(events, node):
    return [(e["t"], e["old_state"], e["state"]) for e in kinds(events, "arp.entry") if e["node"] == node]


def test_reachable_goes_stale_then_delay_probe_and_back():
    net, events = build(lan(2))
    net.command("pc1", "ping -c 1 10.0.0.2", at=0.0)
    net.command("pc1", "ping -c 1 10.0.0.2", at=60.0)
    net.run_until(70)
    got = states(events, "pc1")
    assert [(old, new) for _t, old, new in got] == [
        (None, "INCOMPLETE"), ("INCOMPLETE", "REACHABLE"), ("REACHABLE", "STALE"),
        ("STALE", "DELAY"), ("DELAY", "PROBE"), ("PROBE", "REACHABLE")]
    t = [t for t, _o, _n in got]
    assert (t[0], t[1]) == (0, 200 * US)
    # base_reachable_time 30 s, randomised into [15 s, 45 s).
    assert 15 * S <= t[2] - t[1] < 45 * S
    assert t[3] == 60 * S
    assert t[4] == 65 * S  # delay_first_probe_time
    assert t[5] == 65 * S + 200 * US
    probes = [e for e in kinds(events, "frame.sent") if e["node"] == "pc1" and e["t"] == 65 * S]
    assert [(p["layers"][0]["dst"], p["summary"]) for p in probes] == [
        ("02:00:00:00:00:02", "Who has 10.0.0.2? Tell 10.0.0.1")]  # unicast, to the cached MAC


def test_the_responder_learns_the_requester_as_stale_without_asking():
    net, events = build(lan(2))
    net.command("pc1", "ping -c 1 10.0.0.2", at=0.0)
    net.run_until(0.001)
    # STALE from the request (100 us); DELAY when the echo reply uses it (the request came at 300 us).
    assert states(events, "pc2") == [(100 * US, None, "STALE"), (300 * US, "STALE", "DELAY")]
    first = [e["summary"] for e in kinds(events, "frame.sent") if e["node"] == "pc2"][0]
    assert first == "10.0.0.2 is at 02:00:00:00:00:02"
    assert not [e for e in kinds(events, "frame.sent") if e["node"] == "pc2" and "Who has" in e["summary"]]


def test_probe_without_answer_fails_after_three_unicast_requests():
    net, events = build(lan(2))
    net.command("pc1", "ping -c 1 10.0.0.2", at=0.0)
    net.run_until(50)
    net.nodes["pc2"].stack.set_address("eth0", None)  # pc2 stops answering for 10.0.0.2
    net.command("pc1", "ping -c 1 -W 20 10.0.0.2", at=60.0)
    net.run_until(90)
    got = states(events, "pc1")
    assert [(t, new) for t, _o, new in got[3:]] == [(60 * S, "DELAY"), (65 * S, "PROBE"), (68 * S, "FAILED")]
    probes = [e["t"] for e in kinds(events, "frame.sent") if e["node"] == "pc1" and "Who has" in e["summary"]]
    assert probes[1:] == [65 * S, 66 * S, 67 * S]  # ucast_solicit=3, retrans_time 1 s
    assert net.tables()["nodes"]["pc1"]["arp"][0]["state"] == "FAILED"


def test_a_request_from_a_new_mac_updates_the_entry():
    net, events = build(lan(3))
    net.command("pc1", "ping -c 1 10.0.0.2", at=0.0)
    net.run_until(1)
    # pc3 takes over 10.0.0.2 and asks pc1 something: pc1 learns the new MAC as STALE.
    net.nodes["pc2"].stack.set_address("eth0", None)
    net.nodes["pc3"].stack.set_address("eth0", "10.0.0.2/24")
    net.command("pc3", "ping -c 1 10.0.0.1", at=2.0)
    net.run_until(3)
    entry = [r for r in net.tables()["nodes"]["pc1"]["arp"] if r["ip"] == "10.0.0.2"][0]
    assert entry["mac"] == "02:00:00:00:00:03"
    assert states(events, "pc1")[-2:][0][2] == "STALE"


def test_packets_wait_in_the_queue_during_resolution():
    net, events = build(lan(2))
    stack = net.nodes["pc1"].stack
    for i in range(3):
        net.engine.at(i * 100, stack.udp_send, 1000 + i, "10.0.0.2", 7, b"x")
    net.run_until(1)
    sent = [e for e in kinds(events, "frame.sent") if e["node"] == "pc1"]
    assert [e["summary"].split(" ")[0] for e in sent] == ["Who", "1000", "1001", "1002"]
    assert len({e["t"] for e in sent[1:]}) == 1  # flushed together when the reply came


def test_arp_observers_see_every_arp_packet_received():
    net, _ = build(lan(2))
    seen = []
    net.nodes["pc2"].stack.arp_observers.append(lambda st, arp, nic: seen.append((net.now_ns, arp.op, arp.spa, nic.name)))
    net.engine.at(0, net.nodes["pc1"].stack.send_arp_request, net.nodes["pc1"].nics["eth0"], "10.0.0.77", None)
    net.command("pc1", "ping -c 1 10.0.0.2", at=1.0)
    net.run_until(2)
    assert seen == [(100 * US, 1, "10.0.0.1", "eth0"), (S + 100 * US, 1, "10.0.0.1", "eth0")]


def test_an_application_puts_an_entry_in_and_the_frame_leaves_without_asking():
    # As dnsmasq does with a new client's chaddr: pc2 does not hold 10.0.0.77, so it would never
    # answer ARP for it, yet the unicast reaches its MAC.
    net, events = build(lan(2))
    stack = net.nodes["pc1"].stack
    net.engine.at(0, stack.add_neighbour, "eth0", "10.0.0.77", "02:00:00:00:00:02", "DHCP OFFER")
    net.engine.at(10 * US, stack.udp_send, 67, "10.0.0.77", 68, b"offer")
    net.run_until(6)
    sent = [(e["t"], e["layers"][0]["dst"], e["summary"]) for e in kinds(events, "frame.sent") if e["node"] == "pc1"]
    assert sent[0] == (10 * US, "02:00:00:00:00:02", "67 \u2192 68 Len=5")
    # Nobody confirms it: after delay_first_probe_time the entry is re-asked by unicast.
    assert sent[1] == (5 * S + 10 * US, "02:00:00:00:00:02", "Who has 10.0.0.77? Tell 10.0.0.1")
    assert [(t, old, new) for t, old, new in states(events, "pc1")][:3] == [
        (0, None, "STALE"), (10 * US, "STALE", "DELAY"), (5 * S + 10 * US, "DELAY", "PROBE")]
    assert [e["why"] for e in kinds(events, "arp.entry") if e["node"] == "pc1"][0] == "DHCP OFFER"
    dropped = [e for e in kinds(events, "packet.dropped") if e["node"] == "pc2"]
    assert dropped[0]["reason"] == "ip.not_for_us" and dropped[0]["dst"] == "10.0.0.77"


@pytest.mark.parametrize("dev, ip, mac, message", [
    ("eth9", "10.0.0.5", "02:00:00:00:00:05", "pc1: no NIC named 'eth9' for the ARP entry of 10.0.0.5"),
    ("eth0", "10.0.0.256", "02:00:00:00:00:05", "pc1: '10.0.0.256' is not an IPv4 address (ARP entry on eth0)"),
    ("eth0", "10.0.0.5", "02:00:00:00:00", "pc1: '02:00:00:00:00' is not a MAC address like 08:00:27:00:00:01 "
     "(ARP entry for 10.0.0.5 on eth0)"),
    ("eth0", "10.0.0.5", "02:00:00:00:00:0G", "pc1: '02:00:00:00:00:0G' is not a MAC address"),
])
def test_a_bad_application_entry_is_refused_and_changes_nothing(dev, ip, mac, message):
    net, events = build(lan(2))
    with pytest.raises(ValueError) as err:
        net.nodes["pc1"].stack.add_neighbour(dev, ip, mac)
    assert str(err.value).startswith(message)
    assert net.nodes["pc1"].stack.neigh.entries == {} and kinds(events, "arp.entry") == []
