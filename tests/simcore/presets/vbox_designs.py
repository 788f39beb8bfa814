"""Designs for the VirtualBox mode presets: one LAN with a host, a hypervisor and two VMs.

``lanhost`` (198.51.100.20) and ``hv`` (198.51.100.10, NIC enp1s0) share the LAN switch ``lan``;
``vm1`` and ``vm2`` run on ``hv`` with one NIC each in the mode under test. Every machine
serves a page naming itself on port 80, so a curl says who answered.
"""

import copy

from simcore.network import Network

HV = "198.51.100.10"
LANHOST = "198.51.100.20"
WEB = {"name": "web", "proto": "tcp", "host_port": 8080, "guest_port": 80}


def design(mode: str, vm1: dict | None = None, vm2: dict | None = None) -> dict:
    """``vm1``/``vm2``: extra NIC fields (ip, network, port_forwards) for each VM's eth0."""

    def nic(mac: str, extra: dict | None) -> dict:
        return {"name": "eth0", "mac": mac, "mode": mode, **(extra or {})}

    def web(body: str) -> list:
        return [{"kind": "http", "port": 80, "body": body}]

    return {
        "version": 1,
        "nodes": [
            {"id": "lan", "kind": "lan_switch"},
            {
                "id": "lanhost",
                "kind": "host",
                "os": "linux",
                "services": web("lanhost"),
                "nics": [{"name": "eth0", "mac": "02:00:00:51:00:20", "ip": f"{LANHOST}/24"}],
            },
            {
                "id": "hv",
                "kind": "host",
                "os": "linux",
                "services": web("hv"),
                "nics": [{"name": "enp1s0", "mac": "02:00:00:51:00:0a", "ip": f"{HV}/24"}],
            },
            {
                "id": "vm1",
                "kind": "vm",
                "host": "hv",
                "os": "linux",
                "services": web("vm1"),
                "nics": [nic("08:00:27:00:00:01", vm1)],
            },
            {
                "id": "vm2",
                "kind": "vm",
                "host": "hv",
                "os": "linux",
                "services": web("vm2"),
                "nics": [nic("08:00:27:00:00:02", vm2)],
            },
        ],
        "links": [
            {"id": "l_lanhost", "a": {"node": "lanhost", "nic": "eth0"}, "b": {"node": "lan"}},
            {"id": "l_hv", "a": {"node": "hv", "nic": "enp1s0"}, "b": {"node": "lan"}},
        ],
        "captures": [],
    }


def run(doc: dict, commands: list[tuple[str, str]], *, dhcp: tuple[str, ...] = (), trace=None) -> Network:
    """Build, take DHCP leases on the VMs named in ``dhcp`` (at 0 s, 0.5 s...), then run each
    command 10 s after the previous one."""
    net = Network.from_design(copy.deepcopy(doc), seed=0, trace=[] if trace is None else trace)
    for k, vm in enumerate(dhcp):
        net.command(vm, "dhclient eth0", at=k * 0.5)
    t = 5.0
    for who, line in commands:
        net.command(who, line, at=t)
        t += 10.0
    net.run_until(t + 5)
    return net


def outcome(net: Network, kind: str) -> list[dict]:
    return [f for f in net.facts() if f["kind"] == kind]
