"""``lscpu``: the CPU as the machine sees it (util-linux 2.39, Ubuntu 24.04).

In a VM it is the host's CPU model (guest code runs on the host's CPU, so every VM shows the
same model): a hypervisor passes the model through, with the VM's number of vCPUs and, when
the host has VT-x/AMD-V, the hypervisor the guest detects (VirtualBox offers KVM's paravirtual
interface to Linux guests). Under software simulation there is no hypervisor to detect. On a
physical host it is its own CPU and cores, with ``Virtualization: VT-x`` when the extensions are
on. The machine's facts come from ``node.machine.cpu_facts()`` (a VM) or ``node.cpu`` (a host).
"""

from __future__ import annotations

from simcore.apps.console.shell import Console, command

# family, model, stepping, BogoMIPS of the CPUs a design names most often; anything else: Intel's 6/165/5.
_INTEL = ("GenuineIntel", 6, 165, 5, "5808.00")
_AMD = ("AuthenticAMD", 25, 33, 0, "7386.16")


def _row(key: str, value: object, indent: int = 0) -> str:
    return f"{' ' * indent}{key + ':':<{26 - indent}}{value}"


@command("lscpu", "show the CPU this machine has (a VM: the host's model)")
def _lscpu(console: Console, argv: list[str]) -> int:
    node = console.node
    machine = getattr(node, "machine", None)
    facts = machine.cpu_facts() if machine is not None else getattr(node, "cpu", None)
    if facts is None:
        console.print("lscpu: this node has no CPU the design describes")
        return 1
    vendor, family, model, stepping, bogomips = _AMD if "AMD" in facts["model"] else _INTEL
    cpus = facts["cpus"]
    lines = [
        _row("Architecture", "x86_64"),
        _row("CPU op-mode(s)", "32-bit, 64-bit", 2),
        _row("Address sizes", "39 bits physical, 48 bits virtual", 2),
        _row("Byte Order", "Little Endian", 2),
        _row("CPU(s)", cpus),
        _row("On-line CPU(s) list", "0" if cpus == 1 else f"0-{cpus - 1}", 2),
        _row("Vendor ID", vendor),
        _row("Model name", facts["model"], 2),
        _row("CPU family", family, 4),
        _row("Model", model, 4),
        _row("Thread(s) per core", 1, 4),
        _row("Core(s) per socket", cpus, 4),
        _row("Socket(s)", 1, 4),
        _row("Stepping", stepping, 4),
        _row("BogoMIPS", bogomips, 4),
    ]
    if machine is not None:
        lines.append("Virtualization features:")
        if facts["hypervisor"] is not None:
            lines += [_row("Hypervisor vendor", facts["hypervisor"], 2), _row("Virtualization type", "full", 2)]
        else:
            lines.append(_row("Virtualization type", "none: the host simulates this CPU in software", 2))
    elif facts.get("vt_x"):
        lines += ["Virtualization features:", _row("Virtualization", "AMD-V" if vendor == "AuthenticAMD" else "VT-x", 2)]
    for line in lines:
        console.print(line)
    return 0
