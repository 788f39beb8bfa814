"""Reference checks (``ref.*``): what the schema cannot see because it spans two objects.

Duplicate ids and NIC names, links to unknown nodes or NICs, a NIC on two links, a switch end
that names a NIC (a switch grows a port per link) or a NIC-ful end that does not, a placement on
a node that is not a host, captures and script steps naming nothing. Runs on any JSON value,
valid or not: whatever does not have the expected shape is the schema's to report, and skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from simcore.design.kinds import KINDS, Kind
from simcore.design.paths import format_path
from simcore.design.problems import Problem

Found = tuple[tuple[str | int, ...], Problem]


def reference_problems(doc: object) -> list[Found]:
    """Every reference problem of ``doc`` as ``(path elements, Problem)``, in document order."""
    # Without a list of nodes every reference would be "unknown": the schema error says it all.
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list):
        return []
    return list(problems_of(doc, Index(doc)))


def problems_of(doc: dict, index: Index) -> Iterator[Found]:
    """The reference problems of the nodes and links ``index`` checks (all of them, unless
    narrowed: simcore/design/incremental.py), and of every capture and script step."""
    yield from index.problems
    for check in (_placements, _route_devices, _host_nics, _members, _service_nics, _links):
        yield from check(index)
    yield from _captures(doc, index)
    yield from _script(doc, index)


def noun(kind: Kind) -> str:
    """``Virtual machine`` -> ``virtual machine``, but ``LAN switch`` stays as it is."""
    label = kind.label
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _problem(code: str, elements: tuple[str | int, ...], msg: str, *objects: str | None) -> Found:
    # A link without an id (a schema error of its own) is involved but has no id to name.
    ids = tuple(dict.fromkeys(o for o in objects if o is not None))
    return elements, Problem(code, format_path(elements), msg, objects=ids)


def _list(value: object, key: str) -> list:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, list) else []


def _str(value: object, key: str) -> str | None:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


class Index:
    """Nodes by id (first occurrence wins) and each node's NIC names; `checked` and `links` are
    the nodes and links whose own references the checks below look at (all of them, unless
    `change_is_clean` narrows them to what a change can have broken)."""

    def __init__(self, doc: dict) -> None:
        self.problems: list[Found] = []
        self.nodes: dict[str, tuple[int, dict]] = {}
        self.nics: dict[str, list[str]] = {}
        for i, node in enumerate(_list(doc, "nodes")):
            node_id = _str(node, "id")
            if node_id is None:
                continue
            if node_id in self.nodes:
                first = self.nodes[node_id][0]
                self.problems.append(
                    _problem(
                        "ref.duplicate_node_id",
                        ("nodes", i, "id"),
                        f"duplicate node id {_q(node_id)}: nodes[{first}] has it too",
                        node_id,
                    )
                )
                continue
            self.nodes[node_id] = (i, node)
            names: list[str] = []
            for j, nic in enumerate(_list(node, "nics")):
                name = _str(nic, "name")
                if name is None:
                    continue
                if name in names:
                    self.problems.append(
                        _problem(
                            "ref.duplicate_nic_name",
                            ("nodes", i, "nics", j, "name"),
                            f"duplicate NIC name {_q(name)} on node {_q(node_id)}",
                            node_id,
                        )
                    )
                names.append(name)
            self.nics[node_id] = names
        self.link_ids = {link_id for link in _list(doc, "links") if (link_id := _str(link, "id")) is not None}
        self.checked = self.nodes
        self.links: list[tuple[int, object]] = list(enumerate(_list(doc, "links")))

    def kind(self, node_id: str) -> Kind | None:
        kind_id = _str(self.nodes[node_id][1], "kind")
        return KINDS.get(kind_id) if kind_id is not None else None


def _placements(index: Index) -> Iterator[Found]:
    for node_id, (i, node) in index.checked.items():
        kind = index.kind(node_id)
        target = _str(node, "host")
        if kind is None or not kind.placed_on or target is None:
            continue
        where = ("nodes", i, "host")
        if target not in index.nodes:
            yield _problem("ref.unknown_node", where, f"unknown node {_q(target)}", node_id)
            continue
        target_kind = index.kind(target)
        if target_kind is not None and target_kind.id not in kind.placed_on:
            allowed = " or ".join(noun(KINDS[k]) for k in kind.placed_on)
            yield _problem(
                "ref.wrong_placement",
                where,
                f"{_q(target)} is a {noun(target_kind)}, but a {noun(kind)} can only be placed on a {allowed}",
                node_id,
                target,
            )


def _route_devices(index: Index) -> Iterator[Found]:
    for node_id, (i, node) in index.checked.items():
        for r, route in enumerate(_list(node, "routes")):
            dev = _str(route, "dev")
            if dev is not None and dev not in index.nics.get(node_id, []):
                yield _problem(
                    "ref.unknown_nic",
                    ("nodes", i, "routes", r, "dev"),
                    f"node {_q(node_id)} has no NIC {_q(dev)}",
                    node_id,
                )


# Fields of a node that name a NIC of the node's own `host` (where it lives).
_HOST_NIC_FIELDS = {"nat_network": ("uplink",), "vswitch": ("bridged_to",)}


def _host_nics(index: Index) -> Iterator[Found]:
    """A NAT network's ``uplink`` and a vswitch's ``bridged_to`` name a NIC of their host."""
    for node_id, (i, node) in index.checked.items():
        kind = index.kind(node_id)
        for field in _HOST_NIC_FIELDS.get(kind.id if kind else "", ()):
            nic = _str(node, field)
            if nic is None:
                continue
            host = _str(node, "host")
            if host is None and kind is not None and not kind.placement_required:  # else the schema says it
                yield _problem(
                    "ref.needs_host",
                    ("nodes", i, field),
                    f"{_q(node_id)} names the host NIC {_q(nic)} but is placed on no host",
                    node_id,
                )
            elif host in index.nodes and nic not in index.nics.get(host, []):
                yield _problem(
                    "ref.unknown_nic", ("nodes", i, field), f"node {_q(host)} has no NIC {_q(nic)}", node_id, host
                )


def _members(index: Index) -> Iterator[Found]:
    """A distributed switch's members name hosts, and an underlay NIC of each."""
    for node_id, (i, node) in index.checked.items():
        for m, member in enumerate(_list(node, "members")):
            host = _str(member, "host")
            if host is None:
                continue
            where = ("nodes", i, "members", m)
            if host not in index.nodes:
                yield _problem("ref.unknown_node", (*where, "host"), f"unknown node {_q(host)}", node_id)
                continue
            host_kind = index.kind(host)
            if host_kind is not None and host_kind.id != "host":
                yield _problem(
                    "ref.wrong_placement",
                    (*where, "host"),
                    f"{_q(host)} is a {noun(host_kind)}, but a distributed switch can only span physical hosts",
                    node_id,
                    host,
                )
                continue
            nic = _str(member, "underlay")
            if nic is not None and nic not in index.nics.get(host, []):
                yield _problem(
                    "ref.unknown_nic", (*where, "underlay"), f"node {_q(host)} has no NIC {_q(nic)}", node_id, host
                )


def _service_nics(index: Index) -> Iterator[Found]:
    """A DHCP service is bound on a NIC of its own node."""
    for node_id, (i, node) in index.checked.items():
        for s, service in enumerate(_list(node, "services")):
            nic = _str(service, "nic")
            if nic is not None and nic not in index.nics.get(node_id, []):
                yield _problem(
                    "ref.unknown_nic",
                    ("nodes", i, "services", s, "nic"),
                    f"node {_q(node_id)} has no NIC {_q(nic)}",
                    node_id,
                )


def _links(index: Index) -> Iterator[Found]:
    seen: set[str] = set()
    plugged: dict[tuple[str, str], tuple[str, str | None]] = {}  # (node, nic) -> (label, id) of its link
    for i, link in index.links:
        link_id = _str(link, "id")
        label = link_id if link_id is not None else f"links[{i}]"  # what sentences call it
        if link_id is not None:
            if link_id in seen:
                yield _problem(
                    "ref.duplicate_link_id", ("links", i, "id"), f"duplicate link id {_q(link_id)}", link_id
                )
            seen.add(link_id)
        ends = [(side, link.get(side)) for side in ("a", "b") if isinstance(link, dict)]
        switch_ends = []
        for side, end in ends:
            node_id = _str(end, "node")
            if node_id is None:
                continue
            where = ("links", i, side)
            if node_id not in index.nodes:
                yield _problem(
                    "ref.unknown_node", (*where, "node"), f"unknown node {_q(node_id)}", link_id, node_id
                )
                continue
            kind = index.kind(node_id)
            if kind is None:
                continue
            nic = _str(end, "nic")
            if kind.is_switch:
                switch_ends.append(node_id)
                if "nic" in end:
                    yield _problem(
                        "ref.switch_port",
                        (*where, "nic"),
                        f"{_q(node_id)} is a switch: a link end on a switch names no NIC (each link gets its own port)",
                        link_id,
                        node_id,
                    )
            elif "nic" not in end:
                yield _problem(
                    "ref.missing_nic",
                    where,
                    f"a link end on {_q(node_id)} must name one of its NICs",
                    link_id,
                    node_id,
                )
            elif nic is not None and nic not in index.nics.get(node_id, []):
                yield _problem(
                    "ref.unknown_nic",
                    (*where, "nic"),
                    f"node {_q(node_id)} has no NIC {_q(nic)}",
                    link_id,
                    node_id,
                )
            elif nic is not None:
                if (node_id, nic) not in plugged:
                    plugged[(node_id, nic)] = (label, link_id)
                else:
                    other, other_id = plugged[(node_id, nic)]
                    msg = (
                        f"NIC {_q(nic)} of {_q(node_id)} is on both ends of link {_q(label)}"
                        if other == label
                        else f"NIC {_q(nic)} of {_q(node_id)} is already on link {_q(other)}: a NIC takes one link"
                    )
                    yield _problem("ref.nic_on_two_links", (*where, "nic"), msg, link_id, node_id, other_id)
        if len(switch_ends) == 2 and switch_ends[0] == switch_ends[1]:
            yield _problem(
                "ref.self_link",
                ("links", i),
                f"link {_q(label)} connects {_q(switch_ends[0])} to itself",
                link_id,
                switch_ends[0],
            )


def _captures(doc: dict, index: Index) -> Iterator[Found]:
    for i, capture in enumerate(_list(doc, "captures")):
        link_id = _str(capture, "link")
        if link_id is not None and isinstance(doc.get("links"), list) and link_id not in index.link_ids:
            yield _problem(
                "ref.unknown_link", ("captures", i, "link"), f"unknown link {_q(link_id)}", link_id
            )
        node_id = _str(capture, "node")
        if node_id is None:
            continue
        if node_id not in index.nodes:
            yield _problem(
                "ref.unknown_node", ("captures", i, "node"), f"unknown node {_q(node_id)}", node_id
            )
            continue
        nic = _str(capture, "nic")
        if nic is not None and nic not in index.nics.get(node_id, []):
            yield _problem(
                "ref.unknown_nic", ("captures", i, "nic"), f"node {_q(node_id)} has no NIC {_q(nic)}", node_id
            )


def _script(doc: dict, index: Index) -> Iterator[Found]:
    for i, step in enumerate(_list(doc, "script")):
        node_id = _str(step, "node")
        if node_id is not None and node_id not in index.nodes:
            yield _problem("ref.unknown_node", ("script", i, "node"), f"unknown node {_q(node_id)}", node_id)


def _q(text: str) -> str:
    short = text if len(text) <= 60 else text[:60] + "…"
    return "'" + short.replace("\\", "\\\\").replace("'", "\\'") + "'"
