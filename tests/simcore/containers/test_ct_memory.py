"""What a running container keeps, kept small without changing what it does: containers in step
share the tables that hold the same values (a subnet's broadcast table), and a change made to
one is its own."""

from ct_designs import run

from simcore.network import Network

S = 1_000_000_000


def three_containers(until: float = 10.0) -> Network:
    return run([(1.0 + i / 1000, "hv", f"lxc launch images:ubuntu/24.04 c{i}") for i in range(3)], until=until)


def test_stacks_on_one_subnet_share_one_broadcast_table_and_a_change_is_their_own():
    net = three_containers()
    a, b, c = (net.nodes[f"hv-c{i}"].stack for i in range(3))
    assert a.broadcasts is b.broadcasts is c.broadcasts
    bcast = next(iter(a.broadcasts))
    assert bcast.endswith(".255") and a.broadcasts == {bcast: "eth0"}
    a.set_address("eth0", None)
    assert a.broadcasts == {} and b.broadcasts == c.broadcasts == {bcast: "eth0"}
    assert b.broadcasts is c.broadcasts
    # A stack without an address never had a table of its own.
    assert net.nodes["pc"].stack.broadcasts == {"192.168.1.255": "eth0"}
