"""A host's VirtualBox store: its machine folder, the disk images in it and the VMs registered.

A VM's disk is a file on its host (VirtualBox's *medium*): a path inside the host's machine folder
(``vm_folder``, default ``/home/<user>/VirtualBox VMs``; the simulator keeps every disk image
there, so a path outside it is refused), a capacity, a format from the extension (VDI, VMDK,
VHD) and a UUID derived from the path. Its contents are a :class:`~simcore.virt.fs.Volume` (None
until the guest formats it). Images are dynamically allocated, as VirtualBox creates them by
default: the file on the host grows with what the guest writes (2 MiB of header, then the blocks
used), which is what ``ls -l`` on the host shows.

The store writes each medium and each VM's ``.vbox`` settings file into the host's filesystem,
so ``ls -l`` of the machine folder lists them; ``VBoxManage list hdds`` reads the registry here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from simcore.virt.fs import MAX_FILE_BYTES, Volume, blob_file, text_file
from simcore.virt.hardware import Hardware, Refusal
from simcore.virt.namespace import Namespace, normpath

FORMATS = {".vdi": "VDI", ".vmdk": "VMDK", ".vhd": "VHD"}
HEADER = 2 * 1024 * 1024  # a fresh dynamically allocated VDI: header and block map
MIB = 1024 * 1024
MAX_DISK_MB = 2 * 1024 * 1024  # 2 TB, VirtualBox's VDI limit


def disk_uuid(path: str) -> str:
    """A stable UUID for the image at ``path`` (version 4 layout, derived, never random)."""
    h = hashlib.sha256(f"netdesigner-medium\0{path}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


@dataclass
class Medium:
    path: str
    size_mb: int
    uuid: str
    volume: Volume | None = None  # its filesystem; None until formatted
    attached_to: str | None = None  # the VM's name

    @property
    def format(self) -> str:
        return FORMATS["." + self.path.rsplit(".", 1)[-1].lower()]

    def file_size(self) -> int:
        used = self.volume.used if self.volume is not None else 0
        return HEADER + min(used, self.size_mb * MIB)


class VmStore:
    """One host's machine folder and media registry (VirtualBox's ``VirtualBox.xml`` media list)."""

    def __init__(self, folder: str, fs: Namespace, host_name: str):
        self.folder = normpath(folder)
        self.fs = fs  # the host's filesystem, where the files appear
        self.host_name = host_name
        self.media: dict[str, Medium] = {}  # path -> medium, in creation order
        self.machines: dict[str, Hardware] = {}  # VM name -> its settings, in design order
        fs.dynamic_size = self.file_size

    # -- paths ------------------------------------------------------------------------------
    def default_path(self, vm: str, disk: str) -> str:
        return f"{self.folder}/{vm}/{disk}.vdi"

    def check_path(self, path: str) -> str:
        """The normalized ``path`` if a disk image may live there; a Refusal otherwise."""
        norm = normpath(path)
        if not norm.startswith(self.folder + "/"):
            raise Refusal(f"Could not create the medium storage unit '{path}'.",
                          f"the disk file {path} is outside {self.host_name}'s machine folder {self.folder}: "
                          f"the simulator keeps every disk image of {self.host_name} there", ours=True)
        if "." + norm.rsplit(".", 1)[-1].lower() not in FORMATS or "/" in norm.rsplit(".", 1)[-1]:
            raise Refusal(f"Could not determine the format of the medium '{path}'.",
                          f"a disk image's name ends in {', '.join(FORMATS)} (its format)", ours=True)
        return norm

    def file_size(self, path: str) -> int | None:
        medium = self.media.get(path)
        return medium.file_size() if medium is not None else None

    # -- media ------------------------------------------------------------------------------
    def create(self, path: str, size_mb: int, volume: Volume | None = None) -> Medium:
        """``VBoxManage createmedium disk --filename PATH --size MB``: a new image file."""
        norm = self.check_path(path)
        if not 1 <= size_mb <= MAX_DISK_MB:
            raise Refusal(f"Invalid size {size_mb} MB for the medium '{path}'",
                          f"a disk image holds 1 MB to {MAX_DISK_MB} MB")
        if norm in self.media or self.fs.exists(norm):
            raise Refusal(f"Could not create the medium storage unit '{norm}'. VD: Image file '{norm}' "
                          "already exists (VERR_ALREADY_EXISTS)", f"{norm} already exists on {self.host_name}")
        medium = Medium(norm, size_mb, disk_uuid(norm), volume)
        self.media[norm] = medium
        self.fs.install(norm, blob_file(0, mode=0o600, owner=self._owner(), mtime=self.fs.now()))
        return medium

    def _owner(self) -> str:
        return self.fs.home.rsplit("/", 1)[-1] if self.fs.home.startswith("/home/") else "root"

    def open(self, path: str) -> Medium:
        """The registered medium at ``path`` (VBoxManage opens it by path)."""
        medium = self.media.get(normpath(path))
        if medium is None:
            raise Refusal(f"Could not find file for the medium '{normpath(path)}' (VERR_FILE_NOT_FOUND)",
                          f"{self.host_name} has no disk image {path}")
        return medium

    def close(self, path: str, delete: bool) -> Medium:
        """``VBoxManage closemedium disk PATH [--delete]``: forget it (and delete the file)."""
        medium = self.open(path)
        if medium.attached_to is not None:
            raise Refusal(f"Cannot close medium '{medium.path}' because it is still attached to 1 virtual machines",
                          f"{medium.path} is a disk of {medium.attached_to}: detach it first")
        del self.media[medium.path]
        if delete:
            self.fs.install(medium.path, None)
        return medium

    def iso_size(self, path: str) -> int:
        """The size of an ISO file on the host (a Refusal if there is none)."""
        try:
            node = self.fs.stat(path)
        except OSError:
            node = None
        if node is None or node.is_dir:
            raise Refusal(f"Could not find file for the medium '{normpath(path)}' (VERR_FILE_NOT_FOUND)",
                          f"{self.host_name} has no file {path} to put in the DVD drive")
        return self.fs.size(path, node)

    # -- machines -----------------------------------------------------------------------------
    def register(self, hw: Hardware, os_type: str) -> None:
        self.machines[hw.name] = hw
        self.write_settings(hw, os_type)

    def write_settings(self, hw: Hardware, os_type: str = "Ubuntu_64") -> None:
        """The VM's ``.vbox`` file, as VirtualBox rewrites it after every change."""
        path = f"{self.folder}/{hw.name}/{hw.name}.vbox"
        text = vbox_xml(hw, os_type)[:MAX_FILE_BYTES]
        self.fs.install(path, text_file(text, mode=0o600, owner=self._owner(), mtime=self.fs.now()))

    def list_hdds(self) -> list[str]:
        """``VBoxManage list hdds``."""
        out: list[str] = []
        for medium in self.media.values():
            if out:
                out.append("")
            out += [f"UUID:           {medium.uuid}",
                    "Parent UUID:    base",
                    "State:          created",
                    "Type:           normal (base)",
                    f"Location:       {medium.path}",
                    f"Storage format: {medium.format}",
                    f"Capacity:       {medium.size_mb} MBytes",
                    "Encryption:     disabled"]
        return out


def vbox_xml(hw: Hardware, os_type: str) -> str:
    """A short ``.vbox`` file: the settings this simulator models, in VirtualBox's elements."""
    lines = ['<?xml version="1.0"?>',
             '<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">',
             f'  <Machine name="{hw.name}" OSType="{os_type}" snapshotFolder="Snapshots">',
             "    <Hardware>",
             f'      <CPU count="{hw.vcpus}"/>',
             f'      <Memory RAMSize="{hw.ram_mb}"/>',
             "      <Network>"]
    for slot, nic in enumerate(hw.nics):
        attach = {"nat": "<NAT/>", "bridged": "<BridgedInterface/>", "natnetwork": f'<NATNetwork name="{nic.network}"/>',
                  "internal": f'<InternalNetwork name="{nic.network}"/>',
                  "hostonly": f'<HostOnlyInterface name="{nic.network}"/>'}.get(nic.mode or "", "")
        lines.append(f'        <Adapter slot="{slot}" enabled="true" MACAddress="{nic.mac.replace(":", "").upper()}" '
                     f'cable="{"true" if nic.cable else "false"}">{attach}</Adapter>')
    lines += ["      </Network>", "    </Hardware>", "    <StorageControllers>",
              '      <StorageController name="SATA" type="AHCI" PortCount="30">']
    for d in hw.disks:
        lines.append(f'        <AttachedDevice type="HardDisk" hotpluggable="{"true" if d.hotpluggable else "false"}" '
                     f'port="{d.port}" device="0"><Image uuid="{{{d.medium.uuid}}}"/></AttachedDevice>')
    lines += ["      </StorageController>", '      <StorageController name="IDE" type="PIIX4" PortCount="2">',
              '        <AttachedDevice passthrough="false" type="DVD" port="1" device="0">'
              + (f'<Image location="{hw.dvd}"/>' if hw.dvd else "") + "</AttachedDevice>",
              "      </StorageController>", "    </StorageControllers>", "  </Machine>", "</VirtualBox>"]
    return "\n".join(lines) + "\n"
