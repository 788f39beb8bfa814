"""A machine's software side: its OS image, filesystems, hardware and (for a host) its VM store.

A :class:`Guest` hangs on a node as ``node.guest``; the console's file and system commands read it
(``ls``, ``df``, ``free -m``, ``lsblk``, ``uname``...), the host's ``VBoxManage`` changes VMs
through it. ``install.attach_guests(specs, nodes)`` makes one for every host, VM and outside machine of a
normalized document (``install.py``: a VM's disks registered in its host's store, its first
disk the OS image).

Hardware changes go through :meth:`Guest.apply` (``action`` + parameters, the VM's power state):
refused with a :class:`~simcore.virt.hardware.Refusal` and nothing changed, or done, narrated
(``vm.hardware``, ``vm.disk``, ``vm.dvd``) and handed to ``on_change`` hooks, which is how the
network learns of a cable pulled or a NIC added (see docs/virt.md, "Hardware by software").
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from simcore.apps.dhcp.glue import carrier_changed as dhcp_carrier_changed
from simcore.design import derive_mac
from simcore.design.checks import overcommit
from simcore.engine.lazy import OnFirstUse
from simcore.virt import blockdev
from simcore.virt.fs import EPOCH, Volume, directory
from simcore.virt.hardware import IDE, MUTABLE, SATA, Change, Hardware, Refusal
from simcore.virt.namespace import Namespace
from simcore.virt.osimage import (
    MIB,
    OsImage,
    hostname_of,
    system_volume,
    tmpfs,
)
from simcore.virt.power import HAS_CARRIER
from simcore.virt.store import VmStore

S = 1_000_000_000
DEFAULT_DISK_MB = {"vm": 25600, "host": 512000, "outside_host": 65536}  # VirtualBox's 25 GB default
DEFAULT_RAM_MB = {"vm": 1024, "host": 8192, "outside_host": 4096}
DEFAULT_CPUS = {"vm": 1, "host": 4, "outside_host": 2}
HOST_USER = "student"  # who sits at a physical host (its machine folder is /home/student/VirtualBox VMs)


class Guest:
    # Made on first use (simcore.engine.lazy): a container or an outside machine has no VMs, no
    # listener and no cable to pull, and keeps none of these.
    on_change: list[Callable[[Guest, list[Change]], None]] = OnFirstUse(list)  # type: ignore[assignment]
    vms: list[Guest] = OnFirstUse(list)  # type: ignore[assignment]  # a host's VMs, in design order
    # NIC name -> its link, while its virtual cable is pulled out
    _unplugged: dict = OnFirstUse(dict)  # type: ignore[assignment]
    _own_on_change: Any = ()
    _own_vms: Any = ()
    _own__unplugged: Any = MappingProxyType({})
    # What the over-commit check reads of a host besides its cores and RAM (a type 2 host's own
    # OS keeps some RAM for itself): set on a guest whose spec has them.
    _platform: Mapping = MappingProxyType({})

    def __init__(self, node, spec: dict, image: OsImage, host: Guest | None = None):
        self.node = node  # the HostNode (its stack, engine, tracer, name)
        self.kind = spec["kind"]
        self.image = image
        self.hostname = hostname_of(spec.get("name") or spec["id"])
        self.host = host
        self._state = "Running"  # until a power controller drives it: today's always-on VM
        self._dvd: tuple[str, Volume] | None = None  # (ISO path, its read-only filesystem) once mounted
        user = HOST_USER if self.kind == "host" else image.user
        self.user = user
        self._fs: Namespace | None = None
        self._lazy_disk: int | None = None  # an outside machine installs its disk when first used
        self.cpu_cores = int(spec.get("cpu_cores", spec.get("vcpus", DEFAULT_CPUS.get(self.kind, 1))))
        self.store: VmStore | None = None
        self.hardware: Hardware | None = None
        if self.kind == "vm":
            self.hardware = Hardware(spec.get("name") or spec["id"], int(spec.get("ram_mb", DEFAULT_RAM_MB["vm"])),
                                     int(spec.get("vcpus", DEFAULT_CPUS["vm"])))
        self._ram_mb = int(spec.get("ram_mb", DEFAULT_RAM_MB.get(self.kind, 1024)))
        platform = {k: spec[k] for k in ("platform", "hypervisor_type") if k in spec}
        if platform:
            self._platform = platform
        self.root_disk_mb = DEFAULT_DISK_MB.get(self.kind, 65536)

    # -- what the console reads ---------------------------------------------------------------
    @property
    def fs(self) -> Namespace:
        """The machine's mounted filesystems (an outside machine's are made when first asked for:
        a design of a thousand idle machines costs no filesystem until one is used)."""
        if self._fs is None:
            user = self.user
            self._fs = Namespace(user=user, home=f"/home/{user}", cwd=f"/home/{user}", clock=self.wall_clock)
            if self._lazy_disk is not None:
                self.install_system(self._lazy_disk)
        return self._fs

    def wall_clock(self) -> int:
        """The guest's wall clock, in seconds (file times)."""
        return EPOCH + self.node.engine.now // S

    @property
    def state(self) -> str:
        """The VM's power state (VirtualBox's MachineState name): its controller's (``node.machine``),
        Running for a node without one."""
        ctrl = getattr(self.node, "machine", None)
        return ctrl.state if ctrl is not None else self._state

    @property
    def ram_mb(self) -> int:
        return self.hardware.ram_mb if self.hardware is not None else self._ram_mb

    @property
    def vcpus(self) -> int:
        return self.hardware.vcpus if self.hardware is not None else self.cpu_cores

    def memory(self) -> dict[str, int]:
        """``free`` in MiB: what the kernel reports of the RAM it was given (firmware and the
        kernel keep about 3 % + 32 MB), the image's use after boot, a host's running VMs."""
        total = max(1, self.ram_mb - self.ram_mb * 3 // 100 - 32)
        used = self.image.ram_used_mb + 4 * self.vcpus
        for vm in self.vms:
            if vm.state not in MUTABLE and vm.state != "Saved":
                used += vm.ram_mb  # VirtualBox allocates a running guest's RAM on its host
        runtime = getattr(self.node, "containers", None)  # a host's running containers (simcore.virt.containers)
        if runtime is not None:
            used += runtime.memory_mb()
        used = min(used, total)
        cache = min(self.image.cache_mb, (total - used) // 2)
        free = total - used - cache
        return {"total": total, "used": used, "free": free, "shared": 1 if total > 64 else 0,
                "buff/cache": cache, "available": min(total, free + cache * 4 // 5)}

    def block_devices(self) -> list[blockdev.BlockDev]:
        return blockdev.block_devices(self)

    def find_device(self, path: str) -> blockdev.BlockDev | None:
        return blockdev.find(self, path)

    def device_of(self, volume: Volume) -> str:
        return blockdev.device_of(self, volume)

    def make_filesystem(self, dev: blockdev.BlockDev) -> Volume:
        return blockdev.make_filesystem(self, dev)

    def dvd_volume(self) -> Volume:
        """The disc in the DVD drive as a read-only filesystem (its files are not simulated)."""
        if self._dvd is None or self._dvd[0] != self.hardware.dvd:
            size = self.host.store.iso_size(self.hardware.dvd)
            self._dvd = (self.hardware.dvd, Volume(directory(), size, device="/dev/sr0", fstype="iso9660",
                                                   base_used=size, read_only=True))
        return self._dvd[1]

    def dvd_mounted(self) -> Volume | None:
        return self._dvd[1] if self._dvd is not None and self.fs.mount_of(self._dvd[1]) else None

    # -- building -----------------------------------------------------------------------------
    def install_system(self, capacity: int, device: str = "/dev/sda1") -> Volume:
        vol = system_volume(self.image, self.hostname, capacity, device, self.user)
        self.fs.mount("/", vol)
        self._mount_tmpfs()
        return vol

    def _mount_tmpfs(self) -> None:
        kib = self.memory()["total"] * 1024
        self.fs.mount("/run", tmpfs(kib * 1024 // 10, {"lock": {}}, mode=0o755))
        self.fs.mount("/dev/shm", tmpfs(kib * 1024 // 2))
        self.fs.mount("/run/lock", tmpfs(5 * MIB))

    def lose_ram(self) -> None:
        """Power off or reset: what lived in RAM is gone. The tmpfs filesystems come back empty,
        only the disks in /etc/fstab (``disks[].mount``) are mounted again, the next shell starts
        in the user's home; the disks keep everything written to them."""
        fstab = {s.mount: s.medium.volume for s in self.hardware.disks if s.mount} if self.hardware else {}
        root = self.fs.mounts[0]
        self.fs.mounts[:] = [root]
        self._mount_tmpfs()
        for point, volume in fstab.items():
            if volume is not None:
                self.fs.mount(point, volume)
        self._dvd = None
        self.fs.cwd, self.fs.user = self.fs.home, self.user
        try:  # a name set with ``hostname`` lived in RAM: the kernel reads /etc/hostname at boot
            self.hostname = self.fs.read("/etc/hostname").text.strip() or self.hostname
        except OSError:
            pass

    def resize_tmpfs(self) -> None:
        """tmpfs sizes follow the RAM (10 % for /run, half for /dev/shm), as at the next boot."""
        total = self.memory()["total"] * MIB
        for m in self.fs.mounts:
            if m.point == "/run":
                m.volume.capacity = total // 10
            elif m.point == "/dev/shm":
                m.volume.capacity = total // 2

    # -- hardware changes ---------------------------------------------------------------------
    def check(self, action: str, **params) -> Refusal | None:
        """The Refusal ``apply`` would raise now, or None; changes nothing."""
        shadow = copy.copy(self)
        shadow.hardware = copy.deepcopy(self.hardware)
        try:
            shadow._change(action, **params)
        except Refusal as refusal:
            return refusal
        return None

    def apply(self, action: str, **params) -> list[Change]:
        """Do ``action`` (modifyvm, setlinkstate, nic, storageattach) now; Refusal if refused."""
        changes = self._change(action, **params)
        if changes:
            self._after(changes)
        return changes

    def request(self, action: str, params: dict, origin: str) -> str | None:
        """The run's door: ``apply``, or the refusal traced (``vm.refused``) and returned as a sentence."""
        try:
            self.apply(action, **params)
        except Refusal as refusal:
            machine = getattr(self.node, "machine", None)
            if machine is not None:
                machine.refuse(action, refusal.sentence)
            return refusal.sentence
        return None

    def _change(self, action: str, **params) -> list[Change]:
        hw, state = self.hardware, self.state
        if hw is None:
            raise Refusal(f"Could not find a registered machine named '{self.node.name}'",
                          f"{self.node.name} is not a virtual machine")
        if action == "modifyvm":
            changes = []
            if params.get("memory") is not None:
                changes += hw.set_ram(state, int(params["memory"]))
            if params.get("cpus") is not None:
                changes += hw.set_cpus(state, int(params["cpus"]))
            if params.get("nic") is not None:  # --nicN MODE [--intnetN NAME...]: one NIC per change
                mac = derive_mac(self.node.id, f"eth{len(hw.nics)}", "vm")
                changes += hw.set_nic(state, int(params["nic"]), params["mode"], params.get("network"), mac)
            return changes
        if action == "setlinkstate":
            return hw.set_cable(state, int(params["nic"]), bool(params["on"]))
        if action == "nic":
            return hw.set_attachment(state, int(params["nic"]), params["mode"], params.get("network"))
        if action == "storageattach":
            return self._storage(state, **params)
        raise Refusal(f"Invalid parameter '{action}'", f"{action} is not a hardware change")

    def _storage(self, state: str, *, medium: str, type: str = "hdd", port: int = 0,
                 device: int = 0, controller: str = SATA, hotpluggable: bool | None = None) -> list[Change]:
        hw, store = self.hardware, self.host.store if self.host is not None else None
        if type == "dvddrive":
            if controller != IDE or (port, device) != (1, 0):
                raise Refusal(f"No drive attached to device slot {device} on port {port} of controller "
                              f"'{controller}'", f"{hw.name}'s DVD drive is on the IDE controller, port 1, device 0")
            if medium in ("emptydrive", "none"):
                return hw.set_dvd(state, None)
            if store is None:
                raise Refusal(f"Could not find file for the medium '{medium}' (VERR_FILE_NOT_FOUND)",
                              f"{hw.name} has no host to read {medium} from")
            store.iso_size(medium)
            return hw.set_dvd(state, store.fs.abspath(medium))
        if type != "hdd":
            raise Refusal(f"Invalid --type argument '{type}'", "a drive is hdd or dvddrive")
        if medium == "none":
            return hw.detach_disk(state, int(port))
        if store is None:
            raise Refusal(f"Could not find file for the medium '{medium}' (VERR_FILE_NOT_FOUND)",
                          f"{hw.name} has no host to read {medium} from")
        med = store.open(store.fs.abspath(medium))
        if med.attached_to is not None and med.attached_to != hw.name:
            raise Refusal(f"Medium '{med.path}' is already attached to machine '{med.attached_to}'",
                          f"{med.path} is a disk of {med.attached_to}: a disk image belongs to one VM at a time",
                          ours=True)
        return hw.attach_disk(state, int(port), med, bool(hotpluggable), controller)

    def _after(self, changes: list[Change]) -> None:
        """Narrate the changes (the cause first), then carry them out on the guest and the wire."""
        tracer = self.node.tracer
        if tracer.on:
            warned = False
            for ch in changes:
                text = self.sentence(ch)
                if ch.what in ("ram_mb", "vcpus") and self.host is not None and not warned:
                    warnings = self.host.allocation()["warnings"]  # the design checks' over-commit words
                    if warnings:
                        text += ". " + " ".join(warnings)
                        warned = True
                fields = {"node": self.node.id, "what": ch.what, "item": ch.item, "from": _jsonable(ch.before),
                          "to": _jsonable(ch.after)}
                if ch.what == "disk":
                    tracer.emit("vm.disk", text, **fields)
                elif ch.what == "dvd":
                    tracer.emit("vm.dvd", text, **fields)
                else:
                    tracer.emit("vm.hardware", text, **fields)
        for ch in changes:
            if ch.what == "disk":
                self._disk_changed(ch)
            elif ch.what == "cable":
                self._cable(ch.item, ch.after)
            elif ch.what == "ram_mb":
                self.resize_tmpfs()
            elif ch.what == "dvd" and self._dvd is not None:  # the disc leaves: its mount goes with it
                point = self.fs.mount_of(self._dvd[1])
                if point is not None:
                    self.fs.umount(point)
                self._dvd = None
        if self.host is not None and self.host.store is not None:
            self.host.store.write_settings(self.hardware, os_type(self.image))
        for hook in self.on_change:
            hook(self, changes)

    def _disk_changed(self, ch: Change) -> None:
        hw = self.hardware
        if ch.after is not None:  # attached: the medium is now this VM's (not mounted until asked)
            slot = hw.slot(ch.item)
            slot.medium.attached_to = hw.name
            return
        medium = self.host.store.media.get(ch.before) if self.host and self.host.store else None
        if medium is not None:
            medium.attached_to = None
            if medium.volume is not None and self.fs.mount_of(medium.volume) is not None:
                self.fs.umount(self.fs.mount_of(medium.volume))

    def nic_link(self, name: str):
        """NIC ``name``'s link, also while its cable is pulled out (then the NIC holds none)."""
        nic = self.node.nics.get(name)
        return self._unplugged.get(name) or (nic.link if nic is not None else None)

    def _cable(self, name: str, connected: bool) -> None:
        """The virtual cable of NIC ``name``: pulled, the NIC has no link (the guest's frames go
        nowhere, ``ip link`` says NO-CARRIER) and the switch port behind it loses its carrier;
        plugged back, both return (the carrier only while the VM runs)."""
        nic = self.node.nics.get(name)
        if nic is None:
            return
        machine = getattr(self.node, "machine", None)
        if machine is not None:
            machine._set_fast()  # frames to a NIC without its cable must meet the carrier check
        why = f"{self.node.name}'s cable on {name} is {'plugged in' if connected else 'pulled out'}"
        if not connected:
            peer, had = nic.peer, nic.carrier
            # (a NIC being re-attached already holds its new link here: keep that one)
            self._unplugged[name] = nic.link or self._unplugged.get(name)
            nic.link, nic.carrier = None, False
            if peer is not None and hasattr(peer.node, "carrier_changed"):
                peer.node.carrier_changed(peer, False, why)
            if had:
                self.carrier_seen(name, False)
            return
        nic.link = self._unplugged.pop(name, nic.link)
        nic.carrier = self.state in HAS_CARRIER
        peer = nic.peer
        if nic.carrier and peer is not None and hasattr(peer.node, "carrier_changed"):
            peer.node.carrier_changed(peer, True, why)
        if nic.carrier:
            self.carrier_seen(name, True)

    def carrier_seen(self, name: str, up: bool) -> None:
        """The guest's systemd-networkd learns that NIC ``name`` lost or regained its carrier, when
        the guest next runs (on its own clock: a paused VM learns it when it resumes)."""
        self.node.engine.schedule(0, dhcp_carrier_changed, self.node, name, up)

    def sentence(self, ch: Change) -> str:
        name = self.node.name
        if ch.what == "ram_mb":
            return f"{name} now has {ch.after} MB of RAM (it had {ch.before} MB); the guest sees it at its next boot"
        if ch.what == "vcpus":
            return f"{name} now has {ch.after} virtual CPUs (it had {ch.before})"
        if ch.what == "nic":
            return (f"{name} has a new NIC, {ch.after}" if ch.after else f"{name}'s NIC {ch.before} is removed")
        if ch.what == "cable":
            return (f"{name}'s NIC {ch.item}: the virtual cable is plugged in again (carrier up)" if ch.after else
                    f"{name}'s NIC {ch.item}: the virtual cable is pulled out (no carrier; the guest sees its link down)")
        if ch.what == "attachment":
            return f"{name}'s NIC {ch.item} is now attached to {_mode_words(ch.after)} (it was {_mode_words(ch.before)})"
        if ch.what == "disk":
            return (f"{name} gets the disk {ch.after} on SATA port {ch.item}" if ch.after else
                    f"{name}'s disk {ch.before} on SATA port {ch.item} is removed")
        return (f"{name}'s DVD drive now holds {ch.after}" if ch.after else f"{name}'s DVD drive is ejected (empty)")

    # -- the host's view ----------------------------------------------------------------------
    def allocation(self) -> dict:
        """A host's CPU and RAM and what its VMs are given, with the design checks' over-commit
        warnings on the VMs' current settings."""
        vms = [vm for vm in self.vms if vm.hardware is not None]
        key = tuple((vm.node.name, vm.ram_mb, vm.vcpus) for vm in vms)
        cached = getattr(self, "_allocation", None)
        if cached is not None and cached[0] == key:  # the live tables ask many times a second
            return dict(cached[1])
        doc = {"version": 1, "name": "allocation", "nodes": [
            {"id": "h", "kind": "host", "name": self.node.name, "cpu_cores": self.cpu_cores, "ram_mb": self._ram_mb,
             **self._platform},
            *({"id": f"v{i}", "kind": "vm", "host": "h", "name": vm.node.name, "ram_mb": vm.ram_mb,
               "vcpus": vm.vcpus} for i, vm in enumerate(vms))]}
        warnings = [p.msg for p in overcommit(doc)]
        out = {"cpu_cores": self.cpu_cores, "ram_mb": self._ram_mb, "vcpus_given": sum(vm.vcpus for vm in vms),
               "ram_given_mb": sum(vm.ram_mb for vm in vms), "warnings": warnings}
        self._allocation = (key, out)
        return dict(out)


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def _mode_words(value) -> str:
    mode, network = value if isinstance(value, tuple) else (value, None)
    if mode is None:
        return "nothing (not attached)"
    return f"{mode}{f' {network}' if network else ''}"


def os_type(image: OsImage) -> str:
    return {"ubuntu-24.04": "Ubuntu_64", "debian-12": "Debian_64"}.get(image.key, "Linux_64")
