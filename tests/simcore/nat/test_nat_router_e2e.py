"""The NAT wired into real hosts (stack, links, console ping) through NatHooks.

vm 10.0.2.15 --- eth1 10.0.2.2 [hv, ip_forward, NAT on uplink 203.0.113.2] uplink --- out 203.0.113.10
"""

from simcore.devices.host import HostNode
from simcore.devices.nat import Nat
from simcore.devices.nat.hooks import NatHooks
from simcore.engine import Engine
from simcore.net.link import Link
from simcore.trace import Tracer

S = 1_000_000_000


def build():
    engine = Engine(seed=3)
    events: list[dict] = []
    tracer = Tracer(engine, events, frames=False)
    vm = HostNode(engine, "vm", kind="vm", tracer=tracer)
    hv = HostNode(engine, "hv", ip_forward=True, tracer=tracer)
    out = HostNode(engine, "out", kind="outside_host", tracer=tracer)
    Link(engine, "l1", vm.add_nic("eth0", "08:00:27:00:02:15", "10.0.2.15/24"),
         hv.add_nic("eth1", "02:00:00:00:02:02", "10.0.2.2/24"), 50_000)
    Link(engine, "l2", hv.add_nic("uplink", "02:00:00:71:00:02", "203.0.113.2/24"),
         out.add_nic("eth0", "02:00:00:71:00:10", "203.0.113.10/24"), 50_000)
    vm.stack.add_route("default", via="10.0.2.2")
    out.stack.add_route("10.0.2.0/24", via="203.0.113.2")  # even with a route, nothing gets in
    nat = Nat("203.0.113.2", ["10.0.2.0/24"], engine.rng)
    NatHooks(nat, hv.stack, "uplink").install()
    return engine, events, vm, out, nat


def lines(host):
    return [text for _t, text in host.console.lines]


def test_ping_through_nat_and_unsolicited_ping_not_delivered():
    engine, events, vm, out, nat = build()
    engine.at(1 * S, vm.console.run, "ping -c 3 203.0.113.10")
    engine.at(1 * S, out.console.run, "ping -c 2 10.0.2.15")
    engine.run_until(30 * S)
    assert "3 packets transmitted, 3 received, 0% packet loss, time 2000ms" in lines(vm)
    assert all("ttl=63" in line for line in lines(vm) if line.startswith("64 bytes"))
    assert "2 packets transmitted, 0 received, 100% packet loss, time 1000ms" in lines(out)
    [entry] = nat.entries()  # the inside ping, id kept (the outside ping created nothing)
    assert (entry.original.src, entry.reply.dst, entry.reply.sport) == ("10.0.2.15", "203.0.113.2",
                                                                         entry.original.sport)
    drops = [e for e in events if e["kind"] == "packet.dropped" and e.get("reason", "").startswith("nat.")]
    assert [(e["node"], e["nic"], e["reason"]) for e in drops] == [("hv", "uplink", "nat.drop.inside-address")] * 2
    kinds = [e["kind"] for e in events if e["kind"].startswith("nat.")]
    assert kinds == ["nat.mapping-created", "nat.state"]
    engine.run_until(40 * S)  # nf_conntrack_icmp_timeout: 30 s after the last reply (at 3 s)
    expired = [e for e in events if e["kind"] == "nat.expired"]
    assert [(e["t"], e["conn"]) for e in expired] == [(entry.deadline, 1)]
    assert nat.entries() == []


def test_router_answers_a_ping_to_its_public_address():
    engine, events, vm, out, nat = build()
    engine.at(1 * S, out.console.run, "ping -c 1 203.0.113.2")
    engine.run_until(5 * S)
    assert "1 packets transmitted, 1 received, 0% packet loss, time 0ms" in lines(out)
    out_text, err = nat.conntrack_text(engine.now)
    assert out_text.startswith("icmp     1 26 src=203.0.113.10 dst=203.0.113.2 type=8 code=0 id=")
