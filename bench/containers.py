"""Containers against VMs: what one costs the engine, and launching 100 on one host.

What each number measures (printed too):

- memory of one running VM: tracemalloc's growth when a design gets one more VM (Ubuntu 24.04,
  1024 MB, DHCP on a host-only switch with a DHCP server), started with VBoxManage and run until its
  guest has booted and leased its address (t = 10 s), against the same design and run without it.
  What the engine keeps for it: its node and network stack, its own guest clock, its power
  controller and boot state, its hardware settings, its disk image in the host's store (a
  .vdi and .vbox file), its own root filesystem and tmpfs mounts (sized from its RAM), and the
  console lines of its boot.
- memory of one running container: the same growth for one more LXD container launched from the
  Ubuntu 24.04 image (``lxc launch images:ubuntu/24.04``) and run until it has leased its address,
  on a host that already runs one (so the bridge and LXD's dnsmasq, made once per host, are not
  counted): its node and network namespace (a stack), its filesystem (the image's tree, shared,
  plus its /etc/hostname and /etc/hosts), its container record.
- ratio: VM / container. No RAM is allocated for either: a VM's RAM reservation and guest kernel
  are what ``free``, ``ps`` on the host (VBoxHeadless's RSS) and the trace report, not bytes here.
- launch 100: wall time and tracemalloc growth to launch 100 containers on one host with
  ``lxc launch`` (each its own command line, one ms apart) and run until all have leased.

Run: ``.venv/bin/python bench/containers.py``. The last line is the ratio.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simcore.network import Network  # noqa: E402

UNTIL = 10.0


def design(vms: int = 0) -> dict:
    nodes = [
        {"id": "hv", "kind": "host", "os": "linux", "platform": "virtualbox", "hypervisor_type": 2, "cpu_cores": 16,
         "ram_mb": 65536, "nics": [{"name": "eth0", "mac": "02:00:00:00:00:10", "ip": "192.168.1.10/24"}]},
        {"id": "lan", "kind": "vswitch", "host": "hv"},
        {"id": "srv", "kind": "dhcp_server", "nics": [{"name": "eth0", "mac": "02:00:00:00:00:01", "ip": "10.0.0.1/24"}],
         "services": [{"kind": "dhcp", "nic": "eth0", "range_start": "10.0.0.100", "range_end": "10.0.0.200",
                       "lease_s": 3600, "probe": False}]},
    ]
    links = [{"id": "ls", "a": {"node": "srv", "nic": "eth0"}, "b": {"node": "lan"}}]
    for i in range(vms):
        nodes.append({"id": f"vm{i}", "kind": "vm", "host": "hv", "guest_os": "Ubuntu 24.04", "ram_mb": 1024,
                      "nics": [{"name": "eth0", "mac": f"08:00:27:00:00:{i + 1:02x}", "ip": "dhcp"}],
                      "power": {"initial": "off"}})
        links.append({"id": f"l{i}", "a": {"node": f"vm{i}", "nic": "eth0"}, "b": {"node": "lan"}})
    return {"version": 1, "nodes": nodes, "links": links}


def grown(build) -> tuple[int, object]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    net = build()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, net


def with_vms(n: int):
    def build():
        net = Network.from_design(design(n))
        for i in range(n):
            net.command("hv", f"VBoxManage startvm vm{i} --type headless", at=1.0)
        net.run_until(UNTIL)
        return net
    return build


def with_containers(n: int):
    def build():
        net = Network.from_design(design(0))
        for i in range(n):
            net.command("hv", f"lxc launch images:ubuntu/24.04 c{i}", at=1.0 + i / 1000)
        net.run_until(UNTIL)
        return net
    return build


def main() -> None:
    with_containers(1)()  # warm caches (the image's tree, imports) before measuring
    with_vms(1)()
    base, _ = grown(with_vms(0))
    one_vm, net = grown(with_vms(1))
    two_vm, net2 = grown(with_vms(2))
    assert net2.nodes["vm1"].stack.primary_ip("eth0"), "the VM booted and leased"
    one_ct, _ = grown(with_containers(1))
    two_ct, net3 = grown(with_containers(2))
    assert net3.nodes["hv-c1"].stack.primary_ip("eth0"), "the container leased"
    vm = two_vm - one_vm
    ct = two_ct - one_ct
    print(f"memory of one running VM (Ubuntu 24.04, 1024 MB, booted):   {vm / 1024:8.1f} KiB")
    print(f"memory of one running LXD container (ubuntu/24.04, leased):  {ct / 1024:8.1f} KiB")
    print(f"  (first VM with its host's store: {(one_vm - base) / 1024:.1f} KiB; first container with lxdbr0 "
          f"and dnsmasq: {(one_ct - base) / 1024:.1f} KiB)")
    t0 = time.perf_counter()
    hundred, net100 = grown(with_containers(100))
    wall = time.perf_counter() - t0
    leased = sum(1 for c in net100.nodes["hv"].containers.lxd.values() if net100.nodes[c.node.id].stack.primary_ip("eth0"))
    print(f"launch 100 containers on one host and run {UNTIL:g} s: {wall:.2f} s wall, "
          f"{(hundred - base) / 1024 / 1024:.2f} MiB ({leased} leased)")
    print(f"ratio: {vm / ct:.2f} (engine memory of a running VM / of a running container from the same OS image)")


if __name__ == "__main__":
    main()
