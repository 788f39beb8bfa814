"""Option sets and address arithmetic shared by the DHCP client and server.

The wire codec lives in ``simcore.packets.dhcp``; this module only decides *which* options a
message carries and in which order, to match what ISC dhclient and dnsmasq put on the wire.
"""

import ipaddress

from simcore.packets import (
    DHCPACK,
    DHCPDECLINE,
    DHCPDISCOVER,
    DHCPINFORM,
    DHCPNAK,
    DHCPOFFER,
    DHCPRELEASE,
    DHCPREQUEST,
    Dhcp,
    PacketError,
    bytes_to_ip,
    ip_to_bytes,
)

CLIENT_PORT = 68  # RFC 2131 §4.1
SERVER_PORT = 67

OPT_MESSAGE = 56  # RFC 2132 §9.9: a text the server puts in a DHCPNAK; kept as bytes

# The request line of Ubuntu's /etc/dhcp/dhclient.conf, in its order, as dhclient sends it in
# option 55: subnet-mask, broadcast-address, time-offset, routers, domain-name,
# domain-name-servers, domain-search, host-name, netbios-name-servers, netbios-scope,
# interface-mtu, rfc3442-classless-static-routes, ntp-servers (the dhcp6.* names of that line
# are not DHCPv4 options and are not sent).
DHCLIENT_PARAMETER_REQUEST_LIST = (1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42)

MESSAGE_NAMES = {
    DHCPDISCOVER: "DHCPDISCOVER",
    DHCPOFFER: "DHCPOFFER",
    DHCPREQUEST: "DHCPREQUEST",
    DHCPDECLINE: "DHCPDECLINE",
    DHCPACK: "DHCPACK",
    DHCPNAK: "DHCPNAK",
    DHCPRELEASE: "DHCPRELEASE",
    DHCPINFORM: "DHCPINFORM",
}


def message_name(msg: Dhcp) -> str:
    mtype = msg.message_type
    return MESSAGE_NAMES.get(mtype, f"DHCP message type {mtype}") if mtype is not None else "BOOTP"


def ip_int(ip: str) -> int:
    """``"10.0.2.15"`` -> 167772687 (via inet_pton: C code, and strict about the form)."""
    try:
        return int.from_bytes(ip_to_bytes(ip), "big")
    except PacketError:
        raise ValueError(f"not an IPv4 address: {ip!r}") from None


def int_ip(value: int) -> str:
    return bytes_to_ip(value.to_bytes(4, "big"))


def prefix_to_mask(prefix_len: int) -> str:
    if not 0 <= prefix_len <= 32:
        raise ValueError(f"prefix length must be 0..32, not {prefix_len!r}")
    return int_ip((0xFFFFFFFF << (32 - prefix_len)) & 0xFFFFFFFF)


def mask_to_prefix(mask: str) -> int:
    """``"255.255.255.0"`` -> 24; raises ValueError for a non-contiguous mask."""
    return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen


def broadcast_of(ip: str, prefix_len: int) -> str:
    return str(ipaddress.IPv4Network(f"{ip}/{prefix_len}", strict=False).broadcast_address)


def same_subnet(a: str, b: str, prefix_len: int) -> bool:
    shift = 32 - prefix_len
    return ip_int(a) >> shift == ip_int(b) >> shift if shift < 32 else True
