"""Designs for the VM lifecycle tests (helpers, not tests).

``lan_design``: a VirtualBox host ``hv``; on its vswitch ``lan``, a DHCP server appliance ``srv``
(10.0.0.1, dnsmasq-like, leases of 60 s from 10.0.0.100, no address probe so the instants stay
round), VM ``vm1`` and VM ``vm2`` (10.0.0.12, static). Links are 50 us, so a frame takes
D = 100 us from one NIC to another through the switch.
"""

from simcore.network import Network
from simcore.packets import ETH_IPV4, PROTO_UDP, Dhcp

S = 1_000_000_000
MS = 1_000_000
D = 100_000
VM1, VM2, SRV = "08:00:27:00:00:11", "08:00:27:00:00:12", "02:00:00:00:00:01"
BCAST, FF = "255.255.255.255", "ff:ff:ff:ff:ff:ff"


def lan_design(*, vm1_ip="dhcp", initial="off", dhcp_at_boot=None, vt_x=True, vm2_initial=None,
               script=(), cpu_model=None) -> dict:
    power = {"initial": initial}
    if dhcp_at_boot is not None:
        power["dhcp_at_boot"] = dhcp_at_boot
    hv = {"id": "hv", "kind": "host", "platform": "virtualbox", "hypervisor_type": 2, "cpu_cores": 4,
          "ram_mb": 16384, "virtualization_extensions": vt_x, "nics": [{"name": "enp1s0", "ip": "192.0.2.10/24"}]}
    if cpu_model:
        hv["cpu_model"] = cpu_model
    vm2 = {"id": "vm2", "kind": "vm", "host": "hv", "ram_mb": 1024,
           "nics": [{"name": "eth0", "mac": VM2, "ip": "10.0.0.12/24"}]}
    if vm2_initial:
        vm2["power"] = {"initial": vm2_initial}
    return {
        "version": 1,
        "nodes": [
            hv,
            {"id": "lan", "kind": "vswitch", "host": "hv"},
            {"id": "srv", "kind": "dhcp_server", "nics": [{"name": "eth0", "mac": SRV, "ip": "10.0.0.1/24"}],
             "services": [{"kind": "dhcp", "nic": "eth0", "range_start": "10.0.0.100", "range_end": "10.0.0.120",
                           "lease_s": 60, "probe": False}]},
            {"id": "vm1", "kind": "vm", "host": "hv", "ram_mb": 2048, "vcpus": 2, "guest_os": "Ubuntu 24.04 LTS",
             "nics": [{"name": "eth0", "mac": VM1, "ip": vm1_ip}], "power": power},
            vm2,
        ],
        "links": [
            {"id": "l1", "a": {"node": "vm1", "nic": "eth0"}, "b": {"node": "lan"}},
            {"id": "l2", "a": {"node": "vm2", "nic": "eth0"}, "b": {"node": "lan"}},
            {"id": "l3", "a": {"node": "srv", "nic": "eth0"}, "b": {"node": "lan"}},
        ],
        "captures": [{"node": "vm1", "nic": "eth0"}, {"node": "vm2", "nic": "eth0"}, {"node": "srv", "nic": "eth0"}],
        "script": [{"at": at, "node": node, "command": line} for at, node, line in script],
    }


def build(doc: dict, trace=None) -> Network:
    return Network.from_design(doc, seed=0, trace=[] if trace is None else trace)


def dhcp_frames(net, capture="vm1_eth0", since=0):
    """(t, message type, IP source, IP destination, Ethernet destination) of each DHCP frame."""
    out = []
    for t, frame in net.captures[capture].records:
        if t < since or frame.ethertype != ETH_IPV4 or frame.payload.proto != PROTO_UDP:
            continue
        udp = frame.payload.payload
        if {udp.sport, udp.dport} != {67, 68}:
            continue
        msg = udp.payload if isinstance(udp.payload, Dhcp) else Dhcp.parse(bytes(udp.payload))
        out.append((t, msg.message_type, frame.payload.src, frame.payload.dst, frame.dst))
    return out


def lines(net, node, since=0):
    """(t, text) of ``node``'s console lines from ``since``."""
    return [(t, text) for t, n, text in net.console_lines() if n == node and t >= since]


def kinds(trace, *wanted):
    return [(e["t"], e["kind"], e["text"]) for e in trace if e["kind"] in wanted]
