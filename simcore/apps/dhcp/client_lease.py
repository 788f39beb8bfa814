"""What a DHCP client holds after a DHCPACK: the address, its parameters and its three instants."""

from dataclasses import dataclass

from simcore.packets import (
    OPT_DNS,
    OPT_REBINDING_T2,
    OPT_RENEWAL_T1,
    OPT_ROUTER,
    OPT_SUBNET_MASK,
    Dhcp,
)

from .actions import SECOND_NS
from .options import mask_to_prefix

INFINITE_LEASE = 0xFFFFFFFF  # RFC 2132 §9.2


@dataclass(frozen=True, slots=True)
class ClientLease:
    """Instants are absolute engine nanoseconds; all three are None for an infinite lease.
    systemd-networkd's T1 and T2 are the instants it renews and rebinds at (moved by its fuzz)."""

    address: str
    prefix_len: int
    router: str | None
    dns: tuple[str, ...]
    server: str
    lease_s: int
    bound_at_ns: int
    t1_at_ns: int | None
    t2_at_ns: int | None
    expires_at_ns: int | None


def natural_prefix(address: str) -> int:
    # RFC 2131 §3.3 leaves a missing mask to the client; dhclient falls back on the class.
    first = int(address.split(".")[0])
    return 8 if first < 128 else 16 if first < 192 else 24


def lease_from_ack(now: int, msg: Dhcp, lease_s: int, server: str, *, t1_s: int | None = None,
                   t2_s: int | None = None) -> ClientLease:
    """The lease a DHCPACK grants, counted from ``now``. ``t1_s``/``t2_s``: the client's own
    renewal and rebinding times (dhclient fuzzes T1); else the server's, or RFC 2131's."""
    mask = msg.get(OPT_SUBNET_MASK)
    try:
        prefix = mask_to_prefix(mask) if mask else natural_prefix(msg.yiaddr)
    except ValueError:
        prefix = natural_prefix(msg.yiaddr)
    routers = msg.get(OPT_ROUTER) or ()
    dns = tuple(msg.get(OPT_DNS) or ())
    if t1_s is not None and t2_s is not None:
        t1, t2, end = now + t1_s * SECOND_NS, now + t2_s * SECOND_NS, now + lease_s * SECOND_NS
    elif lease_s == INFINITE_LEASE:
        t1 = t2 = end = None
    else:
        # RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease; values from the
        # server are taken only when they are in order (0 < T1 < T2 < lease).
        t1_s, t2_s = msg.get(OPT_RENEWAL_T1), msg.get(OPT_REBINDING_T2)
        if t1_s is None or t2_s is None or not 0 < t1_s < t2_s < lease_s:
            t1_s, t2_s = lease_s // 2, lease_s * 7 // 8
        t1, t2, end = now + t1_s * SECOND_NS, now + t2_s * SECOND_NS, now + lease_s * SECOND_NS
    return ClientLease(msg.yiaddr, prefix, routers[0] if routers else None, dns, server, lease_s, now, t1, t2, end)
