"""A VM's hardware, changed by software: RAM, vCPUs, NICs, disks and the DVD drive.

What VirtualBox lets a user change depends on the machine's state (its ``MachineState`` name,
``PoweredOff``, ``Running``...), and it says why it refuses in its own words; this module is
those rules as one function per change, each returning the changes made or raising a
:class:`Refusal` with VirtualBox's sentence (what VBoxManage prints after ``VBoxManage: error:``),
its ``Details`` line and a plain sentence saying why. Nothing changes when a change is refused.

- RAM, vCPUs, adding or removing a NIC (``VBoxManage modifyvm``): only while the VM holds no
  session (PoweredOff, Aborted); a running VM's settings are locked by its process, a saved one's
  by its saved state (the RAM image must match the settings).
- A NIC's cable and attachment (``VBoxManage controlvm setlinkstateN / nicN``): only while the VM
  runs (Running or Paused): they act on the live machine.
- Disks (``VBoxManage storageattach --type hdd``): while off; while running only on the SATA
  controller (hot-plug capable; IDE is not) and, to remove one, only if its slot is marked
  hot-pluggable (a disk attached while running is, as VirtualBox marks it).
- The DVD drive's medium (``--type dvddrive``): inserted or ejected while off or running.
- Ranges are VirtualBox's: RAM 4 MB to 2 TB, 1 to 32 vCPUs, 8 NICs, 30 SATA ports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# VirtualBox's limits (MM_RAM_MIN_IN_MB / MM_RAM_MAX_IN_MB, SchemaDefs' CPU count, PIIX3 NICs).
MIN_RAM_MB, MAX_RAM_MB = 4, 2097152
MIN_CPUS, MAX_CPUS = 1, 32
MAX_NICS = 8
SATA, IDE = "SATA", "IDE"
SATA_PORTS = 30
DVD_PORT, DVD_DEVICE = 1, 0  # the DVD drive: IDE secondary master, as VirtualBox creates it

# A session holds the machine's settings while its process lives (VBoxManage modifyvm cannot
# lock it); "online or transient" states act on the live machine (hot-plug rules apply).
UNLOCKED = ("PoweredOff", "Aborted", "Saved")
MUTABLE = ("PoweredOff", "Aborted")
RUNNING = ("Running", "Paused")
ONLINE = ("Running", "Paused", "Starting", "Stopping", "Saving", "Restoring")

# VirtualBox's attachment words (modifyvm --nicN / controlvm nicN) -> the design's nics[].mode.
MODE_OF = {"nat": "nat", "natnetwork": "natnetwork", "bridged": "bridged", "intnet": "internal",
           "hostonly": "hostonly", "null": None}
WORD_OF = {mode: word for word, mode in MODE_OF.items() if mode}

_LOCKED = "code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component MachineWrap, interface IMachine, callee nsISupports"
_STATE = "code VBOX_E_INVALID_VM_STATE (0x80bb0002), component SessionMachine, interface IMachine, callee nsISupports"
_ARG = "code NS_ERROR_INVALID_ARG (0x80070057), component SessionMachine, interface IMachine, callee nsISupports"
_IN_USE = "code VBOX_E_OBJECT_IN_USE (0x80bb000c), component SessionMachine, interface IMachine, callee nsISupports"
_NOT_FOUND = "code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component SessionMachine, interface IMachine, callee nsISupports"
_NOT_SUPPORTED = "code VBOX_E_NOT_SUPPORTED (0x80bb0009), component SessionMachine, interface IMachine, callee nsISupports"


class Refusal(Exception):
    """A change VirtualBox refuses: ``message`` in its words, ``details`` its Details line (or ""),
    ``why`` one plain sentence with the user's names."""

    def __init__(self, message: str, why: str, details: str = "", *, ours: bool = False):
        super().__init__(message)
        self.message, self.why, self.details = message, why, details
        self.ours = ours  # a rule of this simulator, not VirtualBox's: the console says why too

    def lines(self) -> list[str]:
        """What VBoxManage prints (and, for the simulator's own rules, why)."""
        out = [f"VBoxManage: error: {self.message}"]
        if self.details:
            out.append(f"VBoxManage: error: Details: {self.details}")
        if self.ours:
            out.append(f"({self.why})")
        return out

    @property
    def sentence(self) -> str:
        return f"{self.why} (VirtualBox: {self.message})"


@dataclass
class NicSetting:
    name: str  # the guest's interface name (eth0)
    mac: str
    mode: str | None  # the design's nics[].mode; None: cabled by a drawn link (or not attached)
    network: str | None = None  # internal network / host-only adapter / NAT network name
    cable: bool = True  # "Cable connected"
    drawn: bool = False  # attached by a drawn link of the design, not by a VirtualBox mode


@dataclass
class DiskSlot:
    """A disk image attached to a controller port (``medium`` is the store's medium object)."""

    port: int
    medium: object  # store.Medium (its path, size_mb, volume)
    hotpluggable: bool = False
    controller: str = SATA
    device_name: str = "sda"  # what the guest calls it
    mount: str | None = None  # where the guest mounts it at boot (the design's disks[].mount)


@dataclass(frozen=True)
class Change:
    """One change made, for the trace and the network: ``what`` is ram_mb, vcpus, nic, cable,
    attachment, disk or dvd; ``item`` the NIC name or disk port; ``before``/``after`` values."""

    what: str
    before: object
    after: object
    item: object = None


@dataclass
class Hardware:
    """A VM's settings (what VirtualBox keeps in its ``.vbox`` file)."""

    name: str  # the VM's name, as VBoxManage knows it
    ram_mb: int
    vcpus: int
    nics: list[NicSetting] = field(default_factory=list)
    disks: list[DiskSlot] = field(default_factory=list)
    dvd: str | None = None  # the ISO in the DVD drive (a host path), or None: empty

    # -- modifyvm ---------------------------------------------------------------------------
    def _lockable(self, state: str, what: str) -> None:
        if state not in UNLOCKED:
            raise Refusal(f"The machine '{self.name}' is already locked for a session (or being unlocked)",
                          f"{what} of {self.name} can only be changed while it is powered off; it is {state}",
                          _LOCKED)

    def _mutable(self, state: str, what: str) -> None:
        if state not in MUTABLE:
            raise Refusal(f"The machine is not mutable (state is {state})",
                          f"{what} of {self.name} can only be changed while it is powered off; it is {state} "
                          "(its saved memory image must match its settings: discard the saved state first)", _STATE)

    def set_ram(self, state: str, mb: int) -> list[Change]:
        self._lockable(state, "The RAM")
        if not MIN_RAM_MB <= mb <= MAX_RAM_MB:
            raise Refusal(f"Invalid RAM size: {mb} MB (must be in range [{MIN_RAM_MB}, {MAX_RAM_MB}] MB)",
                          f"{self.name} cannot have {mb} MB of RAM: VirtualBox gives a VM between {MIN_RAM_MB} MB "
                          f"and {MAX_RAM_MB} MB", _ARG)
        self._mutable(state, "The RAM")
        before, self.ram_mb = self.ram_mb, mb
        return [Change("ram_mb", before, mb)] if before != mb else []

    def set_cpus(self, state: str, n: int) -> list[Change]:
        self._lockable(state, "The number of CPUs")
        if not MIN_CPUS <= n <= MAX_CPUS:
            raise Refusal(f"Invalid virtual CPU count: {n} (must be in range [{MIN_CPUS}, {MAX_CPUS}])",
                          f"{self.name} cannot have {n} virtual CPUs: VirtualBox gives a VM between {MIN_CPUS} "
                          f"and {MAX_CPUS}", _ARG)
        self._mutable(state, "The number of CPUs")
        before, self.vcpus = self.vcpus, n
        return [Change("vcpus", before, n)] if before != n else []

    def set_nic(self, state: str, slot: int, word: str, network: str | None, mac: str) -> list[Change]:
        """``modifyvm --nicN WORD``: add NIC N (the next free slot), change its mode, or ``none``:
        remove it (the last NIC only: the guest numbers its interfaces in slot order)."""
        self._lockable(state, "The NICs")
        self._mutable(state, "The NICs")
        if not 1 <= slot <= MAX_NICS:
            raise Refusal(f"Invalid NIC number '{slot}'.", f"VirtualBox gives a VM NICs 1 to {MAX_NICS}")
        if word != "none" and word not in MODE_OF:
            raise Refusal(f"Invalid --nic{slot} argument '{word}'",
                          f"a NIC's attachment is one of none, {', '.join(MODE_OF)}")
        count = len(self.nics)
        if word == "none":
            if slot > count:
                return []
            if slot != count:
                raise Refusal(f"NIC {slot} of {self.name} is not its last NIC",
                              f"remove NIC {count} first: the guest names its interfaces in slot order", ours=True)
            gone = self.nics.pop()
            return [Change("nic", gone.name, None, gone.name)]
        mode = MODE_OF[word]
        if slot <= count:
            nic = self.nics[slot - 1]
            if nic.drawn:
                raise Refusal(f"NIC {slot} of {self.name} ({nic.name}) is cabled by a link of the design",
                              "change a drawn link in the editor; modifyvm changes NICs attached by a VirtualBox mode",
                              ours=True)
            before = (nic.mode, nic.network)
            nic.mode, nic.network = mode, network
            return [Change("attachment", before, (mode, network), nic.name)] if before != (mode, network) else []
        if slot != count + 1:
            raise Refusal(f"NIC {slot} of {self.name} would leave slot {count + 1} empty",
                          f"add NIC {count + 1} first: the guest names its interfaces in slot order", ours=True)
        name = _free_name(self.nics)
        self.nics.append(NicSetting(name, mac, mode, network))
        return [Change("nic", None, name, name)]

    # -- controlvm ----------------------------------------------------------------------------
    def _running(self, state: str, what: str) -> None:
        if state not in RUNNING:
            raise Refusal(f"Machine '{self.name}' is not currently running.",
                          f"{what} acts on a running VM; {self.name} is {state}")

    def _nic_slot(self, slot: int) -> NicSetting:
        if not 1 <= slot <= len(self.nics):
            raise Refusal(f"Invalid NIC number '{slot}'.",
                          f"{self.name} has {len(self.nics)} NIC{'s' if len(self.nics) != 1 else ''}")
        return self.nics[slot - 1]

    def set_cable(self, state: str, slot: int, connected: bool) -> list[Change]:
        """``controlvm setlinkstateN on|off``: the virtual cable, plugged in or pulled out."""
        self._running(state, "Connecting or disconnecting a NIC's cable")
        nic = self._nic_slot(slot)
        before, nic.cable = nic.cable, connected
        return [Change("cable", before, connected, nic.name)] if before != connected else []

    def set_attachment(self, state: str, slot: int, word: str, network: str | None) -> list[Change]:
        """``controlvm nicN MODE [NAME]``: re-attach a running VM's NIC elsewhere."""
        self._running(state, "Changing a NIC's attachment with controlvm")
        nic = self._nic_slot(slot)
        if word not in MODE_OF:
            raise Refusal(f"Invalid type '{word}' specified for NIC {slot}.",
                          f"a NIC's attachment is one of {', '.join(MODE_OF)}")
        if nic.drawn:
            raise Refusal(f"NIC {slot} of {self.name} ({nic.name}) is cabled by a link of the design",
                          "change a drawn link in the editor; controlvm changes NICs attached by a VirtualBox mode",
                          ours=True)
        before = (nic.mode, nic.network)
        nic.mode, nic.network = MODE_OF[word], network
        after = (nic.mode, nic.network)
        return [Change("attachment", before, after, nic.name)] if before != after else []

    # -- storageattach ------------------------------------------------------------------------
    def _storage_state(self, state: str) -> None:
        if state not in MUTABLE and state not in ONLINE:
            raise Refusal(f"The machine is not mutable or running (state is {state})",
                          f"the drives of {self.name} cannot change while it is {state}: start it or discard "
                          "its saved state", _STATE)

    def slot(self, port: int) -> DiskSlot | None:
        for d in self.disks:
            if d.port == port:
                return d
        return None

    def attach_disk(self, state: str, port: int, medium, hotpluggable: bool = False,
                    controller: str = SATA) -> list[Change]:
        self._storage_state(state)
        online = state in ONLINE
        if online and controller != SATA:
            raise Refusal(f"Controller '{controller}' does not support hot-plugging",
                          f"{self.name} is {state}: only its SATA controller can take a disk while it runs", _STATE)
        if controller != SATA or not 0 <= port < SATA_PORTS:
            raise Refusal(f"Invalid port number {port} for controller '{controller}'",
                          f"the simulator attaches disks to SATA ports 0 to {SATA_PORTS - 1}", _ARG, ours=True)
        old = self.slot(port)
        path = medium.path
        if old is not None:
            raise Refusal(f"Medium '{old.medium.path}' is already attached to port {port}, device 0 of controller "
                          f"'{SATA}' of this virtual machine", f"port {port} of {self.name} already holds a disk",
                          _IN_USE)
        if any(d.medium.path == path for d in self.disks):
            raise Refusal(f"Medium '{path}' is already attached to this virtual machine",
                          f"{path} is already a disk of {self.name}", _IN_USE)
        slot = DiskSlot(port, medium, hotpluggable or online, SATA, _free_device(self.disks))
        self.disks.append(slot)
        self.disks.sort(key=lambda d: d.port)
        return [Change("disk", None, path, port)]

    def detach_disk(self, state: str, port: int) -> list[Change]:
        self._storage_state(state)
        slot = self.slot(port)
        if slot is None:
            raise Refusal(f"No storage device attached to device slot 0 on port {port} of controller '{SATA}'",
                          f"{self.name} has no disk on SATA port {port}", _NOT_FOUND)
        if state in ONLINE and not slot.hotpluggable:
            raise Refusal(f"The device slot 0 on port {port} of controller '{SATA}' does not support hot-plugging",
                          f"{self.name} is {state} and the disk on port {port} is not marked hot-pluggable: "
                          "power it off first, or mark the slot hot-pluggable while it is off", _NOT_SUPPORTED)
        self.disks.remove(slot)
        return [Change("disk", slot.medium.path, None, port)]

    def set_dvd(self, state: str, iso: str | None) -> list[Change]:
        """Insert (a host path) or eject (None) the DVD drive's disc."""
        self._storage_state(state)
        before, self.dvd = self.dvd, iso
        return [Change("dvd", before, iso)] if before != iso else []


def _free_name(nics: list[NicSetting]) -> str:
    taken = {n.name for n in nics}
    i = 0
    while f"eth{i}" in taken:
        i += 1
    return f"eth{i}"


def _free_device(disks: list[DiskSlot]) -> str:
    """The first sdX letter no attached disk uses (Linux gives a new disk the lowest free one)."""
    taken = {d.device_name for d in disks}
    for c in "abcdefghijklmnopqrstuvwxyz":
        if f"sd{c}" not in taken:
            return f"sd{c}"
    return f"sd{len(disks)}"


# The run's door (``net.vm_action(node, action, **params)``): each hardware action's parameters,
# their types, and which must be given. JSON-able, so the action log replays them as written.
PARAMS: dict[str, dict[str, type]] = {
    "modifyvm": {"memory": int, "cpus": int, "nic": int, "mode": str, "network": str},
    "setlinkstate": {"nic": int, "on": bool},
    "nic": {"nic": int, "mode": str, "network": str},
    "storageattach": {"medium": str, "type": str, "port": int, "device": int, "controller": str,
                      "hotpluggable": bool},
}
REQUIRED = {"modifyvm": (), "setlinkstate": ("nic", "on"), "nic": ("nic", "mode"), "storageattach": ("medium",)}
ACTIONS = tuple(PARAMS)


def check_params(action: str, params: dict) -> None:
    """ValueError saying which parameter is wrong and why (nothing is logged or changed then)."""
    allowed = PARAMS[action]
    for key, value in params.items():
        if key not in allowed:
            raise ValueError(f"{action} takes {', '.join(allowed)}, not {key!r}")
        want = allowed[key]
        if value is not None and (type(value) is not want):  # bool is not an int here, nor the reverse
            raise ValueError(f"{action}: {key} must be {want.__name__}, not {value!r}")
    missing = [k for k in REQUIRED[action] if params.get(k) is None]
    if missing:
        raise ValueError(f"{action} needs {', '.join(missing)}")
    if action == "modifyvm" and not any(params.get(k) is not None for k in ("memory", "cpus", "nic")):
        raise ValueError("modifyvm needs memory, cpus or nic")
    if params.get("nic") is not None and action == "modifyvm" and params.get("mode") is None:
        raise ValueError("modifyvm with nic needs mode (none, or an attachment)")


# What the live panel asks before it draws its hardware controls: for each kind of change, why the
# VM's power state refuses it (None: allowed). The same rules as the changes themselves, run on an
# empty machine of that name, so the panel never keeps a copy of them.
STATE_RULES = {
    "settings": lambda hw, state: (hw._lockable(state, "The RAM, vCPUs and NICs"),
                                   hw._mutable(state, "The RAM, vCPUs and NICs")),
    "cable": lambda hw, state: hw._running(state, "Connecting or disconnecting a NIC's cable"),
    "attachment": lambda hw, state: hw._running(state, "Changing a NIC's attachment"),
    "storage": lambda hw, state: hw._storage_state(state),
}


def state_refusals(name: str, state: str) -> dict[str, str | None]:
    """``{settings, cable, attachment, storage}`` -> the sentence (plain reason, then VirtualBox's
    words) the change is refused with in ``state``, or None where that state allows it."""
    probe = Hardware(name, 0, 0)
    out: dict[str, str | None] = {}
    for kind, rule in STATE_RULES.items():
        try:
            rule(probe, state)
            out[kind] = None
        except Refusal as refusal:
            out[kind] = refusal.sentence
    return out
