"""Which header decodes which payload: EtherTypes, IP protocols and UDP ports to decoders.

The one module that imports the header modules to bind them together; the headers reach their
payload's decoder only through ``dispatch``'s tables, which this module fills when the package
is imported. Adding a protocol is one line here and none in the header that carries it.
"""

from . import dispatch
from .arp import Arp
from .dhcp import Dhcp
from .dns import Dns
from .ethernet import ETH_ARP, ETH_IPV4, Ethernet
from .icmp import Icmp
from .ipv4 import PROTO_ICMP, PROTO_TCP, PROTO_UDP, IPv4
from .tcp import Tcp
from .udp import PORT_DHCP_CLIENT, PORT_DHCP_SERVER, PORT_DNS, Udp
from .vxlan import VXLAN_PORT, Vxlan


def _arp(body: bytes, *, verify: bool = True) -> Arp:
    return Arp.parse(body)  # no checksum to verify


def _icmp(body: bytes, *, src: str, dst: str, verify: bool = True) -> object:
    return Icmp.parse(body, verify=verify)  # ICMP's checksum has no pseudo-header


ETHERTYPES = {ETH_IPV4: IPv4.parse, ETH_ARP: _arp}
IP_PROTOCOLS = {PROTO_ICMP: _icmp, PROTO_TCP: Tcp.parse, PROTO_UDP: Udp.parse}
UDP_PORTS = {
    PORT_DHCP_SERVER: Dhcp.parse,
    PORT_DHCP_CLIENT: Dhcp.parse,
    PORT_DNS: Dns.parse,
    VXLAN_PORT: Vxlan.parse,
}

dispatch.BY_ETHERTYPE.update(ETHERTYPES)
dispatch.BY_IP_PROTO.update(IP_PROTOCOLS)
dispatch.BY_UDP_PORT.update(UDP_PORTS)
dispatch.INNER_FRAME[:] = [Ethernet.parse]
