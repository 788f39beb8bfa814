"""The console: command registry, iproute2/net-tools output, usage errors as the real tools print them."""

import pytest
from sim_designs import build, lan, out, routed

from simcore.apps.console import REGISTRY, Console


def run_lines(doc, node, *lines, at=5.0, until=10.0, before=()):
    net, events = build(doc)
    for when, who, line in before:
        net.command(who, line, at=when)
    for line in lines:
        net.command(node, line, at=at)
    net.run_until(until)
    return net, events


def test_ip_addr():
    net, _ = run_lines(lan(1), "pc1", "ip addr")
    assert out(net, "pc1") == [
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
        "    inet 127.0.0.1/8 scope host lo",
        "       valid_lft forever preferred_lft forever",
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000",
        "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff",
        "    inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0",
        "       valid_lft forever preferred_lft forever",
    ]


def test_ip_addr_of_an_unplugged_nic_and_show_dev():
    doc = lan(1)
    doc["nodes"][1]["nics"].append({"name": "eth1", "mac": "02:00:00:00:01:01"})
    net, _ = run_lines(doc, "pc1", "ip a show eth1", "ip link show dev eth1", "ip a show eth9")
    assert out(net, "pc1") == [
        "3: eth1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc fq_codel state DOWN group default qlen 1000",
        "    link/ether 02:00:00:00:01:01 brd ff:ff:ff:ff:ff:ff",
        "3: eth1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc fq_codel state DOWN mode DEFAULT group "
        "default qlen 1000",
        "    link/ether 02:00:00:00:01:01 brd ff:ff:ff:ff:ff:ff",
        'Device "eth9" does not exist.',
    ]


def test_ip_route_and_route_get():
    net, _ = run_lines(routed(), "pcA", "ip route", "ip r get 10.0.2.20", "ip route get 10.0.1.10")
    assert out(net, "pcA") == [
        "default via 10.0.1.1 dev eth0",
        "10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.10",
        "10.0.2.20 via 10.0.1.1 dev eth0 src 10.0.1.10 uid 0",
        "    cache",
        "local 10.0.1.10 dev lo src 10.0.1.10 uid 0",
        "    cache <local>",
    ]


def test_router_routes_are_listed_by_network():
    net, _ = run_lines(routed(), "r1", "ip r")
    assert out(net, "r1") == [
        "10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.1",
        "10.0.2.0/24 dev eth1 proto kernel scope link src 10.0.2.1",
    ]


def test_ip_neigh_and_arp_after_a_ping():
    net, _ = run_lines(lan(3), "pc1", "ip neigh", "arp -n", "arp -a",
                       before=[(0.0, "pc1", "ping -c 1 10.0.0.2"), (0.0, "pc1", "ping -c 1 10.0.0.9")])
    lines = out(net, "pc1")
    start = lines.index("10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE")
    assert lines[start:] == [
        "10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE",
        "10.0.0.9 dev eth0 FAILED",
        "Address                  HWtype  HWaddress           Flags Mask            Iface",
        "10.0.0.2                 ether   02:00:00:00:00:02   C                     eth0",
        "10.0.0.9                         (incomplete)                              eth0",
        "? (10.0.0.2) at 02:00:00:00:00:02 [ether] on eth0",
        "? (10.0.0.9) at <incomplete> on eth0",
    ]


def test_empty_tables_print_nothing():
    net, _ = run_lines(lan(1), "pc1", "ip neigh", "arp -n")
    assert out(net, "pc1") == []


@pytest.mark.parametrize("line, expected, status", [
    ("foo", ["bash: foo: command not found"], 127),
    ("ping", ["ping: usage error: Destination address required"], 2),
    ("ping -c abc 10.0.0.2", ["ping: invalid argument: 'abc'"], 2),
    ("ping -c 0 10.0.0.2", ["ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807"], 2),
    ("ping -t 300 10.0.0.2", ["ping: invalid argument: '300': out of range: 0 <= value <= 255"], 2),
    ("ping -i x 10.0.0.2", ["ping: bad timing interval: x"], 2),
    ("ping -W x 10.0.0.2", ["ping: bad linger time: x"], 2),
    ("ping nosuchhost", ["ping: nosuchhost: Name or service not known"], 2),
    ("ping 192.0.2.1", ["ping: connect: Network is unreachable"], 2),
    ("ip", ["Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }", "where  OBJECT := { address | link | neighbour | route }",
            "       OPTIONS := { -4 }"], 255),
    ("ip foo", ['Object "foo" is unknown, try "ip help".'], 255),
    ("ip route flush", ['Command "flush" is unknown, try "ip route help".'], 255),
    ("ip route get", ['Command line is not complete. Try option "help"'], 255),
    ("ip route get nope", ['Error: inet prefix is expected rather than "nope".'], 1),
    ("echo 'unterminated", ["bash: syntax error: unterminated quoted string"], 2),
    ("", [], 0),
])
def test_errors_are_the_real_tools(line, expected, status):
    net, _ = run_lines(lan(1), "pc1", line)
    assert out(net, "pc1") == expected
    assert [f["exit"] for f in net.facts() if f["kind"] == "command"] == [status]


def test_ping_bad_option_prints_usage():
    net, _ = run_lines(lan(1), "pc1", "ping -z 10.0.0.2")
    lines = out(net, "pc1")
    assert lines[:4] == ["ping: invalid option -- 'z'", "", "Usage", "  ping [options] <destination>"]


def test_help_lists_every_registered_command():
    net, _ = run_lines(lan(1), "pc1", "help")
    names = [line.split()[0] for line in out(net, "pc1")]
    assert names == sorted({cmd.name for cmd in REGISTRY.values()})
    assert {"ping", "ip", "arp", "help"} <= set(names)


def test_console_lines_carry_simulated_times_and_trace_events():
    net, events = run_lines(lan(2), "pc1", "ping -c 2 10.0.0.2", at=1.0)
    times = [t for t, _ in net.nodes["pc1"].console.lines]
    assert times[0] == 1_000_000_000 and times == sorted(times)
    outputs = [e for e in events if e["kind"] == "console.output"]
    assert [e["line"] for e in outputs] == out(net, "pc1")
    run = [e for e in events if e["kind"] == "command.run"]
    assert [(e["node"], e["line"], e["text"]) for e in run] == [("pc1", "ping -c 2 10.0.0.2", "pc1$ ping -c 2 10.0.0.2")]


def test_interrupt_stops_an_endless_ping_with_statistics():
    net, _ = build(lan(2))
    net.command("pc1", "ping 10.0.0.2", at=0.0)
    net.interrupt("pc1", at=2.5)
    net.run_until(10)
    lines = out(net, "pc1")
    assert lines[-6:] == ["64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.200 ms", "^C", "",
                          "--- 10.0.0.2 ping statistics ---",
                          "3 packets transmitted, 3 received, 0% packet loss, time 2000ms",
                          "rtt min/avg/max/mdev = 0.200/0.266/0.400/0.096 ms"]
    assert [f["exit"] for f in net.facts() if f["kind"] == "command"] == [0]


def test_network_command_misuse():
    net, _ = build(lan(1))
    with pytest.raises(ValueError, match=r"^no node with id 'nope'$"):
        net.command("nope", "ip a")
    with pytest.raises(ValueError, match=r"^node 'sw' \(lan_switch\) has no console$"):
        net.command("sw", "ip a")
    net.run_until(2)
    with pytest.raises(ValueError, match=r"^at=1.0 s is in the past \(now is 2.0 s\)$"):
        net.command("pc1", "ip a", at=1.0)
    assert isinstance(net.nodes["pc1"].console, Console)


def test_a_script_line_for_a_switch_is_a_design_error():
    from simcore.design import DesignError
    from simcore.network import Network

    doc = lan(1)
    doc["script"] = [{"at": 1, "node": "sw", "command": "ip a"}]
    with pytest.raises(DesignError) as info:
        Network.from_design(doc)
    assert [p.to_dict() for p in info.value.problems] == [
        {"code": "build.script", "path": "script[0].node", "msg": "node 'sw' (lan_switch) has no console",
         "severity": "error", "objects": []}]


def test_ctrl_c_on_a_node_without_a_console_or_in_the_past_is_refused_like_a_command():
    net, _ = build(lan(1))
    net.run_until(2)
    with pytest.raises(ValueError, match=r"^node 'sw' \(lan_switch\) has no console$"):
        net.interrupt("sw")
    with pytest.raises(ValueError, match=r"^no node with id 'nobody'$"):
        net.interrupt("nobody")
    with pytest.raises(ValueError, match=r"^at=1.0 s is in the past \(now is 2.0 s\)$"):
        net.interrupt("pc1", at=1.0)
    assert net.actions == []  # a refused action is not in the log a replay follows


def test_a_leased_address_is_dynamic_and_counts_down_a_static_one_lives_forever():
    # dhclient-script and systemd-networkd give a leased address the lease's lifetime: the kernel
    # marks it dynamic and counts it down; an address set by hand has none.
    doc = lan(1)
    doc["nodes"].append({"id": "srv", "kind": "dhcp_server", "name": "srv",
                         "nics": [{"name": "eth0", "mac": "02:00:00:00:77:01", "ip": "10.0.0.254/24"}],
                         "services": [{"kind": "dhcp", "nic": "eth0", "range_start": "10.0.0.100",
                                       "range_end": "10.0.0.150", "lease_s": 600, "probe": False}]})
    doc["links"].append({"id": "l_srv", "a": {"node": "srv", "nic": "eth0"}, "b": {"node": "sw"}})
    next(n for n in doc["nodes"] if n["id"] == "pc1")["nics"][0]["ip"] = "dhcp"
    net, _ = run_lines(doc, "pc1", "ip addr show eth0", at=101.5, until=103.0,
                       before=[(1.0, "pc1", "dhclient eth0"), (102.0, "srv", "ip addr show eth0")])
    leased = out(net, "pc1")
    assert "    inet 10.0.0.100/24 brd 10.0.0.255 scope global dynamic eth0" in leased
    assert leased[leased.index("    inet 10.0.0.100/24 brd 10.0.0.255 scope global dynamic eth0") + 1] == \
        "       valid_lft 499sec preferred_lft 499sec"
    fixed = out(net, "srv")
    assert fixed[-2:] == ["    inet 10.0.0.254/24 brd 10.0.0.255 scope global eth0",
                          "       valid_lft forever preferred_lft forever"]
