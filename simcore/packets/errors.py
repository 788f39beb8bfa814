"""The one exception of the wire layer."""


class PacketError(ValueError):
    """Bytes that are not a valid packet, or a value that cannot be put on the wire.

    The message always starts with the layer name and names the field, e.g.
    ``"ipv4: header checksum 0x1234 != computed 0xabcd"``, so a dropped frame can be
    traced with a reason a student can read.
    """
