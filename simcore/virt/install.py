"""Machines installed from a design: a Guest for every host, VM and outside machine.

``attach_guests(specs, nodes, report)`` is what the assembly calls once the nodes exist: a host
gets Ubuntu 24.04 on its physical disk, its machine folder (``vm_folder``) and the ISOs a student
would have downloaded; a VM its disks (the first installed from the image its ``guest_os`` names,
the others formatted and mounted where ``disks[].mount`` says), registered in its host's store,
its NICs' settings and its DVD; an outside machine Ubuntu on its disk.
"""

from __future__ import annotations

from collections.abc import Callable

from simcore.virt.fs import blob_file, directory
from simcore.virt.guest import DEFAULT_DISK_MB, HOST_USER, Guest, os_type
from simcore.virt.hardware import SATA, DiskSlot, NicSetting, Refusal
from simcore.virt.osimage import IMAGE_TIME, MIB, blank_volume, image_for, program
from simcore.virt.store import Medium, VmStore

ISO_FILES = {  # what a host keeps in ~/ISOs to put in a VM's DVD drive (sizes of the real images)
    "ubuntu-24.04.1-live-server-amd64.iso": 2_773_874_688,
    "debian-12.7.0-amd64-netinst.iso": 661_651_456,
    "alpine-virt-3.20.3-x86_64.iso": 65_011_712,
}
GUEST_ADDITIONS = "/usr/share/virtualbox/VBoxGuestAdditions.iso"


def attach_guests(specs: dict[str, dict], nodes: dict,
                  report: Callable[[str, str, str], None] | None = None) -> dict[str, Guest]:
    """A Guest for every host, VM and outside machine of a normalized document (``specs``: id ->
    spec in document order; ``nodes``: id -> device), set as ``node.guest``; hosts first, so each
    VM's disks go into its host's store. A disk or ISO the host cannot hold is reported with
    ``report(code, path, message)`` (``build.disk`` / ``build.dvd``); without ``report`` it raises."""
    guests: dict[str, Guest] = {}
    index = {node_id: i for i, node_id in enumerate(specs)}
    order = sorted(specs, key=lambda i: specs[i]["kind"] != "host")  # stable: document order within
    for node_id in order:
        spec = specs[node_id]
        node = nodes.get(node_id)
        if spec["kind"] not in ("host", "vm", "outside_host") or node is None:
            continue
        host = guests.get(spec.get("host")) if spec["kind"] == "vm" else None
        image = image_for(spec.get("guest_os")) if spec["kind"] == "vm" else image_for(None)
        guest = Guest(node, spec, image, host)
        if spec["kind"] == "host":
            guest.install_system(guest.root_disk_mb * MIB)
            folder = spec.get("vm_folder") or f"/home/{HOST_USER}/VirtualBox VMs"
            guest.store = VmStore(folder, guest.fs, guest.node.name)
            _install_isos(guest)
        elif spec["kind"] == "vm":
            try:
                _build_vm(guest, spec, host)
            except _Problem as problem:
                if report is None:
                    raise ValueError(problem.message) from None
                report(problem.code, f"nodes[{index[node_id]}].{problem.where}", problem.message)
        else:
            guest._lazy_disk = guest.root_disk_mb * MIB
        node.guest = guest
        guests[node_id] = guest
        if host is not None:
            host.vms.append(guest)
    return guests


def _install_isos(host: Guest) -> None:
    home = host.fs.home
    for name, size in ISO_FILES.items():
        host.fs.install(f"{home}/ISOs/{name}", blob_file(size, owner=host.user, mtime=IMAGE_TIME))
    host.fs.install(GUEST_ADDITIONS, blob_file(58_433_536, mtime=IMAGE_TIME))
    host.fs.install("/usr/bin/VBoxManage", program("VBoxManage"))


class _Problem(Exception):
    def __init__(self, code: str, where: str, message: str):
        super().__init__(message)
        self.code, self.where, self.message = code, where, message


def _build_vm(guest: Guest, spec: dict, host: Guest | None) -> None:
    hw = guest.hardware
    for nic in spec.get("nics", []):
        hw.nics.append(NicSetting(nic["name"], nic["mac"], nic.get("mode"), nic.get("network"),
                                  drawn=nic.get("mode") is None))
    disks = spec.get("disks") or [{"name": hw.name}]
    store = host.store if host is not None else None
    for port, d in enumerate(disks):
        size_mb = int(d.get("size_mb", DEFAULT_DISK_MB["vm"] if port == 0 else 1024))
        path = d.get("path") or (store.default_path(hw.name, d["name"]) if store else f"/{hw.name}/{d['name']}.vdi")
        dev = f"sd{'abcdefghijklmnopqrstuvwxyz'[port]}"
        if port == 0:
            volume = guest.install_system(size_mb * MIB, f"/dev/{dev}1")
        else:
            volume = blank_volume(size_mb * MIB, f"/dev/{dev}")
        try:
            medium = store.create(path, size_mb, volume) if store else Medium(path, size_mb, "", volume)
        except Refusal as refusal:
            raise _Problem("build.disk", f"disks[{port}].path", f"{hw.name}'s disk {d['name']}: {refusal.why}") from None
        medium.attached_to = hw.name
        hw.disks.append(DiskSlot(port, medium, bool(d.get("hotpluggable", False)), SATA, dev, d.get("mount")))
        if port > 0 and d.get("mount"):  # formatted and in /etc/fstab: mounted at boot
            if not guest.fs.exists(d["mount"]):
                guest.fs.install(guest.fs.abspath(d["mount"]), directory(mtime=IMAGE_TIME))
            guest.fs.mount(d["mount"], volume)
    dvd = (spec.get("dvd") or {}).get("iso")
    if dvd and store is not None:
        try:
            store.iso_size(dvd)
        except Refusal as refusal:
            raise _Problem("build.dvd", "dvd.iso", f"{hw.name}'s DVD drive: {refusal.why}") from None
    hw.dvd = dvd
    if store is not None:
        store.register(hw, os_type(guest.image))

