"""ARP and switch learning as a conversation: the exact frames and switch decisions, in order."""

from sim_designs import MS, S, build, example, kinds, lan, link, out, pc

from simcore.packets import ARP_REPLY, ETH_ARP, Arp, Ethernet

T1 = 1 * S  # the script's ping starts at 1 s
US = 1000


def test_first_ping_conversation_on_the_internal_switch():
    net, events = build(example())
    net.run_until(1.0005)
    seen = [(e["t"] - T1, e["kind"], e["node"], e.get("nic", e.get("port")), e.get("summary"))
            for e in kinds(events, "frame.sent", "frame.received", "switch.learned", "switch.flooded",
                           "switch.forwarded")]
    who_has = "Who has 192.168.56.12? Tell 192.168.56.11"
    is_at = "192.168.56.12 is at 08:00:27:00:56:12"
    assert seen == [
        (0, "frame.sent", "vm1", "eth0", who_has),
        (50 * US, "switch.learned", "intnet", 1, None),
        (50 * US, "switch.flooded", "intnet", 1, who_has),
        (50 * US, "frame.sent", "intnet", 2, who_has),
        (50 * US, "frame.sent", "intnet", 3, who_has),
        (100 * US, "frame.received", "vm2", "eth0", who_has),
        (100 * US, "frame.sent", "vm2", "eth0", is_at),  # unicast reply, without asking back
        (100 * US, "frame.received", "vm3", "eth0", who_has),
        (150 * US, "switch.learned", "intnet", 2, None),
        (150 * US, "switch.forwarded", "intnet", 2, is_at),
        (150 * US, "frame.sent", "intnet", 1, is_at),
        (200 * US, "frame.received", "vm1", "eth0", is_at),
        (200 * US, "frame.sent", "vm1", "eth0", f"Echo (ping) request id=0x{_ident(net):04x}, seq=1/256, ttl=64"),
        (250 * US, "switch.forwarded", "intnet", 1, f"Echo (ping) request id=0x{_ident(net):04x}, seq=1/256, ttl=64"),
        (250 * US, "frame.sent", "intnet", 2, f"Echo (ping) request id=0x{_ident(net):04x}, seq=1/256, ttl=64"),
        (300 * US, "frame.received", "vm2", "eth0", f"Echo (ping) request id=0x{_ident(net):04x}, seq=1/256, ttl=64"),
        (300 * US, "frame.sent", "vm2", "eth0", f"Echo (ping) reply id=0x{_ident(net):04x}, seq=1/256, ttl=64"),
        (350 * US, "switch.forwarded", "intnet", 2, f"Echo (ping) reply id=0x{_ident(net):04x}, seq=1/256, ttl=64"),
        (350 * US, "frame.sent", "intnet", 1, f"Echo (ping) reply id=0x{_ident(net):04x}, seq=1/256, ttl=64"),
        (400 * US, "frame.received", "vm1", "eth0", f"Echo (ping) reply id=0x{_ident(net):04x}, seq=1/256, ttl=64"),
    ]


def _ident(net) -> int:
    return next(f["ident"] for f in net.facts() if f["kind"] == "ping") if any(
        f["kind"] == "ping" for f in net.facts()) else net.nodes["vm1"].console.jobs[0].ident


def test_the_sentences_name_the_users_devices():
    net, events = build(example())
    net.run_until(1.0002)
    texts = [e["text"] for e in events if e["kind"] in ("frame.sent", "switch.learned", "arp.entry")]
    assert texts[:7] == [
        "vm1 does not know the MAC address of vm2 (192.168.56.12): it holds the packet and asks (ARP entry INCOMPLETE)",
        "vm1 asks everyone on intnet: who has 192.168.56.12? (ARP request, broadcast)",
        "intnet learns that 08:00:27:00:56:11 (vm1) is behind port 1 (link to vm1)",
        "intnet sends an ARP request out port 2 (link to vm2)",
        "intnet sends an ARP request out port 3 (link to vm3)",
        "vm2 learns from the request that vm1 (192.168.56.11) is at 08:00:27:00:56:11, without asking back "
        "(ARP entry STALE)",
        "vm2 answers vm1: 192.168.56.12 is at 08:00:27:00:56:12 (ARP reply, unicast)",
    ]


def test_the_idle_vm_sees_only_the_flooded_request():
    net, _ = build(example())
    net.run_until(60)
    frames = net.captures["vm3_eth0"].records
    assert len(frames) == 1
    t, frame = frames[0]
    assert t == T1 + 100 * US
    assert frame.dst == "ff:ff:ff:ff:ff:ff"
    assert (frame.payload.op, frame.payload.spa, frame.payload.tpa) == (1, "192.168.56.11", "192.168.56.12")
    assert frame.emit() == bytes.fromhex(
        "ffffffffffff080027005611" "0806" "0001080006040001" "080027005611" "c0a8380b" "000000000000" "c0a8380c"
    ) + bytes(18)


def test_switch_learns_forwards_known_unicast_and_floods_unknown():
    net, events = build(lan(3))
    net.command("pc1", "ping -c 1 10.0.0.2", at=0.0)
    net.run_until(1.0)
    sw = net.nodes["sw"]
    assert [(r["mac"], r["port"], r["link"]) for r in sw.fdb_rows()] == [
        ("02:00:00:00:00:01", 1, "l1"), ("02:00:00:00:00:02", 2, "l2")]
    decisions = [(e["kind"], e.get("why"), e.get("out_ports", e.get("out_port")))
                 for e in kinds(events, "switch.flooded", "switch.forwarded")]
    assert decisions == [("switch.flooded", "broadcast", [2, 3]), ("switch.forwarded", None, 1),
                         ("switch.forwarded", None, 2), ("switch.forwarded", None, 1)]
    assert sw.counters == {"flooded": 1, "forwarded": 3, "filtered": 0, "learned": 2, "aged": 0}


def test_unknown_unicast_is_flooded_and_dropped_by_the_other_nics():
    # pc1 knows pc2's MAC from an earlier exchange, but the switch has forgotten it (aging 1 s).
    net, events = build(lan(3, aging_s=1))
    net.command("pc1", "ping -c 2 -i 3 10.0.0.2", at=0.0)
    net.run_until(3.5)
    flooded = [e for e in kinds(events, "switch.flooded") if e["why"] == "unknown"]
    assert [(e["t"], e["mac"], e["out_ports"]) for e in flooded] == [(3 * S + 50 * US, "02:00:00:00:00:02", [2, 3])]
    drops = [(e["node"], e["reason"]) for e in kinds(events, "packet.dropped")]
    assert ("pc3", "eth.not_for_us") in drops
    assert out(net, "pc1")[2].startswith("64 bytes from 10.0.0.2: icmp_seq=2 ttl=64")


def test_switch_entries_age_out():
    net, events = build(lan(2, aging_s=10))
    net.command("pc1", "ping -c 1 10.0.0.2", at=0.0)
    net.run_until(9.0)
    assert len(net.nodes["sw"].fdb) == 2
    net.run_until(30.0)
    # Each MAC is forgotten 10 s after the switch last saw a frame from it (pc2's ARP probe at
    # ~5 s, DELAY -> PROBE, refreshed both entries).
    last_seen = {}
    for e in kinds(events, "frame.sent"):
        if e["node"] in ("pc1", "pc2"):
            last_seen[e["node"]] = e["arrives"]
    aged = kinds(events, "switch.aged")
    assert [(e["t"], e["mac"], e["port"]) for e in aged] == sorted([
        (last_seen["pc1"] + 10 * S, "02:00:00:00:00:01", 1), (last_seen["pc2"] + 10 * S, "02:00:00:00:00:02", 2)])
    assert last_seen["pc1"] > 5 * S
    assert aged[1]["text"] == "sw forgets 02:00:00:00:00:01 (pc1) on port 1 (link to pc1): not seen for 10 s"
    assert net.nodes["sw"].fdb == {}


def test_a_refresh_postpones_aging():
    net, events = build(lan(2, aging_s=10))
    net.command("pc1", "ping -c 3 -i 4 10.0.0.2", at=0.0)
    net.run_until(15.0)
    # pc1 was last seen at 8 s (third ping): its entry lives until 18 s.
    assert [r["mac"] for r in net.nodes["sw"].fdb_rows()] == ["02:00:00:00:00:01", "02:00:00:00:00:02"]
    net.run_until(18.0 + 0.001)
    assert [e["mac"] for e in kinds(events, "switch.aged")] == ["02:00:00:00:00:01", "02:00:00:00:00:02"]
    assert kinds(events, "switch.aged")[0]["t"] == 8 * S + 50 * US + 10 * S


def test_frame_back_out_of_its_ingress_port_is_filtered():
    # pc8 and pc9 sit behind a second switch sw2, whose uplink is port 2 of sw.
    doc = lan(1)
    doc["nodes"] += [{"id": "sw2", "kind": "lan_switch"},
                     pc("pc8", ("eth0", "02:00:00:00:00:08", "10.0.0.8/24")),
                     pc("pc9", ("eth0", "02:00:00:00:00:09", "10.0.0.9/24"))]
    doc["links"] += [{"id": "up", "a": {"node": "sw2"}, "b": {"node": "sw"}},
                     link("l8", "pc8", "sw2"), link("l9", "pc9", "sw2")]
    net, events = build(doc)
    net.command("pc8", "ping -c 1 10.0.0.9", at=0.0)
    net.run_until(1.0)
    assert out(net, "pc8")[1].startswith("64 bytes from 10.0.0.9")
    sw = net.nodes["sw"]
    assert [(r["mac"], r["link"]) for r in sw.fdb_rows()] == [("02:00:00:00:00:08", "up")]
    # A frame for pc8 that enters sw on the uplink (where pc8 is) must not go back out of it.
    up_port = sw.ports[1]
    sw.receive(up_port, Ethernet("02:00:00:00:00:08", "02:00:00:00:00:09", ETH_ARP,
                                 Arp(ARP_REPLY, "02:00:00:00:00:09", "10.0.0.9", "02:00:00:00:00:08", "10.0.0.8")))
    f = kinds(events, "switch.filtered")
    assert [(e["node"], e["port"], e["reason"]) for e in f] == [("sw", 2, "switch.same_port")]
    assert f[0]["text"] == ("sw drops the frame: 02:00:00:00:00:08 (pc8) is behind port 2 (link to sw2), "
                            "where it came from")
    assert sw.counters["filtered"] == 1


def test_rtt_reflects_link_delays():
    doc = lan(2)
    for lk in doc["links"]:
        lk["delay_us"] = 1000
    net, _ = build(doc)
    net.command("pc1", "ping -c 2 10.0.0.2", at=0.0)
    net.run_until(5)
    lines = out(net, "pc1")
    # First RTT includes the ARP exchange: 4 one-way trips of 2 links.
    assert lines[1] == "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=8.00 ms"
    assert lines[2] == "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=4.00 ms"
    assert MS == 1_000_000
