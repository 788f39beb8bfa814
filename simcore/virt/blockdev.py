"""A machine's block devices as its kernel names them: what ``lsblk``, ``df`` and ``mount`` see.

A VM's disks are its SATA slots (``sda``, ``sdb``... the letter given when the disk arrived, major 8,
minor 16 per disk), its first disk split into one partition (``sda1``, the root filesystem) and
its DVD drive ``sr0`` (major 11; 1024M when empty, as VirtualBox's empty drive reports). A host or
an outside machine has one physical disk, ``sda`` with ``sda1``. A device's filesystem is its
medium's :class:`~simcore.virt.fs.Volume` (None: never formatted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simcore.virt.fs import Volume
from simcore.virt.hardware import Refusal
from simcore.virt.osimage import MIB, blank_volume

EMPTY_DVD = 1024 * MIB - 512  # 2097151 sectors: lsblk shows 1024M


@dataclass
class BlockDev:
    name: str  # sda, sda1, sr0
    major: int
    minor: int
    size: int  # bytes
    type: str  # disk, part, rom
    volume: Volume | None = None
    removable: bool = False
    children: list[BlockDev] = field(default_factory=list)
    medium: object = None  # the store's Medium behind a whole VM disk (formatting replaces its volume)
    empty: bool = False  # a DVD drive with no disc


def block_devices(guest) -> list[BlockDev]:
    """Every block device of ``guest``, sorted by name (partitions under their disk)."""
    hw = guest.hardware
    if hw is None:
        root = guest.fs.mounts[0].volume
        disk = BlockDev("sda", 8, 0, guest.root_disk_mb * MIB, "disk")
        disk.children.append(BlockDev("sda1", 8, 1, root.capacity, "part", root))
        return [disk]
    out = []
    for slot in hw.disks:
        medium = slot.medium
        index = "abcdefghijklmnopqrstuvwxyz".find(slot.device_name[2:]) if len(slot.device_name) == 3 else 0
        disk = BlockDev(slot.device_name, 8, 16 * index, medium.size_mb * MIB, "disk", medium=medium)
        if slot.port == 0 and slot.device_name == "sda":
            disk.children.append(BlockDev(f"{slot.device_name}1", 8, 16 * index + 1, medium.volume.capacity
                                          if medium.volume else disk.size, "part", medium.volume))
        else:
            disk.volume = medium.volume
        out.append(disk)
    out.sort(key=lambda d: d.name)
    size = None
    if hw.dvd and guest.host is not None and guest.host.store is not None:
        try:
            size = guest.host.store.iso_size(hw.dvd)
        except Refusal:  # the ISO was deleted on the host: the drive reads as empty
            size = None
    out.append(BlockDev("sr0", 11, 0, size or EMPTY_DVD, "rom", volume=guest.dvd_mounted(), removable=True,
                        empty=size is None))
    return out


def flat(devices: list[BlockDev]) -> list[BlockDev]:
    out = []
    for d in devices:
        out.append(d)
        out.extend(d.children)
    return out


def find(guest, path: str) -> BlockDev | None:
    name = path.removeprefix("/dev/")
    for d in flat(block_devices(guest)):
        if d.name == name:
            return d
    return None


def device_of(guest, volume: Volume) -> str:
    """``/dev/sdb``: the device holding ``volume`` now (its first name for a tmpfs)."""
    for d in flat(block_devices(guest)):
        if d.volume is volume:
            return f"/dev/{d.name}"
    return volume.device


def make_filesystem(guest, dev: BlockDev) -> Volume:
    """``mkfs.ext4``: a fresh empty filesystem on a whole VM disk (what was on it is gone)."""
    volume = blank_volume(dev.size, f"/dev/{dev.name}")
    dev.medium.volume = volume
    return volume
