"""Hypervisor platforms and types, explained in a sentence or two (data the editor can show).

``explain(platform, hypervisor_type)`` gives the sentences for a host's ``platform`` and
``hypervisor_type``; ``HOST_OS_RESERVE_MB`` is what a type 2 host's own operating system keeps
for itself, which the RAM over-commit check (``checks.py``) counts before the VMs.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

# A desktop Linux or Windows under a type 2 hypervisor needs about this much for itself.
HOST_OS_RESERVE_MB = 2048


@dataclass(frozen=True, slots=True)
class Platform:
    id: str
    label: str
    types: tuple[int, ...]  # the hypervisor types it is
    text: str
    debated: bool = False  # its type is a matter of debate (KVM)


PLATFORMS = MappingProxyType({p.id: p for p in (
    Platform("virtualbox", "Oracle VirtualBox", (2,),
             "VirtualBox is a type 2 hypervisor: a program running on Windows, macOS or Linux, whose host operating "
             "system keeps part of the RAM and CPU for itself and drives the hardware."),
    Platform("vmware", "VMware Workstation / ESXi", (1, 2),
             "VMware Workstation is a type 2 hypervisor installed on Windows or Linux; VMware ESXi is VMware's type 1 "
             "hypervisor, installed on the bare machine and managed over the network."),
    Platform("xen", "Xen", (1,),
             "Xen is a type 1 hypervisor: it boots first, on the bare machine, and runs a privileged guest (dom0) that "
             "drives the devices, beside the other guests."),
    Platform("hyperv", "Microsoft Hyper-V", (1,),
             "Hyper-V is a type 1 hypervisor: once enabled it runs under Windows itself, which becomes its privileged "
             "parent partition, beside the guests."),
    Platform("kvm", "KVM", (1, 2),
             "KVM turns the Linux kernel itself into the hypervisor (a kernel module, with QEMU for the devices). "
             "Whether that is type 1 or type 2 is debated: it runs on the bare machine as part of the kernel, yet "
             "that kernel is a whole operating system with ordinary programs beside the VMs.", debated=True),
)})

TYPES = MappingProxyType({
    1: "Type 1 (bare metal): the hypervisor runs directly on the hardware and the VMs are all that runs on it.",
    2: "Type 2 (hosted): the hypervisor is a program on an operating system (the host OS), which uses some of the "
       f"RAM for itself (the design checks count {HOST_OS_RESERVE_MB} MB).",
})


def explain(platform: str | None, hypervisor_type: int | None) -> list[str]:
    """The sentences for a host: its platform, its type, and a note when the two disagree."""
    out = []
    known = PLATFORMS.get(platform) if platform else None
    if known is not None:
        out.append(known.text)
    if hypervisor_type in TYPES:
        out.append(TYPES[hypervisor_type])
        if known is not None and hypervisor_type not in known.types:
            out.append(f"{known.label} is not a type {hypervisor_type} hypervisor: it is type "
                       f"{' or '.join(str(t) for t in known.types)}.")
    return out
