"""dnsmasq learns its DHCP client from the exchange (examples/port-forward.json, frame by frame).

Before a unicast reply to a client that has no address yet, dnsmasq writes the client's MAC
(chaddr) into the host's ARP cache for the address it offers (``SIOCSARP``, dnsmasq's
``dhcp.c``). So, as the reference capture shows: its ICMP echo probe, queued by the kernel behind
three unanswered ARP requests, leaves unicast to the client just before the OFFER; later the host
sends to the client without asking (the port-forwarded SYN goes straight out); and the client,
never asked by its gateway, ARPs for the gateway itself before its SYN,ACK.
"""

from svc_runs import S, run_example

from simcore.packets import ETH_ARP, ICMP_ECHO_REQUEST, PROTO_ICMP, PROTO_TCP
from simcore.packets.tcp import ACK, SYN

VM_MAC, HV_MAC = "08:00:27:00:02:15", "02:00:00:00:02:02"
D = 50_000


def frames(net, until_ns):
    """What the capture on the VM's NIC holds, as short words."""
    out = []
    for t, f in net.captures["vm_eth0"].records:
        if t > until_ns:
            break
        if f.ethertype == ETH_ARP:
            a = f.payload
            kind = "who-has" if a.op == 1 else "is-at"
            out.append((t, f"ARP {kind} {a.tpa if a.op == 1 else a.spa}", f.src, f.dst))
            continue
        ip = f.payload
        if ip.proto == PROTO_ICMP:
            out.append((t, f"ICMP type {ip.payload.type} seq {ip.payload.seq}", f.src, f.dst))
        elif ip.proto == PROTO_TCP:
            flags = ip.payload.flags
            word = "SYN,ACK" if flags & SYN and flags & ACK else "SYN" if flags & SYN else "TCP"
            out.append((t, word, f.src, f.dst))
        else:
            udp = ip.payload
            out.append((t, f"UDP {udp.sport}>{udp.dport}", f.src, f.dst))
    return out


def test_the_probe_echo_the_offer_then_no_arp_from_the_host():
    net = run_example("port-forward.json", 8.001)
    t0 = 1 * S + D  # the DISCOVER reaches hv; a frame takes D from hv to the VM
    got = frames(net, 8 * S + 6 * D)
    assert got[:10] == [
        (1 * S, "UDP 68>67", VM_MAC, "ff:ff:ff:ff:ff:ff"),  # DISCOVER
        (t0 + D, "ARP who-has 10.0.2.15", HV_MAC, "ff:ff:ff:ff:ff:ff"),  # dnsmasq's ping waits behind ARP
        (t0 + S + D, "ARP who-has 10.0.2.15", HV_MAC, "ff:ff:ff:ff:ff:ff"),
        (t0 + 2 * S + D, "ARP who-has 10.0.2.15", HV_MAC, "ff:ff:ff:ff:ff:ff"),
        # dnsmasq's 3 s are over: it puts the client's MAC in the ARP cache, which releases the
        # queued echo (seq 0) unicast to the client, then unicasts the OFFER.
        (t0 + 3 * S + D, "ICMP type 8 seq 0", HV_MAC, VM_MAC),
        (t0 + 3 * S + D, "UDP 67>68", HV_MAC, VM_MAC),  # OFFER
        (t0 + 3 * S + D, "UDP 68>67", VM_MAC, "ff:ff:ff:ff:ff:ff"),  # REQUEST, at once
        (t0 + 3 * S + 3 * D, "UDP 67>68", HV_MAC, VM_MAC),  # ACK
        # curl at 8 s: the forwarded SYN goes straight to the VM, no ARP from hv first ...
        (8 * S + 4 * D, "SYN", HV_MAC, VM_MAC),
        # ... so the VM, never asked, ARPs for its gateway before answering.
        (8 * S + 4 * D, "ARP who-has 10.0.2.2", VM_MAC, "ff:ff:ff:ff:ff:ff"),
    ]
    assert got[10:12] == [(8 * S + 6 * D, "ARP is-at 10.0.2.2", HV_MAC, VM_MAC),
                          (8 * S + 6 * D, "SYN,ACK", VM_MAC, HV_MAC)]
    # The echo is dnsmasq's whole struct icmp: 28 bytes, a random id, seq 0; the client, which
    # holds no address yet, does not answer it.
    echo = [f.payload for _t, f in net.captures["vm_eth0"].records
            if f.ethertype != ETH_ARP and f.payload.proto == PROTO_ICMP]
    assert len(echo) == 1 and echo[0].payload.type == ICMP_ECHO_REQUEST
    assert (echo[0].src, echo[0].dst, len(echo[0].payload.emit()), echo[0].flags) == ("10.0.2.2", "10.0.2.15", 28, 2)


def test_the_host_s_arp_cache_holds_the_client_from_the_offer_on():
    events: list = []
    run_example("port-forward.json", 5.0, trace=events)
    entries = [(e["t"], e["state"], e["why"]) for e in events
               if e["kind"] == "arp.entry" and e["node"] == "hv" and e.get("ip") == "10.0.2.15"]
    assert entries == [(4 * S + D, "STALE", "dnsmasq put the DHCP client's MAC there before answering it")]
    text = next(e["text"] for e in events if e["kind"] == "arp.entry" and e["node"] == "hv")
    assert text == ("hv's ARP cache now says 10.0.2.15 is at 08:00:27:00:02:15: dnsmasq put the DHCP client's MAC "
                    "there before answering it (ARP entry STALE)")
