"""Disks in a guest: ``mount``, ``umount`` and ``mkfs.ext4`` (util-linux 2.39, e2fsprogs 1.47.0).

A disk added to a running VM arrives unformatted and unmounted, as on a real machine: ``lsblk``
shows it, ``mkfs.ext4 /dev/sdb`` formats it, ``mount /dev/sdb /mnt`` puts it in the tree. All
three need root (``sudo``). The DVD drive mounts read-only; the simulator keeps no ISO contents,
so a mounted disc is empty.
"""

from __future__ import annotations

from simcore.apps.console.files import guest_fs
from simcore.apps.console.shell import Console, command

MKE2FS = "mke2fs 1.47.0 (5-Feb-2023)"


def _guest(console: Console, name: str):
    return console.node.guest if guest_fs(console, name) is not None else None


@command("mount", "list mounted filesystems, or (as root) mount a device (mount DEVICE DIR)")
def mount_command(console: Console, argv: list[str]) -> int:
    guest = _guest(console, "mount")
    if guest is None:
        return 127
    fs = guest.fs
    if len(argv) == 1:
        for m in fs.mounts:
            opts = "rw,nosuid,nodev,relatime" if m.volume.fstype == "tmpfs" else (
                "ro,relatime" if m.volume.read_only else "rw,relatime")
            console.print(f"{guest.device_of(m.volume)} on {m.point} type {m.volume.fstype} ({opts})")
        return 0
    if len(argv) != 3:
        console.print("Usage:")
        console.print(" mount [-lhV]")
        console.print(" mount <source> <directory>")
        return 1
    source, point = argv[1], fs.abspath(argv[2])
    if fs.user != "root":
        console.print(f"mount: {point}: must be superuser to use mount.")
        return 1
    dev = guest.find_device(source)
    if dev is None:
        console.print(f"mount: {point}: special device {source} does not exist.")
        return 32
    if not fs.exists(point) or not fs.stat(point).is_dir:
        console.print(f"mount: {point}: mount point does not exist.")
        return 32
    volume = dev.volume
    if dev.type == "rom":
        if dev.empty:
            console.print(f"mount: {point}: no medium found on {source}.")
            return 32
        volume = guest.dvd_volume()
        console.print(f"mount: {point}: WARNING: source write-protected, mounted read-only.")
    if volume is None:
        console.print(f"mount: {point}: wrong fs type, bad option, bad superblock on {source}, missing codepage "
                      "or helper program, or other error.")
        console.print("       dmesg(1) may have more information after failed mount system call.")
        return 32
    where = fs.mount_of(volume)
    if where is not None:
        console.print(f"mount: {point}: {source} already mounted on {where}.")
        return 32
    try:
        fs.mount(point, volume)
    except OSError:
        console.print(f"mount: {point}: {source} already mounted or mount point busy.")
        return 32
    return 0


@command("umount", "(as root) unmount a filesystem (umount DIR|DEVICE)")
def umount_command(console: Console, argv: list[str]) -> int:
    guest = _guest(console, "umount")
    if guest is None:
        return 127
    fs = guest.fs
    if len(argv) != 2:
        console.print("umount: bad usage")
        console.print("Try 'umount --help' for more information.")
        return 1
    target = argv[1]
    point = fs.abspath(target)
    for m in fs.mounts:
        if guest.device_of(m.volume) == target:
            point = m.point
    if fs.user != "root":
        console.print(f"umount: {point}: must be superuser to unmount.")
        return 32
    if point == "/" or not any(m.point == point for m in fs.mounts):
        console.print(f"umount: {point}: {'target is busy.' if point == '/' else 'not mounted.'}")
        return 32
    if fs.cwd == point or fs.cwd.startswith(point.rstrip("/") + "/"):
        console.print(f"umount: {point}: target is busy.")
        return 32
    try:
        fs.umount(point)
    except OSError:
        console.print(f"umount: {point}: target is busy.")
        return 32
    return 0


@command("mkfs.ext4", "(as root) make an ext4 filesystem on a disk (mkfs.ext4 DEVICE)")
def mkfs_command(console: Console, argv: list[str]) -> int:
    guest = _guest(console, "mkfs.ext4")
    if guest is None:
        return 127
    if len(argv) != 2:
        console.print("Usage: mkfs.ext4 [-F] device")
        return 1
    path = argv[1]
    console.print(MKE2FS)
    dev = guest.find_device(path)
    if dev is None:
        console.print(f"The file {path} does not exist and no size was specified.")
        return 1
    if guest.fs.user != "root":
        console.print(f"Could not open {path}: Permission denied")
        return 1
    if dev.volume is not None and guest.fs.mount_of(dev.volume) is not None:
        console.print(f"{path} is mounted; will not make a filesystem here!")
        return 1
    if dev.children or dev.type == "rom" or dev.medium is None:
        console.print(f"{path} is apparently in use by the system; will not make a filesystem here!")
        return 1
    blocks, inodes = dev.size // 4096, dev.size // 16384
    journal = 0 if blocks < 2048 else 1024 if blocks < 32768 else 4096 if blocks < 262144 else \
        8192 if blocks < 524288 else 16384 if blocks < 4194304 else 32768
    guest.make_filesystem(dev)
    console.print(f"Creating filesystem with {blocks} 4k blocks and {inodes} inodes")
    console.print("Allocating group tables: done")
    console.print("Writing inode tables: done")
    if journal:
        console.print(f"Creating journal ({journal} blocks): done")
    console.print("Writing superblocks and filesystem accounting information: done")
    console.print()
    return 0
