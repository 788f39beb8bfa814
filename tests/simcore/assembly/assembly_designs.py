"""Small pieces for building by hand: a context, a hypervisor and VMs as normalized specs."""

from simcore.assembly import BuildContext
from simcore.assembly import nodes as node_builder
from simcore.engine import Engine
from simcore.trace import Tracer

HV_IP = "198.51.100.10"


def context(trace=None) -> BuildContext:
    engine = Engine(0)
    return BuildContext(engine, Tracer(engine, trace))


def hv(ip: str = f"{HV_IP}/24", *more_nics: dict) -> dict:
    return {"id": "hv", "kind": "host", "name": "hv", "ip_forward": False, "routes": [], "services": [],
            "nics": [{"name": "enp1s0", "mac": "02:00:00:51:00:0a", "ip": ip}, *more_nics]}


def vm(node_id: str, n: int, mode: str, **nic: object) -> dict:
    return {"id": node_id, "kind": "vm", "name": node_id, "host": "hv", "ip_forward": False, "routes": [],
            "services": [], "nics": [{"name": "eth0", "mac": f"08:00:27:00:00:{n:02x}", "mode": mode, **nic}]}


def build(ctx: BuildContext, *specs: dict) -> None:
    for i, spec in enumerate(specs):
        node_builder.add_node(ctx, i, spec)
