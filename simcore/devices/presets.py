"""VirtualBox's NIC attachment modes (``nics[].mode``) expanded into devices at build time.

VirtualBox manual ch. 6 ("Virtual Networking"): a VM NIC's *attachment mode* decides what the
hypervisor plugs the NIC into; no cable is drawn. This module is that plug. Every network is
per hypervisor (VirtualBox's networks live on one host) and named by ``nics[].network``
(defaults ``intnet``, ``vboxnet0``, ``NatNetwork``): NICs on different names are isolated.

* ``internal``: the NICs of one internal network join one hidden switch; the host takes no part.
* ``hostonly``: one hidden switch per host-only adapter ``vboxnetN``; the hypervisor gets an
  interface ``vboxnetN`` with 192.168.(56+N).1/24, and VirtualBox's DHCP server for it sits at
  .100 leasing from .101 (a hidden node). No forwarding: no LAN/Internet.
* ``bridged``: per hypervisor, one hidden switch bridged (``bridge.bridge_to``) to the host's
  first NIC with a static address; the VM keeps its own MAC on the LAN.
* ``nat``: a private NAT engine per VM NIC (VirtualBox's user-mode NAT): a hidden router node
  wired straight to the NIC, gateway 10.0.2.2 (MAC 52:54:00:12:35:02) with the built-in DHCP
  server (10.0.2.15 first, DNS 10.0.2.3), masquerading to the host's own address through the
  host's stack (``natnet.UserModeUplink``). Port forwards from ``nics[].port_forwards``;
  forwarded connections come from 10.0.2.2, as VirtualBox's do.
* ``natnetwork``: one hidden switch per NAT network with a NAT service at 10.0.2.1 (the same
  ``NatNetwork`` router as a drawn ``nat_network``, on a hidden node instead of the host's stack,
  so the host has no route in) and VirtualBox's DHCP server at 10.0.2.3 leasing from 10.0.2.4.
  A drawn ``nat_network`` on the same host whose id or name is the network's name is used
  instead (its own switch, router and forwards).

A NIC with a mode that also has a drawn link is a build problem: the mode already attaches it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from typing import Any

from simcore.apps.dhcp.glue import DhcpServerGlue
from simcore.devices.bridge import bridge_to
from simcore.devices.host import HostNode
from simcore.devices.natnet import NatNetwork
from simcore.devices.switch import Switch
from simcore.net import Link

Problems = list[tuple[str, str]]

# VirtualBox's defaults (manual 6.3-6.7).
DEFAULT_NETWORK = {"internal": "intnet", "hostonly": "vboxnet0", "natnetwork": "NatNetwork"}
INTERNAL_NET = DEFAULT_NETWORK["internal"]
HOSTONLY_NET = DEFAULT_NETWORK["hostonly"]
HOSTONLY_HOST_IP = "192.168.56.1/24"
HOSTONLY_NAME = re.compile(r"^vboxnet([0-9]{1,3})$")
# NAT mode (VirtualBox's built-in NAT engine, manual 6.3 and 9.8).
NAT_GATEWAY = "10.0.2.2/24"
NAT_GATEWAY_MAC = "52:54:00:12:35:02"
NAT_DNS = "10.0.2.3"
NAT_RANGE = ("10.0.2.15", "10.0.2.30")  # 16 leases from .15, as VirtualBox's NAT DHCP gives
NAT_LEASE_S = 86400
# NAT Network (VBoxNetNAT + VBoxNetDHCP).
NATNET_GATEWAY = "10.0.2.1/24"
NATNET_DHCP = "10.0.2.3/24"
NATNET_RANGE = ("10.0.2.4", "10.0.2.254")
# VBoxNetDHCP's lease time (host-only and NAT Network servers); a choice of this simulator.
VBOXNETDHCP_LEASE_S = 600
MODES = ("nat", "natnetwork", "bridged", "internal", "hostonly")
TITLES = {
    "nat": "VirtualBox NAT",
    "natnetwork": "VirtualBox NAT Network",
    "bridged": "VirtualBox bridged networking",
    "internal": "VirtualBox internal network",
    "hostonly": "VirtualBox host-only network",
}


def _host_mac(host_id: str) -> str:
    """VirtualBox's host-only adapters have 0a:00:27 MACs; the rest is derived from the host id."""
    digest = sum((i + 1) * ord(c) for i, c in enumerate(host_id)) & 0xFFFFFF
    return f"0a:00:27:{digest >> 16:02x}:{(digest >> 8) & 0xFF:02x}:{digest & 0xFF:02x}"


def derive_mac(node_id: str, nic_name: str, _kind: str = "") -> str:
    """A stable locally administered MAC (``02:…``) for a hidden device's NIC (devices may not
    import ``simcore.design``, so this mirrors ``design.derive_mac`` for non-VM kinds)."""
    digest = hashlib.sha256(f"netdesigner-mac\0{node_id}\0{nic_name}".encode()).digest()
    return "02:" + ":".join(f"{b:02x}" for b in digest[:5])


def _linked(doc: dict) -> set[tuple[str, str]]:
    ends = set()
    for spec in doc["links"]:
        for end in (spec["a"], spec["b"]):
            if "nic" in end:
                ends.add((end["node"], end["nic"]))
    return ends


def hostonly_prefix(name: str) -> ipaddress.IPv4Network | None:
    """VirtualBox numbers host-only adapters vboxnet0, vboxnet1... on 192.168.56.0/24, .57.0/24..."""
    m = HOSTONLY_NAME.match(name)
    if m is None or int(m.group(1)) > 199:
        return None
    return ipaddress.IPv4Network(f"192.168.{56 + int(m.group(1))}.0/24")


class _Direct:
    """A NAT mode engine is wired straight to the VM's NIC: ``add_port`` hands that NIC out."""

    def __init__(self, nic: Any):
        self.nic = nic

    def add_port(self) -> Any:
        return self.nic


class _Expander:
    def __init__(self, net: Any, doc: dict):
        self.net = net
        self.doc = doc
        self.problems: Problems = []
        self.switches: dict[tuple, Switch] = {}
        self.host_nics: dict[tuple[str, str], Any] = {}
        self.natnets: dict[tuple[str, str], NatNetwork] = {}
        self.pending_forwards: dict[tuple[str, str], list[tuple[str, dict]]] = {}
        self.host_ports: dict[tuple[str, str, int], str] = {}  # (hv, proto, host port) -> rule name
        self.attached: list[tuple[str, str, str, str]] = []  # sentences for vbox.attached, in document order
        self.nodes = {spec["id"]: spec for spec in doc["nodes"]}
        if not hasattr(net, "vbox"):
            net.vbox = {}

    # -- helpers ----------------------------------------------------------------------------
    def _node(self, node: Any) -> Any:
        net = self.net
        net.nodes[node.id] = node
        net.names.add_node(node.id, node.name)
        return node

    def _switch(self, key: tuple, mode: str, name: str, hv: str | None) -> Switch:
        switch = self.switches.get(key)
        if switch is None:
            net = self.net
            label = {
                "internal": f"internal network {name}",
                "hostonly": f"host-only network {name}",
                "natnetwork": f"NAT network {name}",
                "bridged": name,
            }[mode]
            switch = Switch(
                net.engine,
                "-".join(str(k) for k in key if k),
                name=label,
                kind="vswitch",
                tracer=net.tracer,
                narrator=net.narrator,
            )
            self._node(switch)
            self.switches[key] = switch
        return switch

    def _uplink(self, hv: str | None) -> tuple[str, str] | None:
        """The host's first NIC with a static address: (name, address)."""
        for nic in self.nodes.get(hv, {}).get("nics", []):
            if nic.get("ip") and nic["ip"] != "dhcp":
                return nic["name"], nic["ip"].split("/")[0]
        return None

    def _dhcp_node(
        self,
        node_id: str,
        name: str,
        cidr: str,
        switch: Switch,
        lo: str,
        hi: str,
        router: str | None,
        dns: tuple[str, ...],
    ) -> HostNode:
        net = self.net
        node = self._node(
            HostNode(
                net.engine, node_id, name=name, kind="dhcp_server", tracer=net.tracer, narrator=net.narrator
            )
        )
        mac = derive_mac(node_id, "eth0", "dhcp_server")
        nic = node.add_nic("eth0", mac, cidr)
        net.names.add_mac(mac, node_id)
        net.names.add_ip(cidr.split("/")[0], node_id)
        link = Link(net.engine, f"{node_id}-link", nic, switch.add_port(), 0)
        net.links[link.id] = link
        # VirtualBox's DHCP servers do not probe an address before offering it (dnsmasq does).
        DhcpServerGlue(
            node,
            "eth0",
            range_start=lo,
            range_end=hi,
            lease_s=VBOXNETDHCP_LEASE_S,
            router=router,
            dns=dns,
            probe=False,
            names=net.names,
        )
        return node

    def _forwards(
        self, i: int, j: int, spec: dict, nic: dict, hv: str, guest_default: str | None
    ) -> list[dict]:
        """The NIC's port forwards with guest IP defaults; a host port taken twice on one host
        is a problem (VirtualBox refuses to start the second VM: the port is in use)."""
        rules = []
        for k, rule in enumerate(nic.get("port_forwards", [])):
            guest_ip = rule.get("guest_ip") or guest_default
            path = f"nodes[{i}].nics[{j}].port_forwards[{k}]"
            if not guest_ip:
                self.problems.append(
                    (
                        path,
                        f"{spec['id']} {nic['name']}: port forward {rule['name']!r} needs a "
                        "guest_ip (the NIC takes its address by DHCP, which this rule cannot know)",
                    )
                )
                continue
            key = (hv, rule["proto"], rule["host_port"])
            if key in self.host_ports:
                self.problems.append(
                    (
                        path,
                        f"{spec['id']} {nic['name']}: {rule['proto']} port {rule['host_port']} "
                        f"of {hv} is already forwarded by {self.host_ports[key]!r}",
                    )
                )
                continue
            self.host_ports[key] = rule["name"]
            rules.append(
                {
                    "name": rule["name"],
                    "proto": rule["proto"],
                    "host_ip": rule.get("host_ip", ""),
                    "host_port": rule["host_port"],
                    "guest_ip": guest_ip,
                    "guest_port": rule["guest_port"],
                }
            )
        return rules

    def _router(self, router_id: str, name: str) -> HostNode:
        net = self.net
        return self._node(
            HostNode(
                net.engine,
                router_id,
                name=name,
                kind="nat_network",
                ip_forward=True,
                tracer=net.tracer,
                narrator=net.narrator,
            )
        )

    # -- the modes --------------------------------------------------------------------------
    def expand(self) -> Problems:
        linked = _linked(self.doc)
        for i, spec in enumerate(self.doc["nodes"]):
            for j, nic in enumerate(spec.get("nics", [])):
                mode = nic.get("mode")
                if mode is None:
                    continue
                if (spec["id"], nic["name"]) in linked:
                    self.problems.append(
                        (
                            f"nodes[{i}].nics[{j}]",
                            f"{spec['id']} {nic['name']} is in {mode} "
                            "mode, which attaches it: remove the drawn link",
                        )
                    )
                    continue
                getattr(self, f"_{mode}")(i, j, spec, nic)
        for key, rules in self.pending_forwards.items():
            natnet = self.natnets[key]
            for path, rule in rules:
                try:
                    natnet.nat.add_forward(_rule(rule))
                except ValueError as exc:
                    self.problems.append((path, str(exc)))
        if self.attached and self.net.tracer is not None:
            self.net.engine.at(0, _announce, self.net.tracer, tuple(self.attached))
        return self.problems

    def _plug(self, spec: dict, nic: dict, switch: Any, mode: str) -> None:
        node = self.net.nodes[spec["id"]]
        link = Link(
            self.net.engine,
            f"{mode}-{spec['id']}-{nic['name']}",
            node.nics[nic["name"]],
            switch.add_port(),
            0,
        )
        self.net.links[link.id] = link

    def _announce(self, spec: dict, nic: dict, text: str) -> None:
        self.attached.append(
            (
                spec["id"],
                nic["name"],
                nic["mode"],
                f"{spec.get('name') or spec['id']}'s NIC {nic['name']} is attached to {text}",
            )
        )

    def _internal(self, i: int, j: int, spec: dict, nic: dict) -> None:
        hv = spec.get("host")
        name = nic.get("network") or INTERNAL_NET
        self._plug(spec, nic, self._switch(("internal", hv, name), "internal", name, hv), "internal")
        self._announce(
            spec,
            nic,
            f"{TITLES['internal']} {name!r}: only VMs of {hv} on {name!r} see it; "
            f"{hv} itself has no address there",
        )

    def _hostonly(self, i: int, j: int, spec: dict, nic: dict) -> None:
        hv = spec.get("host")
        name = nic.get("network") or HOSTONLY_NET
        prefix = hostonly_prefix(name)
        if prefix is None:
            self.problems.append(
                (
                    f"nodes[{i}].nics[{j}].network",
                    f"{spec['id']} {nic['name']}: a host-only "
                    f"network is a host-only adapter vboxnet0..vboxnet199, not {name!r}",
                )
            )
            return
        key = ("hostonly", hv, name)
        new = key not in self.switches
        switch = self._switch(key, "hostonly", name, hv)
        self._plug(spec, nic, switch, "hostonly")
        hosts = prefix.hosts()
        host_ip = f"{next(hosts)}/24"
        base = str(prefix.network_address).rsplit(".", 1)[0]
        if new and hv in self.net.nodes:
            host = self.net.nodes[hv]
            if name in host.nics:
                self.problems.append(
                    (
                        f"nodes[{i}].nics[{j}].network",
                        f"{hv} already has a NIC named {name}, which VirtualBox's host-only adapter would be",
                    )
                )
                return
            mac = _host_mac(hv) if name == HOSTONLY_NET else _host_mac(f"{hv}/{name}")
            self.host_nics[(hv, name)] = host.add_nic(name, mac, host_ip)
            self.net.names.add_mac(mac, hv)
            self.net.names.add_ip(host_ip.split("/")[0], hv)
            hl = Link(
                self.net.engine, f"hostonly-{hv}-{name}", self.host_nics[(hv, name)], switch.add_port(), 0
            )
            self.net.links[hl.id] = hl
            self._dhcp_node(
                f"vboxdhcp-{hv}-{name}",
                f"{name} DHCP server",
                f"{base}.100/24",
                switch,
                f"{base}.101",
                f"{base}.254",
                None,
                (),
            )
        self._announce(
            spec,
            nic,
            f"{TITLES['hostonly']} {name!r}: {hv} is {host_ip.split('/')[0]} there and "
            f"VirtualBox's DHCP server {base}.100 leases from {base}.101; nothing is forwarded beyond it",
        )

    def _bridged(self, i: int, j: int, spec: dict, nic: dict) -> None:
        hv = spec.get("host")
        uplink = self._uplink(hv)
        if uplink is None:
            self.problems.append(
                (
                    f"nodes[{i}].nics[{j}]",
                    f"{spec['id']} {nic['name']} is in bridged mode: its "
                    "host needs a NIC with a static address",
                )
            )
            return
        key = ("bridged", hv)
        new = key not in self.switches
        switch = self._switch(key, "bridged", f"bridged-{hv}", hv)
        if new:
            self.net.bridges[switch.id] = bridge_to(switch, self.net.nodes[hv], uplink[0])
        self._plug(spec, nic, switch, "bridged")
        self._announce(
            spec,
            nic,
            f"{TITLES['bridged']} on {hv}'s {uplink[0]}: its frames leave there with its "
            "own MAC, a machine of the LAN like any other",
        )

    def _nat(self, i: int, j: int, spec: dict, nic: dict) -> None:
        hv = spec.get("host")
        uplink = self._uplink(hv)
        if uplink is None:
            self.problems.append(
                (
                    f"nodes[{i}].nics[{j}]",
                    f"{spec['id']} {nic['name']} is in nat mode: its host "
                    "needs a NIC with a static address (the NAT engine's traffic leaves from it)",
                )
            )
            return
        static = nic.get("ip") if nic.get("ip") not in (None, "dhcp") else None
        guest = static.split("/")[0] if static else NAT_RANGE[0]
        vm_name = spec.get("name") or spec["id"]
        router_id = f"vboxnat-{spec['id']}-{nic['name']}"
        describe = f"{vm_name}'s NIC {nic['name']} is attached to {TITLES['nat']}"
        net = self.net
        router = self._router(router_id, f"{vm_name}'s NAT engine")
        natspec = {
            "id": router_id,
            "name": router.name,
            "uplink": uplink[0],
            "gateway": NAT_GATEWAY,
            "gateway_mac": NAT_GATEWAY_MAC,
            "inside": "eth0",
            "describe": describe,
            "dhcp": {
                "range_start": NAT_RANGE[0],
                "range_end": NAT_RANGE[1],
                "lease_s": NAT_LEASE_S,
                "router": NAT_GATEWAY.split("/")[0],
                "dns": [NAT_DNS],
                "probe": False,
            },
            "port_forwards": self._forwards(i, j, spec, nic, hv, guest),
        }
        vm_nic = net.nodes[spec["id"]].nics[nic["name"]]
        try:
            natnet = NatNetwork(
                _Direct(vm_nic),
                net.nodes[hv],
                natspec,
                net.names,
                router=router,
                forward_from=NAT_GATEWAY.split("/")[0],
            )
        except ValueError as exc:
            self.problems.append((f"nodes[{i}].nics[{j}]", str(exc)))
            return
        net.links[natnet.link.id] = natnet.link
        net.vbox[router_id] = natnet
        self._announce(
            spec,
            nic,
            f"{TITLES['nat']}: its own NAT engine, the built-in router 10.0.2.2 (DHCP "
            f"server, first lease 10.0.2.15, DNS {NAT_DNS}), which sends its traffic on from {hv}'s "
            f"address {uplink[1]}; no other VM shares it",
        )

    def _natnetwork(self, i: int, j: int, spec: dict, nic: dict) -> None:
        hv = spec.get("host")
        name = nic.get("network") or DEFAULT_NETWORK["natnetwork"]
        net = self.net
        drawn = next(
            (
                s
                for s in self.doc["nodes"]
                if s["kind"] == "nat_network" and s.get("host") == hv and name in (s["id"], s.get("name"))
            ),
            None,
        )
        if drawn is not None:
            if nic.get("port_forwards"):
                self.problems.append(
                    (
                        f"nodes[{i}].nics[{j}].port_forwards",
                        f"{spec['id']} {nic['name']} is on "
                        f"the drawn NAT network {drawn['id']}: give its port forwards there",
                    )
                )
            self._plug(spec, nic, net.nodes[drawn["id"]], "natnetwork")
            self._announce(
                spec,
                nic,
                f"{TITLES['natnetwork']} {name!r}, the drawn NAT network {drawn['id']} "
                f"(its router is {hv}'s own interface {drawn['gateway'].split('/')[0]})",
            )
            return
        uplink = self._uplink(hv)
        if uplink is None:
            self.problems.append(
                (
                    f"nodes[{i}].nics[{j}]",
                    f"{spec['id']} {nic['name']} is in natnetwork mode: its "
                    "host needs a NIC with a static address (the NAT service's traffic leaves from it)",
                )
            )
            return
        key = (hv, name)
        static = nic.get("ip") if nic.get("ip") not in (None, "dhcp") else None
        rules = self._forwards(i, j, spec, nic, hv, static.split("/")[0] if static else None)
        switch = self._switch(("natnetwork", hv, name), "natnetwork", name, hv)
        if key not in self.natnets:
            slug = re.sub(r"[^A-Za-z0-9_-]", "_", name)
            router_id = f"vboxnatnet-{hv}-{slug}"
            router = self._router(router_id, f"{name} NAT service")
            gateway = NATNET_GATEWAY.split("/")[0]
            natspec = {
                "id": router_id,
                "name": router.name,
                "uplink": uplink[0],
                "gateway": NATNET_GATEWAY,
                "gateway_mac": derive_mac(router_id, "eth0", "nat_network"),
                "inside": "eth0",
                "describe": f"{TITLES['natnetwork']} {name!r}",
            }
            try:
                natnet = NatNetwork(
                    switch, net.nodes[hv], natspec, net.names, router=router, forward_from=gateway
                )
            except ValueError as exc:
                self.problems.append((f"nodes[{i}].nics[{j}]", str(exc)))
                return
            net.links[natnet.link.id] = natnet.link
            net.vbox[router_id] = natnet
            self.natnets[key] = natnet
            self._dhcp_node(
                f"vboxdhcp-{hv}-{slug}",
                f"{name} DHCP server",
                NATNET_DHCP,
                switch,
                *NATNET_RANGE,
                gateway,
                (gateway,),
            )
        self.pending_forwards.setdefault(key, []).extend(
            (f"nodes[{i}].nics[{j}].port_forwards", rule) for rule in rules
        )
        self._plug(spec, nic, switch, "natnetwork")
        self._announce(
            spec,
            nic,
            f"{TITLES['natnetwork']} {name!r}: VMs of {hv} on it see each other; the NAT "
            f"service 10.0.2.1 sends the rest on from {hv}'s address {uplink[1]}; VirtualBox's DHCP "
            "server 10.0.2.3 leases from 10.0.2.4",
        )


def _rule(rule: dict) -> Any:
    from simcore.devices.nat import PortForward

    return PortForward(
        rule["name"], rule["proto"], rule["host_ip"], rule["host_port"], rule["guest_ip"], rule["guest_port"]
    )


def _announce(tracer: Any, attached: tuple[tuple[str, str, str, str], ...]) -> None:
    if tracer.on:
        for node_id, nic, mode, text in attached:
            tracer.emit("vbox.attached", text, node=node_id, nic=nic, mode=mode)


def expand_modes(net: Any, doc: dict) -> Problems:
    """Attach every mode NIC (in document order, so the switch ports are deterministic)."""
    if not hasattr(net, "bridges"):
        net.bridges = {}
    return _Expander(net, doc).expand()
