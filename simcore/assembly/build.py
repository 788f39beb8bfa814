"""From a normalized design document to a network: the order of the steps, and why.

1. nodes and their NICs (``nodes.py``): every address must exist before anything routes;
2. drawn NAT networks' router halves (``natnet.py``): the gateway lives on the host's stack;
3. static routes (``nodes.py``): a gateway must be on a connected network, NAT gateways included;
   the problems of 1-3 are raised together;
4. drawn links (``links.py``): switch ports are numbered in link order;
5. services (``services.py``): the random source is drawn in document order;
6. bridged vswitches, distributed switches (``switches.py``), then the VirtualBox modes
   (``vbox/``): their ports come after the link ports; the problems of 4-6 are raised together;
7. capture points (``links.py``);
8. every machine's guest (``simcore.virt.guest``: filesystems, hardware settings, the hosts' disk
   stores), then VM controllers and their initial power states (``vms.py``): a VM that is off at t = 0 was built
   like any other (so its problems are reported), then its RAM is emptied and its NICs lose their
   carrier;
9. each host's container runtimes (``simcore.virt.containers``), empty: ``lxc`` and ``docker`` on
   its console make containers during the run.

Each step reports its problems to the context (``build.<what>`` at a document path); a document
with problems raises one ``DesignError`` with all of a stage's problems, and no half-built network
is ever returned. The order is part of the simulation's determinism: it decides port numbers,
the events scheduled at t = 0 and the draws from the run's random source.
"""

from __future__ import annotations

from simcore.assembly import clones, links, natnet, nodes, services, switches, vms
from simcore.assembly.context import BuildContext
from simcore.assembly.vbox.attach import attach_modes
from simcore.virt.containers import attach_runtimes
from simcore.virt.install import attach_guests


def assemble(ctx: BuildContext, doc: dict, *, capture_all: bool = False) -> None:
    """Build the normalized ``doc`` into ``ctx`` (DesignError on any build problem)."""
    for i, spec in enumerate(doc["nodes"]):
        nodes.add_node(ctx, i, spec)
    natnet.add_nat_networks(ctx, doc["nodes"])
    for i, spec in enumerate(doc["nodes"]):
        nodes.add_routes(ctx, i, spec)
    ctx.raise_problems()
    links.add_links(ctx, doc["links"])
    services.start_all(ctx, doc["nodes"])
    switches.bridge_vswitches(ctx, doc["nodes"])
    switches.split_distributed(ctx, doc["nodes"])
    switches.list_bridge_devices(ctx, doc["nodes"])
    attach_modes(ctx, doc)
    ctx.raise_problems()
    links.add_captures(ctx, doc["captures"])
    if capture_all:
        links.capture_everything(ctx, doc["nodes"], doc["links"])
    ctx.raise_problems()
    attach_guests(ctx.specs, ctx.nodes, ctx.report)  # filesystems, hardware settings, hosts' disk stores
    ctx.raise_problems()
    vms.attach_machines(ctx, doc["nodes"])
    clones.give_cloner(ctx)
    attach_runtimes(ctx, doc["nodes"])  # each host's (empty) LXD and Docker: lxc, docker on its console
