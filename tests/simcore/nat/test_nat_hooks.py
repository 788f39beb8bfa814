"""The optional hook glue, against a stand-in stack with the real engine."""

from nat_builders import CLIENT, INSIDE, OUT, PUBLIC, VM, S, echo, tcp, udp

from simcore.devices.nat import Nat, PortForward
from simcore.devices.nat.hooks import NatHooks
from simcore.engine import Engine
from simcore.packets import ACK, RST, SYN


class Nic:
    def __init__(self, name):
        self.name = name


class Tracer:
    on = True

    def __init__(self):
        self.events = []

    def emit(self, kind, text, frame=None, **fields):
        self.events.append((kind, text, fields))


class FakeStack:
    node_id = "hv"

    def __init__(self, engine):
        self.engine = engine
        self.tracer = Tracer()
        self.prerouting, self.postrouting = [], []
        self.sent, self.dropped = [], []

    def send_ip(self, packet):
        self.sent.append(packet)

    def drop(self, packet, reason, text, nic=None):
        self.dropped.append((reason, text, nic.name))

    def pre(self, packet, nic):
        for hook in self.prerouting:
            packet = hook(self, packet, nic)
            if packet is None:
                return None
        return packet

    def post(self, packet, nic):
        for hook in self.postrouting:
            packet = hook(self, packet, nic)
            if packet is None:
                return None
        return packet


def setup():
    engine = Engine(seed=1)
    stack = FakeStack(engine)
    NatHooks(Nat(PUBLIC, INSIDE, engine.rng), stack, "uplink").install()
    return engine, stack


def test_translates_only_on_the_uplink_and_traces_table_changes():
    engine, stack = setup()
    uplink, inside = Nic("uplink"), Nic("eth1")
    ping = echo(VM, OUT, 8, 4660, 1)
    assert stack.post(ping, inside) == ping  # not leaving by the uplink: untouched
    assert stack.post(ping, uplink) == echo(PUBLIC, OUT, 8, 4660, 1)
    assert stack.pre(echo(OUT, PUBLIC, 0, 4660, 1), uplink) == echo(OUT, VM, 0, 4660, 1)
    assert [(kind, fields) for kind, _, fields in stack.tracer.events] == [
        ("nat.mapping-created", {"node": "hv", "nic": "uplink", "conn": 1, "protocol": "icmp", "state": "UNREPLIED"}),
        ("nat.state", {"node": "hv", "nic": "uplink", "conn": 1, "protocol": "icmp", "state": "REPLIED"}),
    ]


def test_reset_is_sent_and_unsolicited_traffic_dropped_through_the_stack():
    engine, stack = setup()
    uplink = Nic("uplink")
    assert stack.pre(tcp(CLIENT, 5, PUBLIC, 8081, 10, 0, SYN), uplink) is None
    assert stack.sent == [tcp(PUBLIC, 8081, CLIENT, 5, 0, 11, RST | ACK, window=0)]
    assert stack.pre(udp(CLIENT, 5, PUBLIC, 9), uplink) is None
    assert stack.dropped == [(
        "nat.drop.no-mapping",
        "198.51.100.7:5 \u2192 203.0.113.2:9 UDP (udp port 9) matches no connection and no port forward rule: "
        "unsolicited traffic is not delivered to inside hosts.", "uplink")]


def test_a_timer_traces_expiry_at_its_instant():
    engine, stack = setup()
    stack.post(udp(VM, 40000, OUT, 53), Nic("uplink"))
    engine.run_until(29 * S)
    assert [k for k, _, _ in stack.tracer.events] == ["nat.mapping-created"]
    engine.run_until(60 * S)
    kind, text, fields = stack.tracer.events[-1]
    assert (kind, fields["conn"]) == ("nat.expired", 1)
    assert text == "connection #1 (10.0.2.15:40000 \u2192 203.0.113.10:53 UDP) timed out in state UNREPLIED"
    assert engine.pending == 0


def test_virtualbox_style_forward_reply_is_undone_on_the_inside_nic_once():
    engine = Engine(seed=1)
    stack = FakeStack(engine)
    nat = Nat(PUBLIC, INSIDE, engine.rng, forwards=[PortForward.parse("web,tcp,,8080,10.0.2.15,80")],
              forward_from="10.0.2.2")
    NatHooks(nat, stack, "uplink").install()
    uplink, inside = Nic("uplink"), Nic("eth1")
    assert stack.pre(tcp(CLIENT, 50000, PUBLIC, 8080, 1, 0, SYN), uplink) == tcp("10.0.2.2", 50000, VM, 80, 1, 0, SYN)
    # The guest answers 10.0.2.2 (the router): translated as it enters, before routing ...
    back = stack.pre(tcp(VM, 80, "10.0.2.2", 50000, 9, 2, SYN | ACK), inside)
    assert back == tcp(PUBLIC, 8080, CLIENT, 50000, 9, 2, SYN | ACK)
    # ... and left alone when it leaves by the uplink (not tracked a second time).
    assert stack.post(back, uplink) == back
    assert len(nat.entries()) == 1 and nat.entries()[0].packets == (1, 1)
