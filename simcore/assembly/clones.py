"""``VBoxManage clonevm``: a new VM made from a stopped one, added to the running network.

A clone is a node like the document's: the same builders that made the design at t = 0
(``nodes.add_node``, ``links.add_link``, the VirtualBox modes, the guest's install, the VM's
controller) add it while the run goes on. What it gets:

- the source's settings (RAM, vCPUs, NICs and their attachments, disks, DVD) and the contents of
  its disks: every file the source has (its ``/etc/hostname`` too, as on a real clone), from its
  current state or from one of its snapshots (``snapshot``); the clone starts powered off;
- a **full** clone gets its own disk images in ``<machine folder>/<name>/``; a **linked** clone
  (``link``, only from a snapshot, as VirtualBox requires) too, but they are differencing images of
  the snapshot's (here: the same contents, which the persistent filesystem shares anyway);
- its MACs: new ones (VirtualBox's default policy, derived from the clone's id so a replay makes
  the same) or the source's (``keep_macs``, VirtualBox's ``KeepAllMACs``): two NICs with one MAC
  on one switch then steal each other's frames, the switch's entry for that MAC moves between
  their ports, the DHCP server hands both the same address, and a static address is on the wire
  twice;
- its cabling: a NIC drawn to a switch gets a link of its own to that switch (a new port); a NIC
  with a VirtualBox mode is attached by its mode; a NIC drawn to another machine's NIC is left
  unplugged (that NIC is taken).

Refusals, each a sentence that says what and why (nothing is changed): a VM that is not stopped
(ours, VirtualBox-like: usually the VM to be cloned must be stopped); ``Could not find a snapshot
named 'S'``; ``Linked clone can only be created from a snapshot``; a name taken: ``Machine settings
file '<folder>/<name>/<name>.vbox' already exists``; ``--mode all`` (every snapshot copied) is not
modelled.

The trace event ``vm.cloned`` carries what a canvas needs to draw the clone and what a design
needs to keep it: the node's spec and its links' specs (valid design JSON).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from simcore.assembly import links as link_builder
from simcore.assembly import nodes as node_builder
from simcore.assembly import vms
from simcore.assembly.context import BuildContext
from simcore.assembly.vbox.attach import ModeNic, announce_attached, attach_nic
from simcore.design import derive_mac
from simcore.devices import Switch
from simcore.virt.guest import Guest, os_type
from simcore.virt.install import _build_vm, _Problem
from simcore.virt.osimage import image_for
from simcore.virt.power import clone_refusal
from simcore.virt.snapshots import Refused, _memo, _uuid

MODES = ("machine", "all")
PARAMS: dict[str, type] = {"name": str, "mode": str, "snapshot": str, "link": bool, "keep_macs": bool}
MAX_NAME = 64
LINK_NEEDS_SNAPSHOT = "Linked clone can only be created from a snapshot"
SETTINGS_EXIST = "Machine settings file '{path}' already exists"
MODE_ALL_SNAPSHOT = ("--mode all clones {vm}'s current state with every one of its snapshots; the simulator takes no "
                     "--snapshot with it: clone one snapshot with --mode machine --snapshot NAME")


def check_params(params: dict) -> None:
    """ValueError saying which parameter is wrong and why."""
    for key, value in params.items():
        if key not in PARAMS:
            raise ValueError(f"clonevm takes {', '.join(PARAMS)}, not {key!r}")
        if value is not None and type(value) is not PARAMS[key]:
            raise ValueError(f"clonevm: {key} must be {PARAMS[key].__name__}, not {value!r}")
    name = params.get("name")
    if not name or not name.strip():
        raise ValueError("clonevm needs a name for the new VM")
    if len(name) > MAX_NAME or "/" in name or any(ord(c) < 32 for c in name):
        raise ValueError(f"clonevm: the name {name[:80]!r} is not a VM name (at most {MAX_NAME} characters, no '/')")
    if params.get("mode") is not None and params["mode"] not in MODES:
        raise ValueError(f"clonevm: mode is one of {', '.join(MODES)}, not {params['mode']!r}")


class Cloner:
    """Makes clones of the VMs of one network (``machine.cloner``)."""

    def __init__(self, ctx: BuildContext):
        self.ctx = ctx

    # -- asking -------------------------------------------------------------------------------
    def check(self, machine: Any, params: dict) -> str | None:
        try:
            self._plan(machine, params)
        except Refused as refused:
            return refused.sentence
        return None

    def request(self, machine: Any, params: dict, origin: str) -> str | None:
        try:
            self.clone(machine, params, origin)
        except Refused as refused:
            machine.refuse("clonevm", refused.sentence)
            return refused.sentence
        return None

    def _plan(self, machine: Any, params: dict) -> tuple[Any, str, str]:
        """(the snapshot or None, the clone's node id, its settings file) or Refused."""
        vm = machine.name
        refusal = clone_refusal(vm, machine.state)
        if refusal is not None:
            raise Refused(refusal, None)
        if (params.get("mode") or "machine") == "all" and params.get("snapshot"):
            raise Refused(MODE_ALL_SNAPSHOT.format(vm=vm), None)
        snap = machine.snapshots.find(params["snapshot"]) if params.get("snapshot") else None
        if params.get("link") and snap is None:
            raise Refused(LINK_NEEDS_SNAPSHOT, "E_INVALIDARG")
        name = params["name"]
        store = getattr(getattr(machine.host, "guest", None), "store", None)
        folder = store.folder if store is not None else "/home/student/VirtualBox VMs"
        settings = f"{folder}/{name}/{name}.vbox"
        taken = {n.name for n in self.ctx.nodes.values()} | set(self.ctx.nodes) | set(self.ctx.specs)
        if name in taken or (store is not None and (name in store.machines or store.fs.exists(settings))):
            raise Refused(SETTINGS_EXIST.format(path=settings), "VBOX_E_FILE_ERROR")
        return snap, self._new_id(name), settings

    def _new_id(self, name: str) -> str:
        base = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") or "clone"
        node_id, n = base, 2
        while node_id in self.ctx.nodes or node_id in self.ctx.specs:
            node_id, n = f"{base}-{n}", n + 1
        return node_id

    # -- doing --------------------------------------------------------------------------------
    def clone(self, machine: Any, params: dict, origin: str) -> Any:
        """Make the clone now (Refused, nothing changed, if refused); returns its controller."""
        snap, new_id, _ = self._plan(machine, params)
        ctx = self.ctx
        name, keep = params["name"], bool(params.get("keep_macs"))
        src_spec = ctx.specs[machine.id]
        src_guest = machine.node.guest
        # What is cloned: the current state, or the snapshot's.
        src_hw = snap.image.guest["hardware"] if snap is not None else src_guest.hardware
        src_volumes = ([snap.image.volumes.get(s.medium.path) for s in src_hw.disks] if snap is not None
                       else [s.medium.volume for s in src_hw.disks])
        spec = json.loads(json.dumps(src_spec))
        spec["id"], spec["name"] = new_id, name
        spec["power"] = {**spec.get("power", {}), "initial": "off"}
        spec["ram_mb"], spec["vcpus"] = src_hw.ram_mb, src_hw.vcpus
        setting = {n.name: n for n in src_hw.nics}
        for nic in spec.get("nics", []):
            if not keep:
                nic["mac"] = derive_mac(new_id, nic["name"], "vm")
            elif nic["name"] in setting:
                nic["mac"] = setting[nic["name"]].mac
        if spec.get("disks"):
            spec["disks"] = [{k: v for k, v in d.items() if k != "path"} for d in spec["disks"]]
        if src_hw.dvd:
            spec["dvd"] = {"iso": src_hw.dvd}
        else:
            spec.pop("dvd", None)
        if isinstance(spec.get("position"), dict):
            pos = spec["position"]
            spec["position"] = {**pos, "x": pos.get("x", 0) + 140}
        link_specs = self._links(machine.id, new_id, spec)
        macs_before = dict(ctx.names.macs)
        i = len(ctx.specs)
        # The device, its NICs, its links, its modes, its guest, its controller.
        node = node_builder.add_node(ctx, i, spec)
        for k, ls in enumerate(link_specs):
            link_builder.add_link(ctx, len(ctx.links) + k, ls)
        linked = {(e["node"], e["nic"]) for ls in link_specs for e in (ls["a"], ls["b"]) if "nic" in e}
        for j, nic in enumerate(spec.get("nics", [])):
            if nic.get("mode") is not None:
                attach_nic(ctx, ModeNic(i, j, spec, nic), linked)
        announce_attached(ctx, ctx.engine.now)
        for nic in spec.get("nics", []):
            if f"{machine.id}_{nic['name']}" in ctx.captures:
                ctx.capture_nic(new_id, nic["name"])
        host_guest = src_guest.host
        guest = Guest(node, spec, image_for(spec.get("guest_os")), host_guest)
        try:
            _build_vm(guest, spec, host_guest)
        except _Problem as problem:  # a disk image already there: _plan's settings check covers the folder
            raise Refused(problem.message, "VBOX_E_FILE_ERROR") from None
        node.guest = guest
        if host_guest is not None:
            host_guest.vms.append(guest)
        self._copy_disks(guest, src_volumes)
        guest.hardware.dvd = src_hw.dvd
        for nic_setting, src in zip(guest.hardware.nics, src_hw.nics, strict=False):
            nic_setting.cable = src.cable
        if host_guest is not None and host_guest.store is not None:
            host_guest.store.write_settings(guest.hardware, os_type(guest.image))
        clone = vms.attach_machine(ctx, i, spec)
        clone.created_in_run = True
        clone.design = (copy.deepcopy(spec), copy.deepcopy(link_specs))  # what run.keep hands back
        clone.cloner = self
        if params.get("mode") == "all":
            copy_tree(machine, clone)
        if keep:  # sentences keep naming the source by its MAC, which was first
            ctx.names.macs.update({m: n for m, n in macs_before.items() if m in ctx.names.macs})
        ctx.problems.clear()  # what a mode could not attach is said by the mode's own trace
        self._emit(machine, clone, spec, link_specs, params, snap, origin)
        return clone

    def _links(self, src_id: str, new_id: str, spec: dict) -> list[dict]:
        """A link to the same switch for each NIC of the source drawn to a switch."""
        out = []
        for link in self.ctx.links.values():
            for mine, other in ((link.a, link.b), (link.b, link.a)):
                if getattr(mine.node, "id", None) == src_id and isinstance(other.node, Switch):
                    nic = mine.name
                    # a NIC with a VirtualBox mode is attached by its mode (its switch is hidden)
                    if not any(n["name"] == nic and n.get("mode") is None for n in spec.get("nics", [])):
                        continue
                    link_id, n = f"{new_id}-{nic}", 2
                    while link_id in self.ctx.links or any(x["id"] == link_id for x in out):
                        link_id, n = f"{new_id}-{nic}-{n}", n + 1
                    out.append({"id": link_id, "a": {"node": new_id, "nic": nic}, "b": {"node": other.node.id},
                                "delay_us": link.delay_ns / 1000})
        return out

    @staticmethod
    def _copy_disks(guest: Guest, volumes: list) -> None:
        """The clone's disks hold the source's files (copies share the persistent tree)."""
        swap = {}
        for slot, src in zip(guest.hardware.disks, volumes, strict=False):
            if src is None:
                continue
            new = copy.copy(src)
            if slot.medium.volume is not None:
                new.device = slot.medium.volume.device
                swap[id(slot.medium.volume)] = new
            slot.medium.volume = new
        for mount in guest.fs.mounts:
            if id(mount.volume) in swap:
                mount.volume = swap[id(mount.volume)]

    def _emit(self, machine: Any, clone: Any, spec: dict, link_specs: list[dict], params: dict, snap: Any,
              origin: str) -> None:
        tracer = self.ctx.tracer
        if not tracer.on:
            return
        keep = bool(params.get("keep_macs"))
        what = f"snapshot '{snap.name}'" if snap is not None else "its current state"
        kind = "linked" if params.get("link") else "full"
        macs = {n["name"]: n["mac"] for n in spec.get("nics", [])}
        text = (f"{machine.name} is cloned as {clone.name} ({kind} clone of {what}): a new VM, powered off, with "
                f"{machine.name}'s files and settings; "
                + (f"it keeps {machine.name}'s MACs ({', '.join(macs.values())}): on one network the two steal "
                   "each other's frames, and a DHCP server gives both the same address" if keep else
                   "it gets new MACs (" + ", ".join(macs.values()) + ")"))
        if params.get("mode") == "all" and clone.snapshots.roots:
            text += f"; it has {machine.name}'s {len(clone.snapshots.all())} snapshots too"
        statics = [n["ip"] for n in spec.get("nics", []) if n.get("ip") and n["ip"] != "dhcp"]
        if statics:
            text += (f"; it has {machine.name}'s static address{'es' if len(statics) > 1 else ''} "
                     f"{', '.join(statics)} too: started beside {machine.name}, each is on the wire twice")
        tracer.emit("vm.cloned", text, node=machine.id, clone=clone.id, name=clone.name,
                    mode=params.get("mode") or "machine",
                    link=bool(params.get("link")), snapshot=snap.name if snap is not None else None,
                    mac_policy="keep" if keep else "new", macs=macs, host=spec.get("host"),
                    spec=copy.deepcopy(spec), links=copy.deepcopy(link_specs), why=origin)


def copy_tree(source: Any, clone: Any) -> None:
    """``--mode all``: the clone gets the source's snapshot tree, each image re-aimed at the clone
    (its node, guest, controller, clock, NICs and disk images stand where the source's stood), with
    new UUIDs and the clone's name and MACs in each snapshot's settings."""
    memo = _memo(clone)
    src_node, new_node = source.node, clone.node
    pairs = [(src_node, new_node), (src_node.guest, new_node.guest), (source, clone), (source.clock, clone.clock),
             (src_node.console.lines, new_node.console.lines), (src_node.console.facts, new_node.console.facts)]
    pairs += [(nic, new_node.nics[name]) for name, nic in src_node.nics.items() if name in new_node.nics]
    src_disks, new_disks = source.node.guest.hardware.disks, clone.node.guest.hardware.disks
    paths = {}
    for old, new in zip(src_disks, new_disks, strict=False):
        pairs.append((old.medium, new.medium))
        paths[old.medium.path] = new.medium.path
    for old, new in pairs:
        memo[id(old)] = new
    tree = source.snapshots
    macs = {n.name: n.mac for n in clone.node.guest.hardware.nics}
    made: dict[int, Any] = {}

    def twin(snap: Any, parent: Any) -> Any:
        image = copy.deepcopy(snap.image, memo)
        image.volumes = {paths.get(p, p): v for p, v in image.volumes.items()}
        hw = image.guest["hardware"]
        hw.name = clone.name
        for n in hw.nics:
            n.mac = macs.get(n.name, n.mac)
        clone.snapshots._made += 1
        uid = _uuid(clone.uuid, clone.snapshots._made)
        new = type(snap)(uid, snap.name, snap.description, snap.taken_ns, snap.state, image, parent=parent)
        made[id(snap)] = new
        new.children = [twin(c, new) for c in snap.children]
        return new
    clone.snapshots.roots = [twin(r, None) for r in tree.roots]
    clone.snapshots.current = made.get(id(tree.current))


def give_cloner(ctx: BuildContext) -> None:
    """Every VM of the network clones through the network's one Cloner (`clonevm`)."""
    for machine in ctx.machines.values():
        machine.cloner = cloner_of(ctx)


def cloner_of(ctx: BuildContext) -> Cloner:
    """The network's one Cloner."""
    found = ctx.__dict__.get("_cloner")
    if found is None:
        found = ctx.__dict__["_cloner"] = Cloner(ctx)
    return found
