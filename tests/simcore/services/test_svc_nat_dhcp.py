"""examples/nat-dhcp.json: DORA with the probe through the NAT network, masqueraded pings, tables."""

from __future__ import annotations

import pytest
from svc_runs import TSHARK, S, bare, console, example, run_cli, run_example, tshark_info, tshark_problems

NAME = "nat-dhcp.json"


@pytest.fixture(scope="module")
def net():
    return run_example(NAME, 20.0)


def test_vm_leases_the_range_start_and_pings_three_of_three(net):
    facts = [(f["kind"], f.get("address"), f.get("received"), f.get("transmitted")) for f in net.facts()
             if f["kind"] in ("dhcp", "ping")]
    assert facts == [("dhcp", "10.0.2.15/24", None, None), ("ping", None, 3, 3)]
    replies = [line for line in console(net, "vm") if line.startswith("64 bytes")]
    assert replies == [
        "64 bytes from 203.0.113.10: icmp_seq=1 ttl=63 time=0.400 ms",
        "64 bytes from 203.0.113.10: icmp_seq=2 ttl=63 time=0.200 ms",
        "64 bytes from 203.0.113.10: icmp_seq=3 ttl=63 time=0.200 ms",
    ]


def test_vm_has_the_address_and_default_route(net):
    table = net.tables()["nodes"]["vm"]
    assert [a["ip"] for a in table["addresses"]] == ["10.0.2.15/24"]
    assert [(r["to"], r.get("via"), r["dev"]) for r in table["routes"]] == [
        ("default", "10.0.2.2", "eth0"),
        ("10.0.2.0/24", None, "eth0"),
    ]


def test_lease_table_in_tables(net):
    leases = net.tables()["dhcp_leases"]["hv"]["natnet"]
    assert [(lease["mac"], lease["ip"], lease["hostname"], lease["state"]) for lease in leases] == [
        ("08:00:27:00:02:15", "10.0.2.15", "vm", "bound")
    ]
    assert net.tables()["nat"]["natnet"]["leases"] == leases


def test_conntrack_in_tables_and_on_the_console(net):
    rows = net.tables()["nat"]["natnet"]["conntrack"]
    assert len(rows) == 1
    assert console(net, "hv") == [
        rows and console(net, "hv")[0],
        "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.",
    ]
    assert console(net, "hv")[0].startswith("icmp     1 ")
    assert "src=10.0.2.15 dst=203.0.113.10 type=8 code=0" in console(net, "hv")[0]
    assert "src=203.0.113.10 dst=203.0.113.2 type=0 code=0" in console(net, "hv")[0]


def test_the_probe_and_dora_conversation_in_order():
    trace: list = []
    run_example(NAME, 6.0, trace=trace)
    dhcp = [(e["t"], e["kind"]) for e in trace if e["kind"].startswith("dhcp.")]
    t0 = 1 * S
    assert dhcp == [
        (t0, "dhcp.discover"),  # vm broadcasts DISCOVER
        (t0 + 50_000, "dhcp.probe"),  # hv: ARP who-has try 1 and an ICMP echo
        (t0 + S + 50_000, "dhcp.probe"),  # try 2
        (t0 + 2 * S + 50_000, "dhcp.probe"),  # try 3
        (t0 + 3 * S + 50_000, "dhcp.probe"),  # hv: nothing answered: the address is free
        (t0 + 3 * S + 50_000, "dhcp.offer"),  # before dhclient's retransmission (6 s here, 3..8 s)
        (t0 + 3 * S + 100_000, "dhcp.select"),
        (t0 + 3 * S + 150_000, "dhcp.ack"),
        (t0 + 3 * S + 200_000, "dhcp.bound"),
    ]


def test_the_router_answers_pings_to_its_own_public_address():
    net = run_example(NAME, 20.0)
    net.command("out", "ping -c 1 -W 1 203.0.113.2", at=20.0)
    net.run_until(23.0)
    # The router's own traffic is tracked but not translated (nat.local): hv itself answers.
    assert [f["received"] for f in net.facts() if f["kind"] == "ping" and f["node"] == "out"] == [1]


def test_dhclient_release_removes_the_address_and_frees_the_lease():
    net = run_example(NAME, 6.0)
    net.command("vm", "dhclient -v -r eth0")
    net.run_until(7.0)
    assert [a["ip"] for a in net.tables()["nodes"]["vm"]["addresses"]] == [None]
    assert net.tables()["dhcp_leases"]["hv"]["natnet"] == []
    assert console(net, "vm")[-1].startswith("DHCPRELEASE of 10.0.2.15 on eth0 to 10.0.2.2 port 67")


@pytest.mark.parametrize(
    ("line", "out", "status"),
    [
        ("dhclient", ["Usage: dhclient [-v] [-r] [interface]"], 1),
        ("dhclient eth7", ['Cannot find device "eth7"'], 1),
        ("dhclient -x eth0", ["Unknown command: -x", "Usage: dhclient [-v] [-r] [interface]"], 1),
        ("dhclient eth0", [], 0),
    ],
)
def test_dhclient_arguments(line, out, status):
    net = bare(example(NAME))
    assert net.nodes["vm"].console.run(line) == status
    assert console(net, "vm") == out


def test_dhclient_verbose_prints_dhclients_log():
    net = bare(example(NAME))
    net.nodes["vm"].console.run("dhclient -v eth0")
    net.run_until(6.0)
    lines = console(net, "vm")
    xid = lines[0].split("(xid=")[1]
    # dhclient's first interval is 3 + random() % 6; the renewal 75..100 % of dnsmasq's T1 of 1800 s.
    interval = int(lines[0].split(" interval ")[1].split(" ")[0])
    renewal = int(lines[4].split(" renewal in ")[1].split(" ")[0])
    assert 3 <= interval <= 8 and 1350 <= renewal <= 1800
    assert lines == [
        f"DHCPDISCOVER on eth0 to 255.255.255.255 port 67 interval {interval} (xid={xid}",
        "DHCPOFFER of 10.0.2.15 from 10.0.2.2",
        f"DHCPREQUEST for 10.0.2.15 on eth0 to 255.255.255.255 port 67 (xid={xid}",
        f"DHCPACK of 10.0.2.15 from 10.0.2.2 (xid={xid}",
        f"bound to 10.0.2.15 -- renewal in {renewal} seconds.",
    ]


def test_cli_prints_the_facts(tmp_path):
    _out, stdout = run_cli(tmp_path, NAME, "a", 0)
    facts = stdout.split("# facts\n", 1)[1].splitlines()
    assert facts[:2] == [
        "vm: eth0 leased 10.0.2.15/24 from 10.0.2.2 for 3600 s, router 10.0.2.2",
        facts[1],
    ]
    assert facts[1].startswith("vm: ping 203.0.113.10: 3/3 replies, 0 errors")


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
def test_pcaps_dissect_cleanly_and_show_dora_then_ttl_63(tmp_path):
    out, _ = run_cli(tmp_path, NAME, "a", 0)
    assert sorted(p.name for p in out.glob("*.pcap")) == ["hv_uplink.pcap", "vm_eth0.pcap"]
    for pcap in out.glob("*.pcap"):
        assert tshark_problems(pcap) == "", pcap.name
    info = tshark_info(out / "vm_eth0.pcap", ("dhcp.option.dhcp", "arp.dst.proto_ipv4", "ip.ttl"))
    kinds = [line.split("|")[0] or ("arp" if line.split("|")[1] else "ip") for line in info]
    # DISCOVER, 3 ARP probes, dnsmasq's ping (unicast to the client once dnsmasq put its MAC in
    # the ARP cache), OFFER, REQUEST, ACK.
    assert kinds[:8] == ["1", "arp", "arp", "arp", "ip", "2", "3", "5"]
    uplink = tshark_info(out / "hv_uplink.pcap", ("ip.src", "ip.dst", "ip.ttl", "icmp.type"))
    echoes = [line for line in uplink if line.endswith("|8")]
    assert echoes and all(line.startswith("203.0.113.2|203.0.113.10|63|") for line in echoes)


def test_deterministic_across_hash_seeds(tmp_path):
    a, out_a = run_cli(tmp_path, NAME, "a", 0)
    b, out_b = run_cli(tmp_path, NAME, "b", 4242)
    names = sorted(p.name for p in a.iterdir())
    assert names == ["hv_uplink.pcap", "trace.jsonl", "vm_eth0.pcap"]
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert out_a.replace(str(a), "DIR") == out_b.replace(str(b), "DIR")


def documented_note_kinds() -> set[str]:
    import re

    from svc_runs import ROOT

    doc = (ROOT / "docs" / "trace-events.md").read_text(encoding="utf-8")
    section = doc.split("## Protocol notes", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`((?:dhcp|tcp|nat)\.[a-z_-]+)`", section))


@pytest.mark.parametrize("name", ["nat-dhcp.json", "port-forward.json"])
def test_every_note_kind_in_the_examples_is_documented_with_a_sentence(name):
    trace: list = []
    run_example(name, 20.0, trace=trace)
    notes = [e for e in trace if e["kind"].split(".")[0] in ("dhcp", "tcp", "nat")]
    assert {e["kind"] for e in notes} - documented_note_kinds() == set()
    assert notes and all(e["text"] and e["node"] in ("vm", "hv", "out") for e in notes)


def test_renewal_at_t1_is_unicast_to_the_server_and_keeps_the_address():
    trace: list = []
    net = run_example(NAME, 1900.0, trace=trace)
    bound = next(e for e in trace if e["kind"] == "dhcp.bound")
    bound_at = bound["t"]
    renewal_s = int(bound["text"].split("it renews in ")[1].split(" s")[0])
    assert 1350 <= renewal_s <= 1800  # dhclient's T1: 75..100 % of dnsmasq's 1800 s
    renew = [e for e in trace if e["kind"] == "dhcp.renew"]
    # The renewal timer: the whole second of the ACK plus the drawn T1, plus a random microsecond.
    assert len(renew) == 1 and 0 <= renew[0]["t"] - (bound_at // S + renewal_s) * S < S
    # The REQUEST goes from 10.0.2.15 to the server (routed, ARP-resolved), the ACK back to it.
    sent = [e for e in trace if e["kind"] == "frame.sent" and e["t"] >= renew[0]["t"] and "UDP" in e["text"]]
    assert sent and all("10.0.2.2" in e["text"] or "hv" in e["text"] for e in sent[:1])
    assert [e["t"] for e in trace if e["kind"] == "dhcp.bound"][1:] == [renew[0]["t"] + 100_000]
    assert [a["ip"] for a in net.tables()["nodes"]["vm"]["addresses"]] == ["10.0.2.15/24"]
    lease = net.tables()["dhcp_leases"]["hv"]["natnet"][0]
    assert lease["expires_at_ns"] == renew[0]["t"] + 50_000 + 3600 * S  # extended when the REQUEST arrives


def test_tcp_and_udp_from_the_vm_are_masqueraded_out_and_back():
    doc = example(NAME)
    nodes = {n["id"]: n for n in doc["nodes"]}
    nodes["out"]["services"] = [{"kind": "http", "port": 80, "body": "outside\n"}, {"kind": "udp_sink", "port": 9}]
    nodes["vm"]["services"] = [{"kind": "udp_traffic", "to": "203.0.113.10", "port": 9, "interval_s": 1,
                                "size": 20, "start_s": 8}]
    doc["script"] = [{"at": 1.0, "node": "vm", "command": "dhclient eth0"},
                     {"at": 8.5, "node": "vm", "command": "curl http://203.0.113.10/"}]
    from simcore.network import Network

    net = Network.from_design(doc)
    net.run_until(10.2)
    assert console(net, "vm") == ["outside"]
    assert net.tables()["services"]["out"][1]["received"] == 3  # sent at 8, 9 and 10 s
    rows = net.tables()["nat"]["natnet"]["conntrack"]
    assert sorted((row["protocol"], row["nat"], row["reply"]["dst"], row["seen_reply"]) for row in rows) == [
        ("tcp", "snat", "203.0.113.2", True),  # the curl: replies come back to the public address
        ("udp", "snat", "203.0.113.2", False),  # datagrams to the sink: nothing comes back
    ]
