"""examples/port-forward.json: HTTP through a port forward (the VM sees the real client), RST for no rule."""

from __future__ import annotations

import pytest
from svc_runs import TSHARK, console, run_cli, run_example, tshark_info, tshark_problems

NAME = "port-forward.json"
BODY = "<h1>hello from the vm</h1>"
REFUSED = "curl: (7) Failed to connect to 203.0.113.2 port 8081 after 0 ms: Couldn't connect to server"


@pytest.fixture(scope="module")
def net():
    return run_example(NAME, 20.0)


def test_curl_prints_the_body_then_cannot_connect(net):
    assert console(net, "out") == [BODY, REFUSED]
    curls = [(f["line"], f["exit"], f["http_status"]) for f in net.facts() if f["kind"] == "curl"]
    assert curls == [
        ("curl http://203.0.113.2:8080/", 0, 200),
        ("curl http://203.0.113.2:8081/", 7, None),
    ]


def test_the_web_server_logged_one_request(net):
    assert net.tables()["services"]["vm"] == [
        {"kind": "http", "port": 80, "server": "http.server",
         "served": [{"request": "GET / HTTP/1.1", "status": 200, "bytes": len(BODY) + 1}]}
    ]


def test_port_forward_rule_counted_a_hit(net):
    rows = net.tables()["nat"]["natnet"]["port_forwards"]
    assert [(r["name"], r["protocol"], r["host_port"], r["guest_ip"], r["guest_port"], r["hits"]) for r in rows] == [
        ("web", "tcp", 8080, "10.0.2.15", 80, 1)
    ]


def test_conntrack_shows_the_forwarded_connection_in_time_wait(net):
    lines = console(net, "hv")
    assert lines[-1] == "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown."
    assert lines[0].startswith("tcp      6 ")
    assert "TIME_WAIT src=203.0.113.10 dst=203.0.113.2" in lines[0]
    assert "dport=8080 src=10.0.2.15 dst=203.0.113.10 sport=80" in lines[0]
    assert "[ASSURED]" in lines[0]


def test_ss_on_the_vm_shows_the_listener():
    net = run_example(NAME, 20.0)
    net.command("vm", "ss -tln")
    net.run_until(20.0)
    assert console(net, "vm")[-2:] == [
        "State      Recv-Q Send-Q    Local Address:Port     Peer Address:Port Process",
        "LISTEN     0      4096              0.0.0.0:80             0.0.0.0:*",
    ]


def test_cli_prints_the_facts(tmp_path):
    _out, stdout = run_cli(tmp_path, NAME, "a", 0)
    assert stdout.split("# facts\n", 1)[1].splitlines()[:3] == [
        "vm: eth0 leased 10.0.2.15/24 from 10.0.2.2 for 3600 s, router 10.0.2.2",
        f"out: curl http://203.0.113.2:8080/: HTTP 200, body '{BODY}'",
        f"out: curl http://203.0.113.2:8081/: exit 7, {REFUSED}",
    ]


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
def test_pcaps_dissect_cleanly_and_the_vm_sees_the_real_client(tmp_path):
    out, _ = run_cli(tmp_path, NAME, "a", 0)
    for pcap in out.glob("*.pcap"):
        assert tshark_problems(pcap) == "", pcap.name
    fields = ("ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.flags.str")
    vm = [line for line in tshark_info(out / "vm_eth0.pcap", fields) if "|" in line and line.split("|")[2]]
    # The forwarded SYN reaches the VM from the client's own address, to port 80 (DNAT, not SNAT).
    assert vm[0].startswith("203.0.113.10|10.0.2.15|") and vm[0].split("|")[3] == "80"
    uplink = [line for line in tshark_info(out / "hv_uplink.pcap", fields) if line.split("|")[2:4] != ["", ""]]
    to_8081 = [line for line in uplink if "8081" in line.split("|")[2:4]]
    assert [line.split("|")[-1] for line in to_8081] == ["··········S·", "·······A·R··"]


def test_deterministic_across_hash_seeds(tmp_path):
    a, out_a = run_cli(tmp_path, NAME, "a", 0)
    b, out_b = run_cli(tmp_path, NAME, "b", 999)
    names = sorted(p.name for p in a.iterdir())
    assert names == ["hv_uplink.pcap", "trace.jsonl", "vm_eth0.pcap"]
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert out_a.replace(str(a), "DIR") == out_b.replace(str(b), "DIR")


def test_a_fork_mid_run_ends_exactly_as_the_original():
    net = run_example(NAME, 5.0)  # the lease is taken, the curls are still to come
    twin = net.fork()
    net.run_until(20.0)
    twin.run_until(20.0)
    assert console(twin, "out") == console(net, "out") == [BODY, REFUSED]
    assert twin.tables() == net.tables()
    # Each run has its own access log with its own one request (nothing shared by the copy).
    assert [len(n.tables()["services"]["vm"][0]["served"]) for n in (net, twin)] == [1, 1]
