"""VirtualBox's NIC attachment modes (``nics[].mode``) expanded into devices at build time.

VirtualBox manual ch. 6 ("Virtual Networking"): a VM NIC's *attachment mode* decides what the
hypervisor plugs the NIC into; no cable is drawn. This module is that plug:

* ``internal``: every VM NIC in internal mode joins one hidden switch, VirtualBox's default
  internal network ``intnet``; the host takes no part (no address, no route): VM<->VM only.
* ``hostonly``: every VM NIC in host-only mode joins one hidden switch, ``vboxnet0``; each VM's
  hypervisor gets an interface ``vboxnet0`` with 192.168.56.1/24 on it (once per hypervisor);
  no forwarding, so no LAN/Internet. VMs need static 192.168.56.x addresses for now.

* ``bridged``: per hypervisor, one hidden switch bridged (``bridge.bridge_to``) to the host's
  first NIC with a static address; the VM keeps its own MAC on the LAN.

Not expanded yet (STUB, documented in docs/vbox-modes.md): ``nat`` and ``natnetwork`` NICs
stay unattached, as before this module. One named network per mode for now
(the schema has no NIC ``network`` field yet).

A NIC with a mode that also has a drawn link is a build problem: the mode already attaches it.
"""

from __future__ import annotations

from typing import Any

from simcore.devices.bridge import bridge_to
from simcore.devices.switch import Switch
from simcore.net import Link

Problems = list[tuple[str, str]]

# VirtualBox's defaults (manual 6.6 and 6.7): the internal network name and the first host-only
# adapter with its host address.
INTERNAL_NET = "intnet"
HOSTONLY_NET = "vboxnet0"
HOSTONLY_HOST_IP = "192.168.56.1/24"
EXPANDED = ("internal", "hostonly", "bridged")


def _host_mac(host_id: str) -> str:
    """VirtualBox's host-only adapters have 0a:00:27 MACs; the rest is derived from the host id."""
    digest = sum((i + 1) * ord(c) for i, c in enumerate(host_id)) & 0xFFFFFF
    return f"0a:00:27:{digest >> 16:02x}:{(digest >> 8) & 0xFF:02x}:{digest & 0xFF:02x}"


def _linked(doc: dict) -> set[tuple[str, str]]:
    ends = set()
    for spec in doc["links"]:
        for end in (spec["a"], spec["b"]):
            if "nic" in end:
                ends.add((end["node"], end["nic"]))
    return ends


def expand_modes(net: Any, doc: dict) -> Problems:
    """Attach every mode NIC (in document order, so the switch ports are deterministic)."""
    problems: Problems = []
    linked = _linked(doc)
    switches: dict[str, Switch] = {}
    host_nics: dict[str, Any] = {}
    for i, spec in enumerate(doc["nodes"]):
        for j, nic in enumerate(spec.get("nics", [])):
            mode = nic.get("mode")
            if mode is None:
                continue
            if (spec["id"], nic["name"]) in linked:
                problems.append((f"nodes[{i}].nics[{j}]",
                                 f"{spec['id']} {nic['name']} is in {mode} mode, which attaches it: remove the drawn link"))
                continue
            if mode not in EXPANDED:
                continue  # STUB: nat, natnetwork and bridged are not expanded yet
            hv = spec.get("host")
            if mode == "bridged":
                host_spec = next((n for n in doc["nodes"] if n["id"] == hv), None)
                uplink = next((x["name"] for x in (host_spec or {}).get("nics", [])
                               if x.get("ip") and x["ip"] != "dhcp"), None)
                if uplink is None:
                    problems.append((f"nodes[{i}].nics[{j}]",
                                     f"{spec['id']} {nic['name']} is in bridged mode: its host needs a NIC with a static address"))
                    continue
                name = f"bridged-{hv}"
            else:
                name = INTERNAL_NET if mode == "internal" else HOSTONLY_NET
            switch = switches.get(name)
            if switch is None:
                switch = Switch(net.engine, f"{mode}-{name}", name=name, kind="vswitch",
                                tracer=net.tracer, narrator=net.narrator)
                net.nodes[switch.id] = switch
                net.names.add_node(switch.id, name)
                switches[name] = switch
                if mode == "bridged":
                    net.bridges[switch.id] = bridge_to(switch, net.nodes[hv], uplink)
            node = net.nodes[spec["id"]]
            link = Link(net.engine, f"{mode}-{spec['id']}-{nic['name']}", node.nics[nic["name"]], switch.add_port(), 0)
            net.links[link.id] = link
            if mode == "hostonly" and hv and hv in net.nodes and hv not in host_nics:
                host = net.nodes[hv]
                mac = _host_mac(hv)
                host_nics[hv] = host.add_nic(HOSTONLY_NET, mac, HOSTONLY_HOST_IP)
                net.names.add_mac(mac, hv)
                net.names.add_ip(HOSTONLY_HOST_IP.split("/")[0], hv)
                hl = Link(net.engine, f"hostonly-{hv}", host_nics[hv], switch.add_port(), 0)
                net.links[hl.id] = hl
    return problems
