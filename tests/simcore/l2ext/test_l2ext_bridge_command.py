"""``bridge`` on a host's console: usage, errors and exit statuses (iproute2's wording)."""

import pytest
from l2ext_designs import bridged_static, build


@pytest.mark.parametrize("line, lines, status", [
    ("bridge", ["Usage: bridge fdb [ show [ br BRDEV ] ]"], 255),
    ("bridge help", ["Usage: bridge fdb [ show [ br BRDEV ] ]"], 0),
    ("bridge vlan", ['Object "vlan" is unknown, try "bridge help".'], 255),
    ("bridge fdb add", ['Command "add" is unknown, try "bridge fdb help".'], 255),
    ("bridge fdb show br nope", ['Cannot find device "nope"'], 1),
    ("bridge fdb show br br", ["02:00:00:51:00:0a dev enp1s0 master br permanent"], 0),
    ("bridge fdb", ["02:00:00:51:00:0a dev enp1s0 master br permanent"], 0),
])
def test_bridge_command_table(line, lines, status):
    net, _ = build(bridged_static())
    net.command("hv", line, at=0.0)
    net.run_until(0.1)
    assert net.nodes["hv"].console.output() == lines
    assert [f["exit"] for f in net.facts() if f["kind"] == "command"] == [status]


def test_a_host_without_switches_prints_nothing():
    net, _ = build(bridged_static())
    net.command("host2", "bridge fdb show", at=0.0)
    net.run_until(0.1)
    assert net.nodes["host2"].console.output() == []
    assert [f["exit"] for f in net.facts() if f["kind"] == "command"] == [0]
