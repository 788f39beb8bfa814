"""graph: the design as networkx, broadcast domains and switch loops, in document order."""

from __future__ import annotations

from design_samples import design, example, host, link, switch, vm

from simcore.design.graph import Loop, Segment, design_graph, segment_of, segments, switch_loops


def two_networks():
    """vm1, vm2 on sw1; vm3 on sw2; router r with a NIC on each switch; vm4 unplugged."""
    router = {
        "id": "r",
        "kind": "outside_host",
        "ip_forward": True,
        "nics": [{"name": "eth0", "ip": "10.0.0.1/24"}, {"name": "eth1", "ip": "10.0.1.1/24"}],
    }
    return design(
        [host("hv"), switch("sw1"), switch("sw2"), vm("vm1"), vm("vm2"), vm("vm3"), router, vm("vm4")],
        [
            link("a", "vm3", "sw2"),
            link("b", "vm1", "sw1"),
            link("c", "r", "sw1"),
            link("d", "vm2", "sw1"),
            link("e", "r", "sw2", a_nic="eth1"),
        ],
    )


def test_segments_stop_at_every_nic():
    assert segments(two_networks()) == [
        Segment(
            nics=(("vm1", "eth0"), ("vm2", "eth0"), ("r", "eth0")), switches=("sw1",), links=("b", "c", "d")
        ),
        Segment(nics=(("vm3", "eth0"), ("r", "eth1")), switches=("sw2",), links=("a", "e")),
    ]


def test_segment_of_leaves_out_unplugged_nics():
    assert segment_of(two_networks()) == {
        ("vm1", "eth0"): 0,
        ("vm2", "eth0"): 0,
        ("r", "eth0"): 0,
        ("vm3", "eth0"): 1,
        ("r", "eth1"): 1,
    }


def test_nic_to_nic_cable_is_a_segment():
    doc = design([host("hv"), vm("vm1"), vm("vm2")], [link("x", "vm1", "vm2", b_nic="eth0")])
    assert segments(doc) == [Segment(nics=(("vm1", "eth0"), ("vm2", "eth0")), switches=(), links=("x",))]


def test_design_graph_has_nics_placements_and_links():
    graph = design_graph(example())
    kinds = sorted(data["kind"] for _u, _v, data in graph.edges(data=True))
    assert kinds == ["link"] * 3 + ["nic"] * 3 + ["placement"] * 4
    assert graph.nodes[("nic", "vm1", "eth0")]["ip"] == "192.168.56.11/24"
    assert graph.has_edge(("node", "vm2"), ("node", "hv"))


def test_no_loop_in_a_tree_of_switches():
    doc = design(
        [switch("a", "lan_switch"), switch("b"), switch("c")],
        [link("ab", "a", "b", a_nic=None), link("bc", "b", "c", a_nic=None)],
    )
    assert switch_loops(doc) == []


def test_two_independent_loops():
    sw = [switch(f"s{i}", "lan_switch") for i in range(4)]
    doc = design(
        sw,
        [
            link("l01", "s0", "s1", a_nic=None),
            link("l12", "s1", "s2", a_nic=None),
            link("l20", "s2", "s0", a_nic=None),
            link("l23", "s2", "s3", a_nic=None),
            link("l23b", "s3", "s2", a_nic=None),
        ],
    )
    assert switch_loops(doc) == [
        Loop(switches=("s0", "s1", "s2"), links=("l01", "l12", "l20")),
        Loop(switches=("s2", "s3"), links=("l23", "l23b")),
    ]
