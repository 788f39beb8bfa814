"""lxc on a host's console, as conversations: what is typed, what LXD prints, what is traced."""

import pytest
from ct_designs import S, events, out, run

RULE6 = "+------+---------+---------------------+------+-----------+-----------+"


def test_an_empty_list_is_the_table_s_header():
    net = run(["lxc list"])
    assert out(net) == ["+------+-------+------+------+------+-----------+",
                        "| NAME | STATE | IPV4 | IPV6 | TYPE | SNAPSHOTS |",
                        "+------+-------+------+------+------+-----------+"]


def test_launch_boots_a_system_that_leases_its_address_from_lxdbr0_s_dnsmasq():
    trace = []
    net = run(["lxc launch images:ubuntu/24.04 web1", (1.2, "hv", "lxc list"), (3.0, "hv", "lxc list")], trace=trace)
    assert out(net, at=1)[:2] == ["Creating web1", "Starting web1"]
    # 0.2 s after the start systemd-networkd has not asked yet: no address (as lxc list shows a booting one)
    assert out(net, at=1.2)[3] == "| web1 | RUNNING |      |      | CONTAINER | 0         |"
    bridge = net.nodes["hv-lxdbr0"]
    gateway = net.nodes["hv"].stack.primary_ip("lxdbr0")
    assert gateway.startswith("10.") and gateway.endswith(".1")  # LXD's 10.x.y.0/24, derived from the host's id
    leased = net.nodes["hv-web1"].stack.primary_ip("eth0")
    assert leased == gateway[:-1] + "2"
    assert out(net, at=3) == [RULE6, "| NAME |  STATE  |        IPV4         | IPV6 |   TYPE    | SNAPSHOTS |", RULE6,
                              f"| web1 | RUNNING | {leased} (eth0) |      | CONTAINER | 0         |", RULE6]
    dora = [e["kind"] for e in trace if e["kind"].startswith("dhcp.") and e.get("node") == "hv-web1"]
    assert dora, "the container's own DHCP client asked on the wire"
    assert bridge.kind == "vswitch"
    created = events(trace, "container.created")[0]
    assert {k: created[k] for k in ("node", "container", "host", "runtime", "image", "os", "bridge", "link")} == {
        "node": "hv-web1", "container": "web1", "host": "hv", "runtime": "lxd", "image": "images:ubuntu/24.04",
        "os": "linux", "bridge": "hv-lxdbr0", "link": "hv-web1-veth"}
    assert created["text"] == ("lxc on hv: hv creates web1, an LXD system container from images:ubuntu/24.04 "
                               "(Ubuntu 24.04.1 LTS), on lxdbr0; it shares hv's kernel")
    assert created["mac"].startswith("00:16:3e:")


def test_a_system_container_runs_init_and_services_with_the_host_s_kernel_and_its_own_distribution():
    net = run(["lxc launch images:debian/12 d1", "lxc exec d1 -- ps aux", "lxc exec d1 -- uname -r",
               "lxc exec d1 -- cat /etc/os-release", "uname -r"])
    ps = out(net, at=2)
    assert ps[0] == "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND"
    commands = [line.split(None, 10)[10] for line in ps[1:]]
    assert commands[0] == "/sbin/init" and ps[1].split()[1] == "1"
    assert "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups" in commands
    assert "/usr/sbin/cron -f" in commands and commands[-1] == "ps aux" and len(commands) == 7
    assert out(net, at=3) == ["6.8.0-45-generic"] == out(net, at=5)  # the host's (Ubuntu's) kernel, not Debian's
    assert out(net, at=4)[0] == 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"'


def test_the_host_sees_a_container_s_processes_as_its_own_under_a_shifted_uid():
    net = run(["lxc launch images:alpine/3.20 a1", "ps aux"])
    rows = out(net, at=2)
    assert any(r.endswith("[lxc monitor] /var/snap/lxd/common/lxd/containers a1") for r in rows)
    init = [r for r in rows if r.endswith(" /sbin/init") and r.startswith("1000000 ")]
    assert len(init) == 1, "the container's init is uid 1000000 on the host (an unprivileged container)"
    assert any("dnsmasq" in r and "--interface=lxdbr0" in r for r in rows)


@pytest.mark.parametrize(("lines", "printed"), [
    (["lxc launch images:ubuntu/24.04 c1", "lxc launch images:ubuntu/24.04 c1"],
     'Error: Failed creating instance record: Add instance info to the database: This "instances" entry already '
     'exists'),
    (["lxc launch images:nosuch/1 c1"], "Error: Failed instance creation: Failed getting remote image info: Failed "
                                        "getting image: The requested image couldn't be found"),
    (["lxc launch nosuchremote:ubuntu/24.04 c1"], 'Error: The remote "nosuchremote" doesn\'t exist'),
    (["lxc launch images:ubuntu/24.04 c1", "lxc stop c1", "lxc stop c1"], "Error: The instance is already stopped"),
    (["lxc launch images:ubuntu/24.04 c1", "lxc start c1"], "Error: The instance is already running"),
    (["lxc launch images:ubuntu/24.04 c1", "lxc stop c1", "lxc exec c1 -- ls"], "Error: Instance is not running"),
    (["lxc exec ghost -- ls"], "Error: Instance not found"),
    (["lxc launch images:ubuntu/24.04 c1", "lxc delete c1"],
     "Error: The instance is currently running, stop it first or pass --force"),
    (["lxc launch images:ubuntu/24.04 c1", "lxc publish c1 --alias x"],
     "Error: The instance is currently running. Use --force to have it stopped and restarted"),
    (["lxc launch images:ubuntu/24.04 c_1"],
     "Error: Invalid instance name: Name must only contain alphanumeric and hyphen characters"),
    (["lxc frobnicate"], 'Error: unknown command "frobnicate" for "lxc"'),
])
def test_refusals_in_lxd_s_words_change_nothing(lines, printed):
    trace = []
    net = run(lines, trace=trace)
    assert out(net, at=len(lines)) == [printed]
    assert [e["exit"] for e in trace if e["kind"] == "command.exit"][-1] == 1
    before = run(lines[:-1]) if len(lines) > 1 else None
    rt = net.nodes["hv"].containers
    if before is not None:
        old = before.nodes["hv"].containers
        assert [(c.name, c.state) for c in rt.lxd.values()] == [(c.name, c.state) for c in old.lxd.values()]
    else:
        assert rt.lxd == {}


def test_a_windows_image_is_refused_by_the_same_kernel_rule_and_narrated():
    trace = []
    net = run(["lxc launch images:windows/2022 win"], trace=trace)
    assert out(net) == ['Error: Failed instance creation: Requested image\'s type "virtual-machine" doesn\'t match '
                        'instance type "container"']
    refused = events(trace, "container.refused")
    assert [e["reason"] for e in refused] == [
        "images:windows/2022 is a Windows image and hv runs a Linux kernel: a container's processes run on its "
        "host's kernel"]
    assert net.nodes["hv"].containers.lxd == {} and "hv-win" not in net.nodes


def test_lxc_on_a_windows_host_is_not_there():
    net = run(["lxc list"], windows=True)
    assert out(net) == ["bash: lxc: command not found"]


def test_stop_takes_the_container_off_its_bridge_and_start_brings_it_back():
    trace = []
    net = run(["lxc launch images:ubuntu/24.04 c1", (3.0, "pc", "ping -c 1 192.168.1.10"),
               (3.0, "hv", "lxc exec c1 -- ping -c 1 192.168.1.20"), (4.0, "hv", "lxc stop c1"),
               (5.0, "hv", "lxc list"), (6.0, "hv", "lxc start c1"), (8.0, "hv", "lxc exec c1 -- ping -c 1 192.168.1.20")],
              trace=trace, until=9)
    assert "1 packets transmitted, 1 received, 0% packet loss, time 0ms" in out(net, at=3)
    assert out(net, at=5)[3] == "| c1   | STOPPED |      |      | CONTAINER | 0         |"
    assert "1 packets transmitted, 1 received, 0% packet loss, time 0ms" in out(net, at=8)
    states = [(e["t"] // S, e["state"]) for e in events(trace, "container.state")]
    assert states == [(1, "RUNNING"), (4, "STOPPED"), (6, "RUNNING")]
    flushed = [e for e in trace if e["kind"] == "switch.flushed" and e["node"] == "hv-lxdbr0"]
    assert flushed and flushed[0]["why"] == "c1 is stopped"


def test_files_pushed_written_snapshotted_published_and_copied():
    net = run(["lxc launch images:alpine/3.20 a1", "echo hello > note.txt", "lxc file push note.txt a1/root/",
               "lxc exec a1 -- cat /root/note.txt", "lxc exec a1 -- sh -c 'echo mine > /etc/motd'",
               "lxc snapshot a1", "lxc publish a1/snap0 --alias mine", "lxc launch mine a2",
               "lxc exec a2 -- cat /etc/motd", "lxc copy a1 a3", "lxc start a3", "lxc exec a3 -- cat /root/note.txt",
               "lxc file pull a2/etc/motd .", "cat motd", "lxc exec a2 -- hostname", "lxc image list"])
    assert out(net, at=4) == ["hello"]
    assert out(net, at=7)[0].startswith("Instance published with fingerprint: ")
    fingerprint = out(net, at=7)[0].rsplit(" ", 1)[1]
    assert len(fingerprint) == 64
    assert out(net, at=9) == ["mine"]  # a file written in a1 is in every container made from its image
    assert out(net, at=12) == ["hello"]  # a copy holds the files
    assert out(net, at=14) == ["mine"]
    assert out(net, at=15) == ["a2"]
    images = out(net, at=16)
    assert images[3].startswith("|       | ") and "Alpine 3.20 amd64 (20241201_13:00)" in images[3]  # the cached one
    assert images[5].startswith(f"| mine  | {fingerprint[:12]} | no     | Alpine 3.20 amd64 (published from a1)")


def test_a_snapshot_keeps_the_files_of_its_instant_and_restore_brings_them_back():
    net = run(["lxc launch images:ubuntu/24.04 c1", "lxc exec c1 -- touch /root/before", "lxc snapshot c1 s1",
               "lxc exec c1 -- touch /root/after", "lxc restore c1 s1", "lxc exec c1 -- ls /root", "lxc info c1"])
    assert out(net, at=6) == ["before"]
    info = out(net, at=7)
    assert info[:4] == ["Name: c1", "Status: RUNNING", "Type: container", "Architecture: x86_64"]
    assert "    Memory (current): 38.00MiB" in info and "| s1   | 2026/01/01 00:00 UTC |            | NO       |" in info


def test_lxc_shell_reads_the_console_until_exit():
    trace = []
    net = run(["lxc launch images:ubuntu/24.04 c1", "lxc shell c1", "hostname", "cat /etc/hostname", "exit",
               "hostname"], trace=trace)
    assert out(net, at=3) == ["c1"] and out(net, at=4) == ["c1"]
    assert out(net, at=5) == ["logout"] and out(net, at=6) == ["hv"]
    assert [e["line"] for e in trace if e["kind"] == "command.run"][2:] == ["hostname", "cat /etc/hostname", "exit",
                                                                           "hostname"]


def test_image_list_of_the_public_remote():
    net = run(["lxc image list images:"])
    rows = out(net)
    assert rows[1].split("|")[1].strip() == "ALIAS"
    aliases = [r.split("|")[1].strip() for r in rows[3::2]]
    assert aliases == ["ubuntu/24.04 (1 more)", "debian/12 (1 more)", "alpine/3.20", "windows/2022"]
    assert "VIRTUAL-MACHINE" in rows[9]


def test_names_are_picked_when_none_is_given_and_exec_of_a_shell_reads_the_console():
    net = run(["lxc launch images:alpine/3.20"])
    (only,) = list(net.nodes["hv"].containers.lxd)  # LXD's pet name: adjective-animal
    assert only.count("-") == 1 and out(net, at=1) == [f"Creating {only}", f"Starting {only}"]
    again = run(["lxc launch images:alpine/3.20", f"lxc exec {only} -- sh", "hostname", "exit", "hostname"])
    assert out(again, at=3) == [only] and out(again, at=4) == ["logout"] and out(again, at=5) == ["hv"]
    docker = run(["docker run -d alpine:3.20 sleep 60", "docker ps --format x"])
    (c,) = docker.nodes["hv"].containers.docker.values()
    adjective, scientist = c.name.split("_")
    assert adjective.isalpha() and scientist.isalpha() and out(docker, at=2)[1].endswith(c.name)


def test_dhclient_in_a_container_whose_networkd_already_set_the_default_route_binds_and_keeps_one():
    """dhclient-script adds the default route with its output thrown away: networkd's route
    stays, the lease binds, the run goes on (it stopped with 'route ... already exists')."""
    net = run(["lxc launch images:ubuntu/24.04 c1", (10.0, "hv", "lxc exec c1 -- dhclient -v eth0"),
               (20.0, "hv", "lxc exec c1 -- ip route"), (21.0, "hv", "lxc exec c1 -- dhclient -r eth0"),
               (22.0, "hv", "lxc exec c1 -- dhclient eth0"), (30.0, "hv", "lxc list")], until=31)
    assert any(line.startswith("bound to ") for line in out(net, "hv-c1", at=10))
    routes = out(net, at=20)
    assert [r for r in routes if r.startswith("default ")] == [routes[0]] and " dev eth0" in routes[0]
    row = out(net, at=30)[3]
    assert row.startswith("| c1 ") and "| RUNNING | 10." in row
