"""A command's fact and a typed line's entry in the action log are small records that read as the
dicts they stand for (same keys in the same order, same values, equal either way round)."""

import copy
import json

from simcore.apps.console.shell import CommandFact
from simcore.network import CommandAction, Network

S = 1_000_000_000


def test_a_command_fact_reads_as_the_dict_of_the_command():
    fact = CommandFact(2 * S, "hv", "lxc launch images:ubuntu/24.04 c1", 0)
    expected = {"t": 2 * S, "node": "hv", "kind": "command", "line": "lxc launch images:ubuntu/24.04 c1", "exit": 0}
    assert fact == expected and expected == fact and list(fact.items()) == list(expected.items())
    assert json.dumps(dict(fact)) == json.dumps(expected) and {**fact} == expected
    assert fact.get("kind") == "command" and fact.get("summary") is None and "exit" in fact and "get" not in fact
    assert copy.deepcopy(fact) == expected and repr(fact) == repr(expected) and len(fact) == 5


def test_an_action_reads_as_the_dict_of_the_typed_line():
    action = CommandAction(S, "vm1", "ping -c 3 10.0.0.2")
    expected = {"t": S, "node": "vm1", "command": "ping -c 3 10.0.0.2"}
    assert action == expected and expected == action and list(action) == ["t", "node", "command"]
    assert [action] == [expected] and copy.deepcopy([action]) == [expected]
    assert json.dumps(dict(action)) == json.dumps(expected) and "interrupt" not in action


def test_a_run_logs_its_lines_and_their_facts_as_records():
    doc = {"version": 1, "nodes": [{"id": "pc", "kind": "host", "nics": [
        {"name": "eth0", "mac": "02:00:00:00:00:01", "ip": "10.0.0.1/24"}]}], "links": []}
    net = Network.from_design(doc)
    net.command("pc", "hostname", at=1.0)
    net.command("pc", "nosuchcommand", at=2.0)
    net.run_until(3.0)
    assert net.actions == [{"t": S, "node": "pc", "command": "hostname"},
                           {"t": 2 * S, "node": "pc", "command": "nosuchcommand"}]
    assert [dict(f) for f in net.facts()] == [
        {"t": S, "node": "pc", "kind": "command", "line": "hostname", "exit": 0},
        {"t": 2 * S, "node": "pc", "kind": "command", "line": "nosuchcommand", "exit": 127}]
    again = Network.from_design(doc)
    for a in net.actions:
        again.command(a["node"], a["command"], at=a["t"] / S)
    again.run_until(3.0)
    assert again.console_lines() == net.console_lines() and again.facts() == net.facts()
