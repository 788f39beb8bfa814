"""A checkpoint (Network.fork) of a bridged or distributed design runs on exactly like the original."""

import pytest
from l2ext_designs import bridged_static, build, dvs_static


@pytest.mark.parametrize("make, node, line", [
    (bridged_static, "vm", "ping -c 2 198.51.100.20"),
    (dvs_static, "vmA", "ping -c 2 192.168.100.12"),
])
def test_fork_mid_ping_gives_the_same_frames(make, node, line):
    net, _ = build(make())
    net.command(node, line, at=1.0)
    net.run_until(1.5)
    twin = net.fork()
    net.run_until(4)
    twin.run_until(4)

    def frames(n):
        return {name: [(t, f.emit()) for t, f in cap.records] for name, cap in n.captures.items()}

    assert frames(twin) == frames(net)
    assert [f.get("received") for f in twin.facts()] == [f.get("received") for f in net.facts()] == [2, None]
    # The twin's switches are its own: nothing of the original's is shared.
    assert all(twin.nodes[k] is not v for k, v in net.nodes.items())
