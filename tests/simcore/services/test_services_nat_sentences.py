"""The trace explains NAT as it happens: the router passes a VM's packet on under its own address
(it does not "ping" anyone itself), and a DHCP client without an address speaks for itself."""

from svc_runs import run_example


def sentences(name: str, until: float) -> list[str]:
    events: list = []
    run_example(name, until, trace=events)
    return [e["text"] for e in events if e["kind"] == "frame.sent"]


def test_masqueraded_ping_is_passed_on_under_the_routers_address():
    texts = sentences("nat-dhcp.json", 9)
    assert ("hv passes on a ping (ICMP echo request, seq 1) from vm (10.0.2.15) to out (203.0.113.10), "
            "rewriting the source to its own address 203.0.113.2 (NAT: the answer comes back to it)") in texts
    # hv's only own ping is dnsmasq's probe of the address it offers (seq 0, before the OFFER).
    assert [t for t in texts if t.startswith("hv pings")] == ["hv pings 10.0.2.15 through vm (ICMP echo request, seq 0)"]


def test_port_forwarded_answer_is_rewritten_back_to_the_public_port():
    texts = sentences("port-forward.json", 9)
    synack = [t for t in texts if t.startswith("hv passes on a TCP segment (SYN, ACK, port 8080 to ")]
    assert len(synack) == 1 and synack[0].endswith(
        " from vm (10.0.2.15) to out (203.0.113.10), rewriting the source to its own address 203.0.113.2 "
        "(NAT: the answer comes back to it)")


def test_dhcp_client_without_an_address_sends_its_own_discover_and_the_offer_goes_straight_to_it():
    texts = sentences("nat-dhcp.json", 5)
    assert "vm sends a UDP datagram to 255.255.255.255 port 67" in texts
    assert not any("passes on" in t and "0.0.0.0" in t for t in texts)
    assert "NAT network's DHCP server (dnsmasq on hv) sends a UDP datagram to 10.0.2.15 port 68" in texts
    assert not any(t.endswith("port 68 through vm") for t in texts)


def test_the_nat_networks_dhcp_server_speaks_as_itself_not_as_its_host():
    events: list = []
    run_example("nat-dhcp.json", 5, trace=events)
    texts = [e["text"] for e in events]
    server = "NAT network's DHCP server (dnsmasq on hv)"
    assert f"{server} receives a UDP datagram (port 68 to 67) from vm on natnet" in texts
    assert f"vm receives a UDP datagram (port 67 to 68) from {server} on eth0" in texts
    assert not any(t.startswith("hv receives a UDP datagram (port 68 to 67)") for t in texts)
    offers = [e["text"] for e in events if e["kind"] == "dhcp.offer"]
    assert offers and all(t.startswith(f"{server} offers 10.0.2.15 to vm") for t in offers)
    # The host's other traffic is still the host's.
    frames = [e["text"] for e in events if e["kind"].startswith("frame.") and e["text"].startswith(server)]
    assert frames and all("port 67" in t or "port 68" in t for t in frames)
