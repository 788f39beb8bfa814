"""simcore: a deterministic network simulator that puts real Ethernet frames on simulated wires.

Pure Python; never imports Django. Layers, each importing only the ones below it:

    design/   the design document: schema, strict loading, validation, checks
    engine/   clock, event queue, run limits, the run's random source (knows no networks)
    packets/  wire formats: frozen values <-> bytes, pcap writers
    net/      ports, NICs, links, capture points
    stack/    a node's IPv4 layer: addresses, routes, ARP, ICMP, forwarding, hooks
    apps/     the console and its commands; protocol state machines
    devices/  assembled nodes: switches, hosts and VMs, the Internet
    trace/    trace events, sinks and their one-sentence explanations
    network   a design turned into devices on one engine (``simcore.network.Network``)

Same design + same seed + same actions = the same trace and pcaps, byte for byte.
"""
