"""ARP on a host stack: the ARP input path, requests, and carrying out the neighbour table's actions.

The neighbour table (``neighbour.py``) decides; the functions here, of ``(stack, ...)`` as in
``transport.py``, do: they put ARP frames and waiting packets on the NIC, schedule the table's
timers on the engine, trace its state changes and drop what it gives up on.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from simcore.packets import ARP_REPLY, ARP_REQUEST, BROADCAST_MAC, ETH_ARP, ICMP_DEST_UNREACH, Arp, Ethernet
from simcore.stack.neighbour_actions import Drop, SendArpRequest, SetTimer, StateChanged, Transmit

UNREACH_HOST = 1
_HEX = frozenset("0123456789abcdef")


def arp_input(stack: Any, nic: Any, arp: Any) -> None:
    """An ARP packet arrived on ``nic``: answer requests for our addresses, learn, or drop."""
    if stack._own_arp_observers:
        for observe in stack._own_arp_observers:
            observe(stack, arp, nic)
    now = stack.engine.now
    if arp.op == ARP_REQUEST:
        # arp_ignore=0: answer for any local address, whichever NIC asked (weak host model).
        if arp.tpa in stack.local_ips and arp.tpa != "127.0.0.1":
            if arp.spa != "0.0.0.0":  # an RFC 5227 probe teaches nothing
                neigh_do(stack, stack.neigh.learn(now, nic.name, arp.spa, arp.sha, confirmed=False, create=True))
            reply = Arp(ARP_REPLY, nic.mac, arp.tpa, arp.sha, arp.spa)
            stack.send_frame(nic, Ethernet(arp.sha, nic.mac, ETH_ARP, reply))
            return
        if arp.spa != "0.0.0.0":
            actions = stack.neigh.learn(now, nic.name, arp.spa, arp.sha, confirmed=False, create=False)
            if actions:
                neigh_do(stack, actions)
        # The sentence only when traced: every host hears every ARP broadcast of its LAN.
        text = stack.narrator.arp_not_for_us(stack, nic, arp, stack.ifaces[nic.name].ip) if stack.tracer.on else ""
        stack.drop(arp, "arp.not_for_us", text, nic)
    elif arp.op == ARP_REPLY:
        actions = stack.neigh.learn(now, nic.name, arp.spa, arp.sha, confirmed=arp.tha == nic.mac, create=False)
        if actions is None:
            # arp_accept=0: an unsolicited reply creates no entry.
            stack.drop(arp, "arp.unsolicited", stack.narrator.words(
                f"{stack.name} did not ask for {arp.spa}: it ignores the ARP reply"), nic)
        else:
            neigh_do(stack, actions)


def send_arp_request(stack: Any, nic: Any, target: str, unicast_mac: str | None) -> None:
    src_ip = stack.primary_ip(nic.name) or "0.0.0.0"
    # Linux fills the target hardware address with zeros in a broadcast request and with the
    # cached address in a unicast probe (arp_solicit).
    arp = Arp(ARP_REQUEST, nic.mac, src_ip, unicast_mac or "00:00:00:00:00:00", target)
    stack.send_frame(nic, Ethernet(unicast_mac or BROADCAST_MAC, nic.mac, ETH_ARP, arp))


def add_neighbour(stack: Any, dev: str, ip: str, mac: str, why: str) -> None:
    """Check an application's ARP entry, then give it to the table (see ``Stack.add_neighbour``)."""
    if dev not in stack.ifaces:
        raise ValueError(f"{stack.name}: no NIC named {dev!r} for the ARP entry of {ip}")
    try:
        ipaddress.IPv4Address(ip)
    except ValueError:
        raise ValueError(f"{stack.name}: {ip!r} is not an IPv4 address (ARP entry on {dev})") from None
    if not is_mac(mac):
        raise ValueError(f"{stack.name}: {mac!r} is not a MAC address like 08:00:27:00:00:01 "
                         f"(ARP entry for {ip} on {dev})")
    neigh_do(stack, stack.neigh.add(stack.engine.now, dev, ip, mac, why))


def is_mac(mac: Any) -> bool:
    """``08:00:27:00:00:01``: six lowercase hex pairs, the form every MAC in simcore has."""
    parts = mac.split(":") if isinstance(mac, str) else ()
    return len(parts) == 6 and all(len(p) == 2 and _HEX.issuperset(p) for p in parts)


def neigh_do(stack: Any, actions: list) -> None:
    """Carry out the neighbour table's actions, in order."""
    for action in actions:
        kind = action.__class__
        if kind is Transmit:
            nic = stack.ifaces[action.dev].nic
            for packet in action.packets:
                stack.transmit_ip(nic, action.mac, packet)
        elif kind is SetTimer:
            stack.engine.schedule(action.at_ns - stack.engine.now, neigh_timer, stack, action.key, action.token)
        elif kind is SendArpRequest:
            send_arp_request(stack, stack.ifaces[action.dev].nic, action.ip, action.unicast_mac)
        elif kind is StateChanged:
            _changed(stack, action)
        elif kind is Drop:
            _drop(stack, action)


def neigh_timer(stack: Any, key: tuple[str, str], token: int) -> None:
    actions = stack.neigh.on_timer(stack.engine.now, key, token)
    if actions:
        neigh_do(stack, actions)


def _drop(stack: Any, drop: Drop) -> None:
    nic = stack.ifaces[drop.dev].nic
    for packet in drop.packets:
        if drop.reason == "arp.failed":
            # ARP gave up on the next hop: each waiting packet is answered with host unreachable,
            # delivered locally when we sent it (ping prints "Destination Host Unreachable").
            stack.drop(packet, "arp.failed", stack.narrator.arp_failed_drop(stack, drop, packet), nic)
            stack.send_icmp_error(packet, ICMP_DEST_UNREACH, UNREACH_HOST)
        else:
            stack.drop(packet, drop.reason, f"{stack.name}'s queue for {drop.ip} is full: "
                       "it drops the oldest waiting packet", nic)


def _changed(stack: Any, change: StateChanged) -> None:
    if stack.tracer.on:
        old = change.old
        # The change carries the entry's ip, mac and state, all the sentence reads of an entry.
        stack.tracer.emit("arp.entry", stack.narrator.arp_entry(stack, change, old, change.why),
                          node=stack.node_id, nic=change.dev, ip=change.ip, mac=change.mac,
                          state=change.state.value, old_state=old.value if old is not None else None,
                          why=change.why)
