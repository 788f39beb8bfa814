"""Real TCP state machines (simcore.apps.tcp) and curl/HTTP through the NAT, as pure logic.

The port-forward example's script, without an engine: ``out`` runs
``curl http://203.0.113.2:8080/`` (forwarded to the VM's web server on port 80) and
``curl http://203.0.113.2:8081/`` (no rule: the router's RST,ACK, curl's "Couldn't connect").
A tiny loop moves packets with a fixed one-way delay per hop and runs the sockets' timers.
"""

import heapq
import itertools
import random

from nat_builders import INSIDE, OUT, PUBLIC, VM

from simcore.apps.http import CurlSession, HttpServerConnection, HttpService, parse_curl_args
from simcore.apps.tcp import Emit, SetTimer, TcpTable
from simcore.devices.nat import Action, Nat, PortForward, TcpState
from simcore.packets import PROTO_TCP, IPv4

HOP_NS = 100_000


class Wire:
    def __init__(self):
        rng = random.Random(1)
        self.nat = Nat(PUBLIC, INSIDE, rng, forwards=[PortForward.parse("web,tcp,,8080,10.0.2.15,80")])
        self.client = TcpTable(random.Random(2))
        self.server = TcpTable(random.Random(3))
        self.served: list = []
        service = HttpService(port=80, body="<h1>hello from the vm</h1>\n")
        self.server.listen(80, lambda key: HttpServerConnection(service, self.served))
        self.queue: list = []
        self.seq = itertools.count()
        self.verdicts: list[tuple[str, str]] = []  # (hook, reason) in order
        self.now = 0

    def at(self, t, fn, *args):
        heapq.heappush(self.queue, (t, next(self.seq), fn, args))

    def carry(self, table, actions):
        for a in actions:
            if isinstance(a, Emit):
                self.at(self.now + HOP_NS, self.to_router, table, IPv4(a.src_ip, a.dst_ip, PROTO_TCP, a.seg))
            elif isinstance(a, SetTimer):
                self.at(a.at_ns, lambda t=table, k=a.key, when=a.at_ns: self.carry(t, t.on_timer(when, k)))

    def to_router(self, sender, packet):
        if sender is self.client:
            v = self.nat.inbound(self.now, packet)
            self.verdicts.append(("in", v.reason))
            target = self.server if v.action is Action.TRANSLATE else self.client
        else:
            v = self.nat.outbound(self.now, packet)
            self.verdicts.append(("out", v.reason))
            target = self.client
        if v.action is Action.DROP:
            return
        p = v.packet
        self.at(self.now + HOP_NS, lambda: self.carry(target, target.on_segment(self.now, p.payload, p.src, p.dst)))

    def curl(self, url):
        session = CurlSession(parse_curl_args(["curl", url]), started_ns=self.now)
        req = session.req
        _sock, actions = self.client.connect(self.now, OUT, req.host, req.port, session)
        self.carry(self.client, actions)
        return session

    def run_until(self, t):
        while self.queue and self.queue[0][0] <= t:
            self.now, _, fn, args = heapq.heappop(self.queue)
            fn(*args)
        self.now = t


def test_curl_through_a_port_forward_and_to_a_closed_port():
    wire = Wire()
    ok = wire.curl("http://203.0.113.2:8080/")
    wire.run_until(1_000_000_000)
    assert ok.result.lines() == ["<h1>hello from the vm</h1>"]
    [(entry)] = wire.nat.entries()
    # The server closes first (Connection: close), so conntrack saw both FINs and the last ACK.
    assert (entry.rule, entry.state, entry.assured) == ("web", TcpState.TIME_WAIT, True)
    assert entry.original.dst == PUBLIC and entry.reply.src == VM and entry.reply.dst == OUT  # real client seen
    assert wire.nat.forwards.hits("web") == 1
    assert wire.verdicts[:2] == [("in", "nat.dnat.new"), ("out", "nat.undnat")]
    assert {reason for _, reason in wire.verdicts} == {"nat.dnat.new", "nat.dnat", "nat.undnat"}

    refused = wire.curl("http://203.0.113.2:8081/")
    wire.run_until(2_000_000_000)
    assert refused.result.lines() == [
        "curl: (7) Failed to connect to 203.0.113.2 port 8081 after 0 ms: Couldn't connect to server"]
    assert wire.verdicts[-1] == ("in", "nat.reset")
    assert len(wire.nat.entries()) == 1 and wire.nat.forwards.hits("web") == 1
