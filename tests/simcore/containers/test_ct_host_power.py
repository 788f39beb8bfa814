"""A host's shutdown and boot: containers stop with their state recorded and come back as LXD
and Docker's restart policies say, VMs stop as their autostop says and start with autostart (a
saved one resumes), links go down and up; from the console and from the run's controls."""

import pytest
from ct_designs import S, events, host_design, out, run

from simcore.network import Network

VMS = [
    {"id": "vlan", "kind": "vswitch", "host": "hv"},
    {"id": "vm1", "kind": "vm", "host": "hv", "ram_mb": 1024, "nics": [{"name": "eth0", "ip": "10.9.0.11/24"}],
     "power": {"autostop": "savestate", "autostart": True}},
    {"id": "vm2", "kind": "vm", "host": "hv", "ram_mb": 1024, "nics": [{"name": "eth0", "ip": "10.9.0.12/24"}]},
    {"id": "vm3", "kind": "vm", "host": "hv", "ram_mb": 512, "nics": [{"name": "eth0", "ip": "10.9.0.13/24"}],
     "power": {"autostop": "acpishutdown"}},
]
SETUP = [
    "lxc launch images:alpine/3.20 keep",  # running, boot.autostart unset: LXD restores its last state
    "lxc launch images:alpine/3.20 idle", "lxc stop idle",  # stopped at shutdown: stays stopped
    "lxc launch images:alpine/3.20 never", "lxc config set never boot.autostart false",
    "docker run -d --name always --restart always alpine:3.20 sleep 3600",
    "docker run -d --name unless --restart unless-stopped alpine:3.20 sleep 3600",
    "docker run -d --name stopped --restart unless-stopped alpine:3.20 sleep 3600", "docker stop stopped",
    "docker run -d --name plain alpine:3.20 sleep 3600",
]


def reboot_run(trace, line="sudo reboot", until=30):
    lines = [*SETUP, (12.0, "hv", line), (13.0, "hv", "lxc list"), (26.0, "hv", "lxc list"),
             (26.5, "hv", "docker ps -a --format x")]
    script = []
    t = 1.0
    for item in lines:
        if isinstance(item, tuple):
            script.append(item)
        else:
            script.append((t, "hv", item))
            t += 1.0
    net = Network.from_design(host_design(script=script, extra_nodes=VMS,
                                          captures=[{"node": "hv", "nic": "eth0"}]), seed=0, trace=trace)
    net.run_until(until)
    return net


def test_reboot_stops_everything_then_brings_back_what_is_set_to_come_back():
    trace = []
    net = reboot_run(trace)
    power = [(e["t"] / S, e["state"]) for e in events(trace, "host.power")]
    assert power == [(12.0, "shutting down"), (15.0, "off"), (15.0, "booting"), (23.0, "running")]
    stops = {e["container"]: e["why"] for e in events(trace, "container.state") if e["t"] == 12 * S}
    assert stops == {n: "hv shuts down" for n in ("keep", "never", "always", "unless", "plain")}
    starts = {e["container"]: e["why"] for e in events(trace, "container.state") if e["t"] == 23 * S}
    assert starts == {
        "keep": "hv booted: it was running at shutdown (boot.autostart unset: LXD restores the last state)",
        "always": "hv booted: its restart policy is always",
        "unless": "hv booted: its restart policy is unless-stopped and no one stopped it"}
    rt = net.nodes["hv"].containers
    assert {c.name: c.state for c in rt.all()} == {"keep": "RUNNING", "idle": "STOPPED", "never": "STOPPED",
                                                   "always": "running", "unless": "running", "stopped": "exited",
                                                   "plain": "exited"}
    vm = [(e["t"] / S, e["node"], e["to"], e["why"]) for e in trace if e["kind"] == "vm.state"]
    assert (12.0, "vm1", "Saving", "hv shuts down (autostop savestate)") in vm
    assert (12.0, "vm2", "Stopping", "hv shuts down (autostop poweroff)") in vm
    assert (23.0, "vm1", "Restoring", "hv booted: VirtualBox's autostart") in vm  # saved: it resumes
    assert net.machines["vm1"].state == "Running" and net.machines["vm2"].state == "PoweredOff"
    assert net.machines["vm3"].state == "PoweredOff"  # its guest shut down cleanly (ACPI)
    assert any(e["kind"] == "console.output" and e["node"] == "vm3" for e in trace if 12 * S <= e["t"] < 15 * S)


def test_the_console_reads_nothing_while_the_host_is_down_and_the_links_go_down():
    trace = []
    net = reboot_run(trace)
    assert out(net, at=13) == []
    refused = [e for e in trace if e["kind"] == "host.refused"]
    assert [e["msg"] for e in refused] == ["hv is shutting down"]
    flushed = [e for e in trace if e["kind"] == "switch.flushed" and e["node"] == "sw"]
    assert [(e["t"] / S, e["why"]) for e in flushed] == [(15.0, "hv is off")]
    assert out(net, at=26)[3].startswith("| always |") is False  # lxc list shows LXD's only
    assert "| keep  | RUNNING |" in "\n".join(out(net, at=26))


def test_poweroff_stays_off_until_the_run_s_boot():
    trace = []
    net = Network.from_design(host_design(script=[(1.0, "hv", "lxc launch images:alpine/3.20 c1"),
                                                  (2.0, "hv", "poweroff"), (6.0, "pc", "ping -c 1 192.168.1.10")]),
                              seed=0, trace=trace)
    net.run_until(10)
    assert net.nodes["hv"].host_power.state == "off"
    assert "From 192.168.1.20 icmp_seq=1 Destination Host Unreachable" in out(net, "pc")  # no one answers ARP
    assert net.check_host_action("hv", "shutdown") == "hv is off already"
    assert net.check_host_action("hv", "boot") is None
    net.host_action("hv", "boot")
    net.run_until(20)
    assert net.nodes["hv"].host_power.state == "running"
    assert net.nodes["hv"].containers.lxd["c1"].state == "RUNNING"
    assert net.actions[-1] == {"t": 10 * S, "node": "hv", "host": "boot"}


@pytest.mark.parametrize(("node", "action", "msg"), [
    ("pc", "shutdown", "node 'pc' (outside_host) is not a physical host"),
    ("zz", "shutdown", "no node with id 'zz'"),
    ("hv", "explode", "unknown host action 'explode'; one of: shutdown, reboot, boot"),
])
def test_the_door_refuses_bad_input(node, action, msg):
    net = Network.from_design(host_design(), seed=0)
    with pytest.raises(ValueError) as err:
        net.host_action(node, action)
    assert str(err.value) == msg and net.actions == []


def test_boot_of_a_running_host_is_refused_when_it_runs():
    trace = []
    net = Network.from_design(host_design(), seed=0, trace=trace)
    assert net.check_host_action("hv", "boot") == "hv is running: only a host that is off boots"
    net.host_action("hv", "boot", at=1.0)  # logged; refused when it runs
    net.run_until(2)
    assert [e["msg"] for e in trace if e["kind"] == "host.refused"] == ["hv is running: only a host that is off boots"]


def test_a_replayed_log_and_a_fork_land_where_the_run_is():
    trace = []
    net = reboot_run(trace, until=30)
    again = Network.from_design(host_design(extra_nodes=VMS, captures=[{"node": "hv", "nic": "eth0"}]), seed=0,
                                trace=[])
    for a in net.actions:
        again.command(a["node"], a["command"], at=a["t"] / S)
    again.run_until(30)
    assert again.tables() == net.tables()
    half = []
    first = reboot_run(half, until=14)
    tail = []
    twin = first.fork(tail)
    twin.run_until(30)
    assert [(e["t"], e["kind"], e.get("text")) for e in half + tail] == [(e["t"], e["kind"], e.get("text"))
                                                                         for e in trace]


def test_a_container_kept_in_the_design_is_a_valid_node():
    from simcore.design import validate

    net = run(["docker run -d --name web -p 8080:80 nginx:1.27", "lxc launch images:debian/12 c1"])
    web, c1 = net.container_spec("hv-web"), net.container_spec("hv-c1")
    assert {k: web[k] for k in ("id", "kind", "name", "host", "image", "os")} == {
        "id": "hv-web", "kind": "container", "name": "web", "host": "hv", "image": "nginx:1.27", "os": "linux"}
    assert web["nics"] == [{"name": "eth0", "mac": "02:42:ac:11:00:02", "ip": "172.17.0.2/16"}]
    assert c1["image"] == "images:debian/12" and c1["nics"][0]["mac"].startswith("00:16:3e:")
    doc = host_design()
    doc["nodes"] += [web, c1]
    assert validate(doc) == []
    with pytest.raises(ValueError, match="'pc' is not a container made during this run"):
        net.container_spec("pc")


def test_the_live_tables_list_containers_and_a_host_that_is_not_running():
    net = run(["docker run -d --name web -p 8080:80 nginx:1.27", "lxc launch images:alpine/3.20 a1",
               (4.0, "hv", "poweroff")], until=4.5)
    tables = net.tables()
    assert tables["hosts"] == {"hv": {"power": "shutting down", "actions": {
        "shutdown": "hv is shutting down already", "reboot": "hv is shutting down already",
        "boot": "hv is shutting down: only a host that is off boots"}}}
    rows = tables["containers"]["hv"]
    assert [(r["node"], r["name"], r["runtime"], r["image"], r["state"]) for r in rows] == [
        ("hv-a1", "a1", "lxd", "images:alpine/3.20", "STOPPED"), ("hv-web", "web", "docker", "nginx:1.27", "exited")]
    fresh = run(["ip addr"]).tables()
    assert fresh["containers"] == {} and fresh["hosts"] == {}
