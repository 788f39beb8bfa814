"""Design checks: what is valid JSON but will not work (or not as drawn), said in words.

``check(doc)`` takes a *valid* document (``validate(doc) == []``) and returns problems with a
stable ``check.*`` code, a severity, one plain sentence naming the user's objects by name, the
ids involved and the most relevant path. Every check is documented in ``docs/design-checks.md``.

Severities: ``error`` — it will not work as drawn; ``warning`` — it runs, but probably not as
meant, or badly; ``info`` — worth knowing.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterator

from simcore.design import imagecat
from simcore.design.derive import normalized
from simcore.design.graph import Segment, segments, switch_loops
from simcore.design.paths import format_path, path_sort_key
from simcore.design.platforms import HOST_OS_RESERVE_MB, PLATFORMS, contradiction
from simcore.design.problems import Problem

_OS_WORDS = {"linux": "Linux", "windows": "Windows", "macos": "macOS", "bsd": "BSD"}

Found = tuple[tuple[str | int, ...], Problem]


class _Design:
    """The normalized document with the look-ups every check needs."""

    def __init__(self, doc: dict) -> None:
        self.given = doc  # as written: a path must point at what the user wrote
        self.doc = normalized(doc)
        self.nodes = {node["id"]: (i, node) for i, node in enumerate(self.doc["nodes"])}
        self._nics = {
            (node["id"], nic["name"]): (j, nic)
            for node in self.doc["nodes"]
            for j, nic in enumerate(node.get("nics", []))
        }
        self._static: dict[tuple[str, str], ipaddress.IPv4Interface | None] = {}
        self._guests: dict[tuple[str, str], list[dict]] = {}
        for node in self.doc["nodes"]:
            if "host" in node:
                self._guests.setdefault((node["host"], node["kind"]), []).append(node)

    @functools.cached_property
    def segments(self) -> list[Segment]:
        """The broadcast segments (``graph.segments``): made for the checks that look at them."""
        return segments(self.doc)

    def name(self, node_id: str) -> str:
        return self.nodes[node_id][1]["name"]

    def nic(self, node_id: str, nic_name: str) -> tuple[int, dict]:
        return self._nics[(node_id, nic_name)]

    def nic_path(self, node_id: str, nic_name: str, *more: str) -> tuple[str | int, ...]:
        return ("nodes", self.nodes[node_id][0], "nics", self.nic(node_id, nic_name)[0], *more)

    def nic_words(self, node_id: str, nic_name: str) -> str:
        return f"{nic_name} of {self.name(node_id)}"

    def static(self, node_id: str, nic_name: str) -> ipaddress.IPv4Interface | None:
        key = (node_id, nic_name)
        if key not in self._static:  # parsed once: several checks ask, and ipaddress is slow
            ip = self._nics[key][1].get("ip")
            self._static[key] = ipaddress.IPv4Interface(ip) if ip and ip != "dhcp" else None
        return self._static[key]

    def guests(self, host_id: str, kind: str) -> list[dict]:
        """The nodes of ``kind`` placed on ``host_id``, in document order."""
        return self._guests.get((host_id, kind), [])


def check(doc: dict) -> list[Problem]:
    """Every design check's findings for a valid ``doc``, sorted by path, then code."""
    return _run(doc, _CHECKS)


def overcommit(doc: dict) -> list[Problem]:
    """Only the RAM and vCPU over-commit checks (a running VM's host asks at every change of its
    VMs' settings; the graph checks, and networkx, stay out of a run's worker)."""
    return _run(doc, (_overcommit,))


def _run(doc: dict, checks: tuple) -> list[Problem]:
    design = _Design(doc)
    found: list[Found] = []
    for run in checks:
        found.extend(run(design))
    found.sort(key=lambda item: (path_sort_key(item[0]), item[1].code, item[1].msg))
    return [problem for _elements, problem in found]


def _problem(code: str, severity: str, elements: tuple[str | int, ...], msg: str, objects) -> Found:
    return elements, Problem(code, format_path(elements), msg, severity, tuple(dict.fromkeys(objects)))


def _duplicate_mac(design: _Design) -> Iterator[Found]:
    # Switches learn one port per MAC (IEEE 802.1D §7.8): two NICs with one MAC on a segment
    # steal each other's frames. On separate segments a repeated MAC does no harm.
    for segment in design.segments:
        first: dict[str, tuple[str, str]] = {}
        for node_id, nic_name in segment.nics:
            mac = design.nic(node_id, nic_name)[1]["mac"]
            if mac in first:
                other = first[mac]
                i, j = design.nic_path(node_id, nic_name)[1::2]
                written = "mac" in design.given["nodes"][i]["nics"][j]  # else derived: point at the NIC
                yield _problem(
                    "check.duplicate_mac",
                    "error",
                    design.nic_path(node_id, nic_name, *(["mac"] if written else [])),
                    f"{design.nic_words(*other)} and {design.nic_words(node_id, nic_name)} have the same MAC "
                    f"address {mac} on one network: the switch will deliver their frames to only one of them. Its "
                    "entry for that MAC moves between their ports as each sends, and both get the same address "
                    "from a DHCP server, which knows a client by its MAC (a clone should get new MACs).",
                    (other[0], node_id),
                )
            else:
                first[mac] = (node_id, nic_name)


def _duplicate_ip(design: _Design) -> Iterator[Found]:
    for segment in design.segments:
        first: dict[ipaddress.IPv4Address, tuple[str, str]] = {}
        for node_id, nic_name in segment.nics:
            iface = design.static(node_id, nic_name)
            if iface is None:
                continue
            if iface.ip in first:
                other = first[iface.ip]
                yield _problem(
                    "check.duplicate_ip",
                    "error",
                    design.nic_path(node_id, nic_name, "ip"),
                    f"{design.nic_words(*other)} and {design.nic_words(node_id, nic_name)} both use {iface.ip} "
                    "on one network: an address conflict, so replies reach only one of them.",
                    (other[0], node_id),
                )
            else:
                first[iface.ip] = (node_id, nic_name)


def _reserved_address(design: _Design) -> Iterator[Found]:
    # RFC 919/922: the all-zeros and all-ones host parts name the network and its broadcast;
    # /31 (RFC 3021) and /32 have no such addresses.
    for node_id, (_i, node) in design.nodes.items():
        for nic in node.get("nics", []):
            iface = design.static(node_id, nic["name"])
            if iface is None or iface.network.prefixlen >= 31:
                continue
            role = {iface.network.network_address: "network", iface.network.broadcast_address: "broadcast"}
            if iface.ip in role:
                yield _problem(
                    "check.reserved_address",
                    "error",
                    design.nic_path(node_id, nic["name"], "ip"),
                    f"{design.nic_words(node_id, nic['name'])} uses {iface.ip}, the {role[iface.ip]} address of "
                    f"{iface.network}: no machine can have it.",
                    (node_id,),
                )


def _ip_outside_subnet(design: _Design) -> Iterator[Found]:
    # A gateway is reached by ARP on a directly connected subnet (RFC 1122 §3.3.1.1): a `via`
    # outside every NIC's subnet can never be resolved. With a DHCP NIC the subnet is unknown.
    for node_id, (i, node) in design.nodes.items():
        nics = node.get("nics", [])
        if any(nic.get("ip") == "dhcp" for nic in nics):
            continue
        subnets = [design.static(node_id, nic["name"]) for nic in nics]
        subnets = [iface for iface in subnets if iface is not None]
        name = design.name(node_id)
        for r, route in enumerate(node.get("routes", [])):
            via = ipaddress.IPv4Address(route["via"])
            if any(via in iface.network for iface in subnets):
                continue
            if subnets:
                where = ", ".join(str(iface.network) for iface in subnets)
                outside = f"outside every subnet of {name}'s NICs ({where})"
            else:
                outside = f"but no NIC of {name} has a static address"
            yield _problem(
                "check.ip_outside_subnet",
                "error",
                ("nodes", i, "routes", r, "via"),
                f"{name}'s route to {route['to']} goes via {via}, {outside}: that gateway cannot be reached.",
                (node_id,),
            )


def _nic_unconnected(design: _Design) -> Iterator[Found]:
    linked = {nic for segment in design.segments for nic in segment.nics}
    for node_id, (_i, node) in design.nodes.items():
        for nic in node.get("nics", []):
            # A NIC with a VirtualBox mode is attached by the simulator (docs/vbox-modes.md).
            if (node_id, nic["name"]) not in linked and "mode" not in nic:
                yield _problem(
                    "check.nic_unconnected",
                    "warning",
                    design.nic_path(node_id, nic["name"]),
                    f"{design.nic_words(node_id, nic['name'])} is not connected to anything.",
                    (node_id,),
                )


def _switch_loop(design: _Design) -> Iterator[Found]:
    link_index = {link["id"]: i for i, link in enumerate(design.doc["links"])}
    for loop in switch_loops(design.doc):
        names = _and([design.name(s) for s in dict.fromkeys(loop.switches)])
        yield _problem(
            "check.switch_loop",
            "error",
            ("links", link_index[loop.links[-1]]),
            f"Links {_and(list(loop.links))} make a loop between switches {names} and nothing runs a "
            "spanning tree: broadcast storm, every broadcast will circle forever.",
            (*loop.switches, *loop.links),
        )


def _container_kernel(design: _Design) -> Iterator[Found]:
    for node_id, (i, node) in design.nodes.items():
        if node["kind"] != "container":
            continue
        # The OS family the container needs: its own field, else the catalogue's for its image.
        image_os = imagecat.os_of(node["image"]) if node.get("image") else None
        family, field = (node["os"], "os") if "os" in node else (image_os, "image")
        if family is None:
            continue
        host = design.nodes[node["host"]][1]
        if "os" in host and host["os"] != family:
            what = f"a {_OS_WORDS[family]} container" if field == "os" else \
                f"its image {node['image']} is a {_OS_WORDS[family]} image, and it"
            yield _problem(
                "check.container_kernel",
                "error",
                ("nodes", i, field),
                f"Container {design.name(node_id)} cannot run on {design.name(host['id'])}: a container shares "
                f"the host's kernel, and {what} cannot run on a {_OS_WORDS[host['os']]} host.",
                (node_id, host["id"]),
            )
        elif field == "os" and image_os is not None and image_os != family:
            yield _problem(
                "check.container_kernel",
                "error",
                ("nodes", i, "image"),
                f"Container {design.name(node_id)}: its image {node['image']} is a {_OS_WORDS[image_os]} image, "
                f"not {_OS_WORDS[family]} as its OS family says.",
                (node_id,),
            )


def _overcommit(design: _Design) -> Iterator[Found]:
    for host_id, (i, host) in design.nodes.items():
        if host["kind"] != "host":
            continue
        vms = design.guests(host_id, "vm")
        name = design.name(host_id)
        asked = [vm for vm in vms if "ram_mb" in vm]
        total = sum(vm["ram_mb"] for vm in asked)
        # A type 2 hypervisor's host OS keeps some RAM for itself (platforms.HOST_OS_RESERVE_MB).
        reserve = HOST_OS_RESERVE_MB if host.get("hypervisor_type") == 2 else 0
        if "ram_mb" in host and total > host["ram_mb"] - reserve:
            kept = (f", {reserve} MB of which its host OS keeps for itself (a type 2 hypervisor runs on an "
                    "operating system)" if reserve else "")
            yield _problem(
                "check.ram_overcommit",
                "warning",
                ("nodes", i, "ram_mb"),
                f"{_guests_words(name, asked)} {'asks' if len(asked) == 1 else 'ask'} for {total} MB of RAM but {name} "
                f"has {host['ram_mb']} MB{kept}: the host will swap, or refuse to start some of them.",
                (host_id, *(vm["id"] for vm in asked)),
            )
        asked = [vm for vm in vms if "vcpus" in vm]
        total = sum(vm["vcpus"] for vm in asked)
        if "cpu_cores" in host and total > host["cpu_cores"]:
            yield _problem(
                "check.vcpu_overcommit",
                "info",
                ("nodes", i, "cpu_cores"),
                f"{_guests_words(name, asked)} {'has' if len(asked) == 1 else 'have'} {total} virtual CPUs but {name} "
                f"has {host['cpu_cores']} cores: they will take turns and run slower.",
                (host_id, *(vm["id"] for vm in asked)),
            )


def _no_vt_x(design: _Design) -> Iterator[Found]:
    for host_id, (i, host) in design.nodes.items():
        if host["kind"] != "host" or host.get("virtualization_extensions") is not False:
            continue
        vms = design.guests(host_id, "vm")
        if not vms:
            continue
        names = _and([vm["name"] for vm in vms])
        verb = "runs" if len(vms) == 1 else "run"
        yield _problem(
            "check.no_vt_x",
            "warning",
            ("nodes", i, "virtualization_extensions"),
            f"{design.name(host_id)} has no hardware virtualization (VT-x/AMD-V), so {names} {verb}, but on a "
            "fully simulated CPU: very slow.",
            (host_id, *(vm["id"] for vm in vms)),
        )


def _platform_type(design: _Design) -> Iterator[Found]:
    # The platform's own types are in the schema (x-choices of kind_host.platform): VirtualBox is
    # only ever type 2, Xen and Hyper-V type 1; VMware and KVM may be either.
    for host_id, (i, host) in design.nodes.items():
        if host["kind"] != "host":
            continue
        note = contradiction(host.get("platform"), host.get("hypervisor_type"))
        if note is None:
            continue
        label = PLATFORMS[host["platform"]].label
        yield _problem(
            "check.platform_type_mismatch",
            "warning",
            ("nodes", i, "hypervisor_type"),
            f"{design.name(host_id)} runs {label} as a type {host['hypervisor_type']} hypervisor, but {note} "
            "Change the platform or the type so the drawing tells the truth.",
            (host_id,),
        )
def _disk_paths(design: _Design) -> Iterator[Found]:
    """Each VM disk is an image file in its host's machine folder (``vm_folder``): one outside it
    will not build, and two disks naming one file would share (and corrupt) each other's blocks."""
    for host_id, (_i, host) in design.nodes.items():
        if host["kind"] != "host":
            continue
        folder = _normpath(host["vm_folder"])  # normalized: the schema's default when not given
        seen: dict[str, tuple[str, str]] = {}  # path -> (VM id, disk name) of its first disk
        for vm in design.guests(host_id, "vm"):
            i = design.nodes[vm["id"]][0]
            for j, disk in enumerate(vm.get("disks") or []):
                path = _normpath(disk["path"]) if disk.get("path") else f"{folder}/{vm['name']}/{disk['name']}.vdi"
                where = ("nodes", i, "disks", j, "path")
                words = f"{vm['name']}'s disk {disk['name']}"
                if not path.startswith(folder + "/"):
                    yield _problem(
                        "check.disk_outside_store", "error", where,
                        f"{words} is the file {path}, outside {design.name(host_id)}'s machine folder {folder}: "
                        f"every disk image of {design.name(host_id)} lives there, so the design will not build.",
                        (vm["id"], host_id))
                    continue
                if path in seen:
                    other_id, other_disk = seen[path]
                    yield _problem(
                        "check.duplicate_disk_path", "error", where,
                        f"{words} and {design.name(other_id)}'s disk {other_disk} are both the file {path} on "
                        f"{design.name(host_id)}: two disks cannot share one image file (each would overwrite the "
                        "other's blocks), so the design will not build.",
                        (vm["id"], other_id, host_id))
                    continue
                seen[path] = (vm["id"], disk["name"])


def _normpath(path: str) -> str:
    """An absolute path without ``//``, ``.`` and ``..`` (as the host's filesystem reads it)."""
    out: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if out:
                out.pop()
        elif part not in ("", "."):
            out.append(part)
    return "/" + "/".join(out)


def _subnet_mismatch(design: _Design) -> Iterator[Found]:
    # Two static addresses on one segment reach each other only if each is on-link for the
    # other (RFC 1122 §3.3.1.1); otherwise each sends to its gateway, or gives up.
    for segment in design.segments:
        groups = _subnet_groups(design, segment)
        for node_b, nic_b, b in groups[1:]:
            node_a, _nic_a, a = groups[0]
            if b.ip in a.network and a.ip in b.network:
                continue
            yield _problem(
                "check.two_hosts_same_segment_subnet_mismatch",
                "warning",
                design.nic_path(node_b, nic_b, "ip"),
                f"{design.name(node_a)} ({a}) and {design.name(node_b)} ({b}) are on the same network but in "
                "different subnets: they will not reach each other.",
                (node_a, node_b),
            )


def _subnet_groups(design: _Design, segment: Segment) -> list[tuple[str, str, ipaddress.IPv4Interface]]:
    """The first static NIC of each distinct subnet on the segment, in document order."""
    firsts: dict[ipaddress.IPv4Network, tuple[str, str, ipaddress.IPv4Interface]] = {}
    for node_id, nic_name in segment.nics:
        iface = design.static(node_id, nic_name)
        if iface is not None:
            firsts.setdefault(iface.network, (node_id, nic_name, iface))
    return list(firsts.values())


def _guests_words(host_name: str, vms: list[dict]) -> str:
    if len(vms) == 1:
        return vms[0]["name"]
    return f"The VMs on {host_name} ({_and([vm['name'] for vm in vms])})"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _two_dhcp_servers(design: _Design) -> Iterator[Found]:
    # Clients take the first OFFER that arrives (RFC 2131 §4.4.1): with two servers on one network
    # which one a client gets depends on timing, and the other server's range, router and DNS
    # may be wrong for it. Servers: `dhcp` services on a NIC of the network, NAT networks with `dhcp`.
    for segment in design.segments:
        servers: list[tuple[tuple[str | int, ...], str, str]] = []  # (path, node id, words)
        for node_id in segment.switches:
            i, node = design.nodes[node_id]
            if node["kind"] == "nat_network" and "dhcp" in node:
                servers.append((("nodes", i, "dhcp"), node_id, f"the DHCP server of {node['name']}"))
        for node_id, nic_name in segment.nics:
            i, node = design.nodes[node_id]
            for s, service in enumerate(node.get("services", [])):
                if service["kind"] == "dhcp" and service["nic"] == nic_name:
                    servers.append((("nodes", i, "services", s), node_id, f"the DHCP server on {nic_name} of {node['name']}"))
        servers.sort(key=lambda server: path_sort_key(server[0]))
        for path, node_id, words in servers[1:]:
            first_path, first_id, first_words = servers[0]
            yield _problem(
                "check.two_dhcp_servers",
                "warning",
                path,
                f"{first_words[:1].upper()}{first_words[1:]} and {words} serve one network: each client takes "
                "whichever offer comes first, so its address, router and DNS depend on timing.",
                (first_id, node_id),
            )


_NAMED_MODES = ("internal", "hostonly", "natnetwork")
_FORWARD_MODES = ("nat", "natnetwork")


def _mode_words(nic: dict) -> str:
    return f"its mode is {nic['mode']}" if "mode" in nic else "it has no mode"


def _vbox_fields(design: _Design) -> Iterator[Found]:
    """VirtualBox NIC fields the NIC's mode does not use, and host-only names that are no adapter."""
    import re

    for node_id, (_i, node) in design.nodes.items():
        for nic in node.get("nics", []):
            words = design.nic_words(node_id, nic["name"])
            network = nic.get("network")
            if network is not None and nic.get("mode") not in _NAMED_MODES:
                yield _problem(
                    "check.network_without_mode",
                    "warning",
                    design.nic_path(node_id, nic["name"], "network"),
                    f"{words} names the network {network!r}, but only internal, host-only and NAT Network "
                    f"attachments use a network name ({_mode_words(nic)}): the name is ignored.",
                    (node_id,),
                )
            elif (network is not None and nic.get("mode") == "hostonly"
                  and not re.fullmatch(r"vboxnet([0-9]|[1-9][0-9]|1[0-9][0-9])", network)):
                yield _problem(
                    "check.hostonly_network_name",
                    "error",
                    design.nic_path(node_id, nic["name"], "network"),
                    f"{words} is on the host-only network {network!r}, but host-only networks are the host's "
                    "adapters vboxnet0 to vboxnet199 (vboxnetN is 192.168.(56+N).0/24): the design will not build.",
                    (node_id,),
                )
            if nic.get("port_forwards") and nic.get("mode") not in _FORWARD_MODES:
                yield _problem(
                    "check.port_forwards_without_nat",
                    "warning",
                    design.nic_path(node_id, nic["name"], "port_forwards"),
                    f"{words} has port forwards, but only NAT and NAT Network attachments forward ports "
                    f"({_mode_words(nic)}): they are ignored.",
                    (node_id,),
                )


_CHECKS = (
    _duplicate_mac,
    _duplicate_ip,
    _reserved_address,
    _ip_outside_subnet,
    _nic_unconnected,
    _switch_loop,
    _container_kernel,
    _overcommit,
    _no_vt_x,
    _platform_type,
    _disk_paths,
    _subnet_mismatch,
    _two_dhcp_servers,
    _vbox_fields,
)

CHECK_CODES = (
    "check.duplicate_mac",
    "check.duplicate_ip",
    "check.reserved_address",
    "check.ip_outside_subnet",
    "check.nic_unconnected",
    "check.switch_loop",
    "check.container_kernel",
    "check.ram_overcommit",
    "check.vcpu_overcommit",
    "check.no_vt_x",
    "check.platform_type_mismatch",
    "check.disk_outside_store",
    "check.duplicate_disk_path",
    "check.two_hosts_same_segment_subnet_mismatch",
    "check.two_dhcp_servers",
    "check.network_without_mode",
    "check.hostonly_network_name",
    "check.port_forwards_without_nat",
)
