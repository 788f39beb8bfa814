"""Whatever segments a link loses, a transfer ends cleanly: the exact page, or a clean failure.

Hypothesis picks which of the first 120 segments are lost and how big the page is. The
invariants: curl ends (never hangs), exit 0 means the exact page arrived, a failure is the
SYN giving up (28), and after the run no connection is left on either host (nothing stuck
without a timer).
"""

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from tcp_harness import S, World

from simcore.apps.http import CurlSession, HttpServerConnection, HttpService, parse_curl_args


@settings(max_examples=120, deadline=None)
@given(
    lost=st.sets(st.integers(min_value=0, max_value=119), max_size=40),
    size=st.integers(min_value=0, max_value=30000),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_any_loss_pattern_ends_cleanly(lost, size, seed):
    page = "".join(chr(65 + i % 26) for i in range(size))
    w = World(loss=lambda n, seg: n in lost)
    client, server = w.host("203.0.113.10", seed), w.host("10.0.2.15", seed + 1)
    service = HttpService(body=page)
    server.listen(80, lambda key: HttpServerConnection(service))
    session = CurlSession(parse_curl_args(["curl", "http://10.0.2.15/"]), 0)
    w.call("203.0.113.10", client.connect, "203.0.113.10", "10.0.2.15", 80, session)
    w.run(3000 * S)
    assert session.result is not None
    if session.result.exit_code == 0:
        assert session.result.stdout == page
    else:
        syns = [s for s in w.wire if s.src == "203.0.113.10" and s.seg.flags == 0x02]
        assert session.result.exit_code == 28 and len(syns) == 7 and all(s.lost for s in syns)
    assert client.conns == {} and server.conns == {}


@settings(max_examples=80, deadline=None)
@given(
    p=st.floats(min_value=0.0, max_value=0.5),
    size=st.integers(min_value=0, max_value=40000),
    seed=st.integers(min_value=0, max_value=2**16),
    delay_us=st.integers(min_value=1, max_value=40_000),
)
def test_random_loss_ends_with_the_page_or_a_give_up(p, size, seed, delay_us):
    """Bernoulli loss at any rate up to one in two, any delay up to 40 ms. A failure is only ever
    the consequence of a retry limit (and then curl says so or, like a real curl facing a peer
    that vanished without a word, keeps waiting on a half-open connection)."""
    page = "".join(chr(97 + i % 26) for i in range(size))
    draw = random.Random(seed)
    w = World(delay_ns=delay_us * 1000, loss=lambda n, seg: draw.random() < p)
    client, server = w.host("203.0.113.10", seed), w.host("10.0.2.15", seed + 1)
    service = HttpService(body=page)
    server.listen(80, lambda key: HttpServerConnection(service))
    session = CurlSession(parse_curl_args(["curl", "http://10.0.2.15/"]), 0)
    w.call("203.0.113.10", client.connect, "203.0.113.10", "10.0.2.15", 80, session)
    w.run(20000 * S)
    gave_up = [n for n in w.notes() if "giving up" in n]
    if session.result is not None and session.result.exit_code == 0:
        assert session.result.stdout == page
    else:
        assert gave_up, session.result
    if not gave_up:
        assert client.conns == {} and server.conns == {}
