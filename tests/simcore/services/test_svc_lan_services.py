"""Services on a plain LAN: a DHCP server appliance, UDP traffic and sinks, TCP/HTTP and curl's errors."""

from __future__ import annotations

import pytest
from svc_runs import bare, console

from simcore.design import DesignError, validate
from simcore.network import Network

DHCP = {"kind": "dhcp", "nic": "eth0", "range_start": "198.51.100.100", "range_end": "198.51.100.150",
        "lease_s": 3600, "router": "198.51.100.1", "dns": ["198.51.100.1"]}


def lan(*, server=None, pc_services=(), web_services=(), box_kind="dhcp_server", box_ip="198.51.100.1/24"):
    """Switch lan; a DHCP box (dhcpsrv), pc (DHCP or static) and web (198.51.100.20)."""
    box = {"id": "dhcpsrv", "kind": box_kind, "nics": [{"name": "eth0", "mac": "02:00:00:51:00:01", "ip": box_ip}],
           "services": [server or DHCP]}
    return {
        "version": 1,
        "nodes": [
            {"id": "lan", "kind": "lan_switch"},
            box,
            {"id": "pc", "kind": "outside_host",
             "nics": [{"name": "eth0", "mac": "02:00:00:51:00:99", "ip": "dhcp"}], "services": list(pc_services)},
            {"id": "web", "kind": "outside_host",
             "nics": [{"name": "eth0", "mac": "02:00:00:51:00:20", "ip": "198.51.100.20/24"}],
             "services": list(web_services)},
        ],
        "links": [
            {"id": "l1", "a": {"node": "dhcpsrv", "nic": "eth0"}, "b": {"node": "lan"}},
            {"id": "l2", "a": {"node": "pc", "nic": "eth0"}, "b": {"node": "lan"}},
            {"id": "l3", "a": {"node": "web", "nic": "eth0"}, "b": {"node": "lan"}},
        ],
    }


def leased(net, node="pc"):
    return [a["ip"] for a in net.tables()["nodes"][node]["addresses"]]


@pytest.mark.parametrize("box_kind", ["dhcp_server", "outside_host"])
def test_a_dhcp_service_leases_the_range_start(box_kind):
    doc = lan(box_kind=box_kind)
    assert validate(doc) == []
    net = bare(doc)
    net.command("pc", "dhclient eth0", at=1.0)
    net.run_until(6.0)
    assert leased(net) == ["198.51.100.100/24"]
    assert [(row["ip"], row["state"]) for row in net.tables()["dhcp_leases"]["dhcpsrv"]["eth0"]] == [
        ("198.51.100.100", "bound")]
    assert net.tables()["services"]["dhcpsrv"][0]["leases"][0]["mac"] == "02:00:00:51:00:99"


def test_a_probe_that_finds_a_squatter_offers_the_next_address():
    doc = lan(web_services=())
    doc["nodes"][3]["nics"][0]["ip"] = "198.51.100.100/24"  # web squats the range start
    net = bare(doc)
    net.command("pc", "dhclient eth0", at=1.0)
    net.run_until(12.0)
    assert leased(net) == ["198.51.100.101/24"]
    states = [(row["ip"], row["state"]) for row in net.tables()["dhcp_leases"]["dhcpsrv"]["eth0"]]
    assert states == [("198.51.100.100", "conflict"), ("198.51.100.101", "bound")]


def test_without_probe_the_offer_is_immediate():
    net = bare(lan(server={**DHCP, "probe": False}))
    net.command("pc", "dhclient eth0", at=1.0)
    net.run_until(1.01)
    assert leased(net) == ["198.51.100.100/24"]


def test_a_dhcp_service_needs_a_static_address():
    doc = lan(box_ip="198.51.100.1/24")
    doc["nodes"][1]["nics"][0]["ip"] = "dhcp"
    with pytest.raises(DesignError) as caught:
        Network.from_design(doc)
    assert [(p.code, p.path, p.msg) for p in caught.value.problems] == [
        ("build.service", "nodes[1].services", "dhcpsrv: a DHCP server on eth0 needs a static address there")]


def test_udp_traffic_to_a_sink_is_counted():
    sender = {"kind": "udp_traffic", "to": "198.51.100.20", "port": 9, "interval_s": 0.5, "size": 100, "start_s": 1}
    doc = lan(server={**DHCP, "probe": False}, web_services=[{"kind": "udp_sink", "port": 9}])
    doc["nodes"][1]["services"].append(sender)
    net = bare(doc)
    net.run_until(3.2)
    rows = net.tables()["services"]
    assert rows["web"] == [{"kind": "udp_sink", "port": 9, "received": 5, "bytes": 500}]
    assert [(r["sent"], r["errors"]) for r in rows["dhcpsrv"][1:]] == [(5, 0)]  # at 1, 1.5, 2, 2.5, 3 s


def random_traffic_lan(hosts: int) -> dict:
    sender = {"kind": "udp_traffic", "to": "random", "port": 9, "interval_s": 1, "size": 10}
    sink = {"kind": "udp_sink", "port": 9}
    doc = lan(server={**DHCP, "probe": False}, web_services=[sender, sink])
    for k in range(2, hosts + 1):
        doc["nodes"].append({"id": f"web{k}", "kind": "outside_host", "services": [sender, sink],
                             "nics": [{"name": "eth0", "ip": f"198.51.100.{19 + k}/24"}]})
        doc["links"].append({"id": f"l{k + 2}", "a": {"node": f"web{k}", "nic": "eth0"}, "b": {"node": "lan"}})
    return doc


def test_udp_traffic_to_random_picks_one_other_node_of_its_kind_with_the_run_rng():
    doc = random_traffic_lan(4)
    runs = []
    for seed in (5, 5, 6):
        net = bare(doc, seed=seed)
        net.run_until(4.5)
        rows = net.tables()["services"]
        senders = {node: rows[node][0] for node in ("web", "web2", "web3", "web4")}
        # outside hosts with a static address: web, web2..web4 (pc has none). Never itself.
        assert all(row["dst"] != net.nodes[node].stack.primary_ip("eth0") for node, row in senders.items())
        assert [row["sent"] for row in senders.values()] == [5, 5, 5, 5]
        assert sum(rows[node][1]["received"] for node in senders) == 20
        runs.append(tuple(row["dst"] for row in senders.values()))
    assert runs[0] == runs[1]  # same seed, same choices
    assert runs[0] != runs[2]  # another seed draws others


def test_curl_to_a_closed_port_on_a_host_is_refused_by_its_kernel():
    net = bare(lan(web_services=[{"kind": "http", "port": 80, "body": "hi\n"}]))
    for at, line in ((1.0, "dhclient eth0"), (6.0, "curl http://198.51.100.20/"), (7.0, "curl http://198.51.100.20:81/")):
        net.command("pc", line, at=at)
    net.run_until(8.0)
    assert console(net, "pc") == [
        "hi",
        "curl: (7) Failed to connect to 198.51.100.20 port 81 after 0 ms: Couldn't connect to server",
    ]


@pytest.mark.parametrize(
    ("line", "out", "status"),
    [
        ("curl http://www.example.com/", ["curl: (6) Could not resolve host: www.example.com"], 6),
        # no address yet, so no route: connect() fails at once, no SYN leaves
        ("curl http://198.51.100.20/",
         ["curl: (7) Failed to connect to 198.51.100.20 port 80 after 0 ms: Couldn't connect to server"], 7),
    ],
)
def test_curl_errors_before_any_segment(line, out, status):
    net = bare(lan())
    net.command("pc", line, at=1.0)
    net.run_until(2.0)
    assert console(net, "pc") == out
    assert [f["exit"] for f in net.facts() if f["kind"] == "command"] == [status]


def test_ss_shows_a_connection_in_time_wait_on_the_server():
    net = bare(lan(web_services=[{"kind": "http", "port": 80}]))
    net.command("pc", "dhclient eth0", at=1.0)
    net.command("pc", "curl -s http://198.51.100.20/", at=6.0)
    net.command("web", "ss -tan", at=7.0)
    net.run_until(7.0)
    lines = console(net, "web")
    assert lines[1].split()[:1] + lines[1].split()[3:4] == ["LISTEN", "0.0.0.0:80"]
    assert lines[2].split()[0] == "TIME-WAIT"
    assert lines[2].split()[3:5][0] == "198.51.100.20:80"
    assert lines[2].split()[4].startswith("198.51.100.100:")


def test_http_traffic_is_traced_with_tcp_kinds():
    trace: list = []
    net = bare(lan(web_services=[{"kind": "http", "port": 80}]), trace=trace)
    net.command("pc", "dhclient eth0", at=1.0)
    net.command("pc", "curl -s http://198.51.100.20/", at=6.0)
    net.run_until(7.0)
    kinds = [e["kind"] for e in trace if e["kind"].startswith("tcp.")]
    assert kinds[:1] == ["tcp.connect"]
    assert "tcp.established" in kinds and "tcp.time_wait" in kinds
    assert all(e["node"] in ("pc", "web") for e in trace if e["kind"].startswith("tcp."))


def test_an_icmp_host_unreachable_ends_curls_connect():
    # Nobody has 198.51.100.77: ARP gives up after 3 s and the stack answers the SYN with ICMP host
    # unreachable; TCP takes it (RFC 1122 4.2.3.9) and curl fails then, not after 127 s of SYNs.
    net = bare(lan())
    net.command("pc", "dhclient eth0", at=1.0)
    net.command("pc", "curl http://198.51.100.77/", at=6.0)
    net.run_until(12.0)
    assert console(net, "pc") == [
        "curl: (7) Failed to connect to 198.51.100.77 port 80 after 3000 ms: Couldn't connect to server"]
    assert [(f["t"], f["exit"]) for f in net.facts() if f["kind"] == "command"][-1] == (9_000_000_000, 7)
