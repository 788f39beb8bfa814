"""The design as a networkx graph, and what the checks read from it.

Vertices are design nodes ``("node", id)`` and NICs ``("nic", node_id, nic_name)``; edges are
``nic`` (a node owns a NIC), ``placement`` (a VM, container or vswitch sits on a host), ``link``
(keyed by link id, so two parallel links stay two edges) and ``bridge`` (a vswitch ``bridged_to``
its host's NIC: one broadcast domain, like a Linux bridge with that NIC as a port). Our JSON stays the source of truth;
the graph is rebuilt from it whenever needed and never serialised.

A segment (broadcast domain) is a connected component of the link edges: the NICs and switches
a broadcast reaches. Hosts do not bridge, so a segment ends at every NIC.

networkx returns components as sets, whose iteration order depends on PYTHONHASHSEED for
string tuples: every result here is re-sorted by document order before it leaves this module.

networkx is imported by the functions that use it, not with this module: it is 23 MB of the
process, and a run's worker (which imports ``simcore.design`` for the rest) never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simcore.design.kinds import KINDS

if TYPE_CHECKING:
    import networkx as nx

NicRef = tuple[str, str]  # (node id, NIC name)


@dataclass(frozen=True, slots=True)
class Segment:
    """One broadcast domain, members in document order."""

    nics: tuple[NicRef, ...]
    switches: tuple[str, ...]
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Loop:
    """A cycle of switch-to-switch links: the switches along it and the links, in order."""

    switches: tuple[str, ...]
    links: tuple[str, ...]


def _end_vertex(end: dict) -> tuple[str, ...]:
    return ("nic", end["node"], end["nic"]) if "nic" in end else ("node", end["node"])


def design_graph(doc: dict) -> nx.MultiGraph:
    """The whole design (``doc`` valid) as a MultiGraph; vertices carry ``order`` (document order)."""
    import networkx as nx

    graph = nx.MultiGraph()
    order = 0
    for node in doc["nodes"]:
        kind = KINDS[node["kind"]]
        graph.add_node(("node", node["id"]), kind=kind.id, name=node.get("name", node["id"]), order=order)
        order += 1
        for nic in node.get("nics", []):
            vertex = ("nic", node["id"], nic["name"])
            graph.add_node(vertex, kind="nic", ip=nic.get("ip"), mac=nic.get("mac"), order=order)
            graph.add_edge(("node", node["id"]), vertex, kind="nic")
            order += 1
    for node in doc["nodes"]:
        if "host" in node:
            graph.add_edge(("node", node["id"]), ("node", node["host"]), kind="placement")
    for link in doc.get("links", []):
        graph.add_edge(
            _end_vertex(link["a"]), _end_vertex(link["b"]), key=link["id"], kind="link", link=link["id"]
        )
    for node in doc["nodes"]:
        # A vswitch bridged to its host's NIC is one broadcast domain with that NIC's network.
        if "bridged_to" in node and "host" in node:
            graph.add_edge(("node", node["id"]), ("nic", node["host"], node["bridged_to"]), kind="bridge")
    return graph


def _link_graph(graph: nx.MultiGraph) -> nx.MultiGraph:
    import networkx as nx

    links = nx.MultiGraph()
    for vertex, data in graph.nodes(data=True):
        if data["kind"] == "nic" or KINDS[data["kind"]].is_switch:
            links.add_node(vertex, **data)
    for u, v, key, data in graph.edges(keys=True, data=True):
        if data["kind"] in ("link", "bridge"):
            links.add_edge(u, v, key=key, **data)
    return links


def segments(doc: dict) -> list[Segment]:
    """Broadcast domains with at least one link, in the document order of their first member."""
    import networkx as nx

    graph = design_graph(doc)
    links = _link_graph(graph)
    component_of: dict[tuple[str, ...], int] = {}
    members: list[list[tuple[str, ...]]] = []
    for component in nx.connected_components(links):
        if len(component) < 2:
            continue  # a NIC or switch on no link is no broadcast domain (self-links are ref errors)
        for vertex in component:
            component_of[vertex] = len(members)
        members.append(sorted(component, key=lambda vertex: links.nodes[vertex]["order"]))
    link_ids: list[list[str]] = [[] for _ in members]
    for link in doc.get("links", []):  # document order
        link_ids[component_of[_end_vertex(link["a"])]].append(link["id"])
    found = [
        Segment(
            nics=tuple((v[1], v[2]) for v in vertices if v[0] == "nic"),
            switches=tuple(v[1] for v in vertices if v[0] == "node"),
            links=tuple(ids),
        )
        for vertices, ids in zip(members, link_ids, strict=True)
    ]
    found.sort(key=lambda segment: _first_order(graph, segment))
    return found


def _first_order(graph: nx.MultiGraph, segment: Segment) -> int:
    vertices = [("nic", *nic) for nic in segment.nics] + [("node", s) for s in segment.switches]
    return min(graph.nodes[v]["order"] for v in vertices)


def segment_of(doc: dict) -> dict[NicRef, int]:
    """Each linked NIC's index in ``segments(doc)``; a NIC on no link is absent."""
    return {nic: i for i, segment in enumerate(segments(doc)) for nic in segment.nics}


def switch_loops(doc: dict) -> list[Loop]:
    """Every independent loop of switch-to-switch links (a cycle basis of the switch graph).

    Links are added to a spanning forest in document order; a link whose two switches are
    already connected closes one loop: the forest path between them plus that link. This is the
    fundamental cycle basis of that forest, with two parallel links counted as a loop too (which
    ``nx.cycle_basis`` on a simple graph would miss).
    """
    import networkx as nx

    switch_ids = {node["id"] for node in doc["nodes"] if KINDS[node["kind"]].is_switch}
    forest = nx.Graph()
    joined = nx.utils.UnionFind()  # connectivity in near-constant time; the forest only to name a loop
    loops = []
    for link in doc.get("links", []):
        a, b = link["a"]["node"], link["b"]["node"]
        if a not in switch_ids or b not in switch_ids or a == b:
            continue
        if joined[a] == joined[b]:
            # From b back to a, so the loop reads on: b ... a, then this link from a to b.
            path = nx.shortest_path(forest, b, a)
            path_links = [forest.edges[u, v]["link"] for u, v in zip(path, path[1:], strict=False)]
            loops.append(Loop(switches=tuple(path), links=(*path_links, link["id"])))
        else:
            joined.union(a, b)
            forest.add_edge(a, b, link=link["id"])
    return loops
