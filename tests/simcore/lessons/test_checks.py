"""The check vocabulary: each check over a design and over a run, forgiving of everything else."""

import copy
import json
from pathlib import Path

import pytest

from simcore.lessons import RunRecord, instantiate, pack, run_design, score
from simcore.lessons.checks import check_passes

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def check(design=None, run=None):
    body = {"design": design} if design is not None else {"run": run}
    return {"id": "c", "title": "c", "points": 1, "hint": "h", **body}


@pytest.fixture(scope="module")
def nat_design():
    return pack.load().lessons["nat-connection"]["design"]


@pytest.fixture(scope="module")
def nat_run(nat_design):
    return run_design(nat_design)


@pytest.mark.parametrize("spec, passes", [
    ({"node": {"kind": "nat_network"}}, True),
    ({"node": {"kind": "nat_network", "has": {"host": "hv"}}}, True),
    ({"node": {"kind": "nat_network", "has": {"host": "elsewhere"}}}, False),
    ({"node": {"id": "vm", "kind": "vm"}}, True),
    ({"node": {"id": "vm", "kind": "host"}}, False),
    ({"nic": {"node": "vm", "has": {"ip": "dhcp"}}}, True),
    ({"nic": {"has": {"ip": "203.0.113.2/24"}}}, True),
    ({"nic": {"node": "vm", "has": {"ip": "10.0.2.15/24"}}}, False),
    ({"link": {"between": ["natnet", "vm"]}}, True),
    ({"link": {"between": ["vm", "out"]}}, False),
    ({"port_forward": {"has": {"host_port": 8080}}}, False),
    ({"script": {"node": "vm", "matches": "^ping "}}, True),
    ({"script": {"node": "hv", "matches": "^ping "}}, False),
    ({"script": {"matches": "(unclosed"}}, False),
])
def test_design_checks(nat_design, spec, passes):
    assert check_passes(check(design=spec), nat_design, None) is passes


@pytest.mark.parametrize("spec, passes", [
    ({"leased": {"node": "vm"}}, True),
    ({"leased": {"node": "vm", "address": "10.0.2.15"}}, True),
    ({"leased": {"node": "vm", "address": "10.0.2.16"}}, False),
    ({"leased": {"node": "out"}}, False),
    ({"ping_replied": {"node": "vm", "dst": "203.0.113.10"}}, True),
    ({"ping_replied": {"node": "vm", "dst": "203.0.113.11"}}, False),
    ({"nat_connection": {"node": "hv", "protocol": "icmp"}}, True),
    ({"nat_connection": {"node": "hv", "protocol": "tcp"}}, False),
    ({"forward_hit": {}}, False),
    ({"http_ok": {}}, False),
    ({"snapshot_restored": {"vm": "vm"}}, False),
    ({"container_launched": {}}, False),
    ({"event": {"kind": "dhcp.bound", "node": "vm"}}, True),
    ({"event": {"kind": "dhcp.bound", "node": "vm", "min": 2}}, False),
    ({"event": {"kind": "command.exit", "has": {"line": "ping -c 3 203.0.113.10", "exit": 0}}}, True),
    ({"event": {"kind": "nat.state", "text_contains": "REPLIED"}}, True),
    ({"fact": {"kind": "ping", "node": "vm", "at_least": {"received": 3}}}, True),
    ({"fact": {"kind": "ping", "node": "vm", "at_least": {"received": 4}}}, False),
])
def test_run_checks(nat_design, nat_run, spec, passes):
    assert check_passes(check(run=spec), nat_design, nat_run) is passes


def test_port_forward_and_snapshot_checks():
    shipped = pack.load()
    pf = shipped.lessons["port-forwarding"]["design"]
    run = run_design(pf)
    assert check_passes(check(design={"port_forward": {"has": {"proto": "tcp", "host_port": 8080}}}), pf, None)
    assert check_passes(check(run={"forward_hit": {"node": "hv", "rule": "web"}}), pf, run)
    assert not check_passes(check(run={"forward_hit": {"rule": "ssh"}}), pf, run)
    assert check_passes(check(run={"http_ok": {"node": "out", "url_contains": ":8080/"}}), pf, run)
    assert not check_passes(check(run={"http_ok": {"url_contains": ":8081/"}}), pf, run)
    adm = shipped.lessons["vm-administration"]["design"]
    run = run_design(adm)
    assert check_passes(check(run={"snapshot_restored": {"vm": "web1", "name": "before-upgrade"}}), adm, run)
    assert not check_passes(check(run={"snapshot_restored": {"vm": "web1", "name": "other"}}), adm, run)


def test_container_launch_is_read_from_the_engines_container_created_event():
    # a real run: docker-ports' `docker run -d --name web -p 8080:80 nginx:1.27` on hv at 1 s,
    # then `docker run ... --name web2 ... httpd:2.4` at 8 s
    design = json.loads((EXAMPLES / "docker-ports.json").read_text())
    run = run_design(design)
    created = [e for e in run.events if e["kind"] == "container.created"]
    assert [(e["node"], e["container"], e["host"], e["image"]) for e in created] == [
        ("hv-web", "web", "hv", "nginx:1.27"), ("hv-web2", "web2", "hv", "httpd:2.4")]
    for spec, passes in [({}, True), ({"image": "nginx:1.27"}, True), ({"image": "nginx"}, True),
                         ({"node": "hv", "image": "httpd"}, True), ({"node": "web", "image": "nginx"}, True),
                         ({"node": "hv-web2", "image": "httpd:2.4"}, True), ({"node": "web", "image": "httpd"}, False),
                         ({"image": "nginx:1.25"}, False), ({"image": "ngin"}, False), ({"node": "pc"}, False)]:
        assert check_passes(check(run={"container_launched": spec}), design, run) is passes, spec
    # the host alone (no `docker run`) launches nothing
    assert not check_passes(check(run={"container_launched": {}}), design, run_design(dict(design, script=[])))
    # an LXD system container's image keeps its remote (`images:debian/12`, no tag to drop)
    lxd = RunRecord(events=[{"kind": "container.created", "node": "hv-c1", "container": "c1", "host": "hv",
                             "image": "images:debian/12"}])
    assert check_passes(check(run={"container_launched": {"image": "images:debian/12"}}), {}, lxd)
    assert not check_passes(check(run={"container_launched": {"image": "images"}}), {}, lxd)


def test_score_lists_what_passes_with_hints_for_the_rest():
    act = instantiate(pack.load().activities["nat-network"], "bob")
    half = copy.deepcopy(act["solution"])
    half["script"] = half["script"][:1]  # leased, but no ping: no reply, no NAT entry
    result = score(act, half)
    assert [(r.id, r.passed) for r in result.results] == [("natnet", True), ("leased", True), ("ping", False), ("nat", False)]
    assert result.percent == 40 and result.points == 40 and result.total == 100
    assert [r.hint is None for r in result.results] == [True, True, False, False]
    assert result.to_dict()["checks"][2]["hint"].startswith("Ping 203.0.113.")


def test_a_design_that_cannot_run_fails_run_checks_and_says_why():
    act = instantiate(pack.load().activities["nat-network"], "bob")
    broken = copy.deepcopy(act["solution"])
    broken["links"][0]["a"]["node"] = "ghost"
    result = score(act, broken)
    assert result.run_error and "ghost" in result.run_error
    assert [r.passed for r in result.results] == [True, False, False, False]


def test_a_neighbours_answer_does_not_pass():
    shipped = pack.load().activities["port-forward"]
    alice, bob = instantiate(shipped, "alice"), instantiate(shipped, "bob")
    assert alice["values"] != bob["values"]
    assert score(alice, alice["solution"]).percent == 100
    assert score(bob, alice["solution"]).percent < 100
