"""Containers on a host: LXD's and Docker's, made during a run from the host's console.

A host's ``containers`` (a :class:`Runtime`, set on every host at build) is what ``lxc`` and
``docker`` on its console drive. What each makes, and so what the run shows:

* **A bridge on the host**, made at the first container: LXD's ``lxdbr0`` (a 10.x.y.0/24 derived
  from the host's id, as LXD picks one at random when initialized; its dnsmasq leases addresses
  from .2 to .254 for an hour) or Docker's ``docker0`` (172.17.0.1/16, no DHCP: Docker assigns
  addresses itself). Each is a switch with the gateway address on the host's own stack and
  masquerade on the host's uplink (the first NIC with a static address): the NAT network of
  ``simcore.devices.natnet``, the same nftables masquerade both tools set up. Docker's ``-p
  HOST:CONTAINER`` is a DNAT rule on it: its hits show in the host's NAT table.
* **A node per container** (kind ``container``), its ``eth0`` on the bridge by a veth link. An LXD
  container boots a whole system: init starts its services and systemd-networkd asks the bridge's
  dnsmasq for an address (DORA on the wire). A Docker container runs one program, addressed by
  Docker at once (172.17.0.2 upward, MAC ``02:42:ac:11:00:02`` from its address).
* **A filesystem per container**: the image's tree (shared, see ``fs.py``) with what the
  container writes on top; copying a container or publishing it as an image copies that tree in
  O(1).

The kernel is the host's: ``uname -r`` in a container prints the host's release, its
``/etc/os-release`` is the image's. An image of another OS family is refused (the same-kernel
rule). Every change is traced (``container.created``, ``container.state``, ``container.deleted``,
``container.image``) with the user's names; the container's node id, host and image are in
``container.created`` so the canvas can draw it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from simcore.apps.console.shell import Console, Job, run_redirected, split_redirect
from simcore.apps.dhcp.glue import DhcpServerGlue, guest_nic_up
from simcore.devices.host import ContainerNode
from simcore.devices.nat import Nat, PortForward
from simcore.devices.nat.command import conntrack_command
from simcore.devices.nat.hooks import NatHooks
from simcore.net import Link
from simcore.virt import images
from simcore.virt.fs import Inode, Volume, directory, text_file
from simcore.virt.guest import DEFAULT_CPUS, DEFAULT_DISK_MB, DEFAULT_RAM_MB, Guest
from simcore.virt.images import Image, digest
from simcore.virt.namespace import Namespace
from simcore.virt.osimage import IMAGES, MIB, OsImage, hostname_of, tmpfs

S = 1_000_000_000
LXD, DOCKER = "lxd", "docker"
NETWORKD_DELAY_NS = S // 2  # from init to systemd-networkd asking for an address
ROOT_CAPACITY = 64 * 1024 * MIB  # what a container's root filesystem holds (one int for all of them)
DOCKER_NET = ipaddress.IPv4Network("172.17.0.0/16")
ADJECTIVES = ("admiring", "bold", "eager", "focused", "gifted", "happy", "jolly", "nifty", "quirky", "vibrant")
SCIENTISTS = ("hopper", "lovelace", "ritchie", "thompson", "torvalds", "knuth", "liskov", "hamilton", "turing",
              "wozniak")
LXD_UIDS = {"root": 0, "syslog": 102, "systemd-network": 998, "systemd-resolve": 991}
PETS = ("adapted", "driven", "famous", "honest", "living", "pleasant", "sincere", "united")
ANIMALS = ("beetle", "cod", "falcon", "gecko", "koala", "lemur", "marmot", "quail")


class _NoSnapshots(Mapping):
    """The snapshots of a container that has none: one shared, empty, read-only table (copies of
    a run share it too); the first ``lxc snapshot`` gives the container its own dict."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __reduce__(self) -> str:
        return "_NO_SNAPSHOTS"  # pickled and copied as the module's one instance


_NO_SNAPSHOTS = _NoSnapshots()


class _MadeSpec(Mapping):
    """The normalized spec (``ctx.specs``) of a container made during the run, read from its
    record when asked: the same keys as a drawn container's, without a dict per container. Its
    fields never change once the container is made."""

    __slots__ = ("container",)

    def __init__(self, container: Container):
        self.container = container

    def _spec(self) -> dict:
        c = self.container
        return {"id": c.node.id, "kind": "container", "name": c.name, "host": c.host.id, "image": c.image.ref,
                "os": c.image.os, "nics": [{"name": "eth0", "mac": c.mac}]}

    def __getitem__(self, key: str) -> Any:
        return self._spec()[key]

    def __iter__(self) -> Any:
        return iter(self._spec())

    def __len__(self) -> int:
        return len(self._spec())

    def __repr__(self) -> str:
        return repr(self._spec())


class Refused(Exception):
    """The tool's own error sentence (printed as the tool prints it); nothing was changed."""


class _Rare:
    """An attribute of a container's record that most containers never change: its default until
    set, then kept in the record's ``_more``, one flat tuple (name, value, name, value...) of
    what was set, in the order it was first set. A record keeps no dict: Python makes an
    object with one a values array at creation, up to 30 words for a class's first objects."""

    __slots__ = ("name", "default")

    def __init__(self, default: Any):
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self.default
        more = obj._more
        for i in range(0, len(more), 2):
            if more[i] == self.name:
                return more[i + 1]
        return self.default

    def __set__(self, obj: Any, value: Any) -> None:
        more = obj._more
        for i in range(0, len(more), 2):
            if more[i] == self.name:
                obj._more = (*more[:i + 1], value, *more[i + 2:])
                return
        obj._more = (*more, self.name, value)


class Container:
    """A container's record. What every container sets is kept in slots; what most never change
    (an exit, snapshots, restart policies, Docker's foreground and logs...) is read as its
    default until it is set, and then kept in the record's ``_more`` (see ``_Rare``)."""

    __slots__ = ("runtime", "name", "cid", "image", "host", "node", "guest", "state", "created_ns", "started_ns",
                 "cmd", "ports", "ip", "mac", "pid", "services", "_more")

    finished_ns: int | None = _Rare(None)
    exit_code: int = _Rare(0)
    restart: str = _Rare("no")
    autostart: bool | None = _Rare(None)  # lxd: boot.autostart (None: unset, LXD then goes by the last state)
    last_state: str = _Rare("STOPPED")  # lxd: the power state recorded when the host shut down
    snapshots: Mapping = _Rare(_NO_SNAPSHOTS)  # lxd: name -> (tree, created_ns); its own dict from the first
    sleeping: int = _Rare(0)  # a token: a ``sleep N`` main process ends at its instant unless stopped
    stopped_by_user: bool = _Rare(False)  # docker stop: what --restart unless-stopped remembers
    ran_at_shutdown: bool = _Rare(False)  # running when its host last shut down
    remove_on_exit: bool = _Rare(False)  # docker run --rm
    attached: Any = _Rare(None)  # docker run in the foreground: the console's job following it
    logs: str = _Rare("")
    drawn: dict | None = _Rare(None)  # a container of the design: its normalized spec

    def __init__(self, runtime: str, name: str, cid: str, image: Image, host: Any, *, node: Any = None,
                 created_ns: int = 0, cmd: tuple[str, ...] = (), ports: tuple[tuple[int, int, str], ...] = (),
                 restart: str = "no", drawn: dict | None = None):
        self._more: tuple = ()  # the rare attributes set (``_Rare``)
        self.runtime = runtime  # "lxd" | "docker"
        self.name = name
        self.cid = cid  # docker: 64 hex; lxd: the name
        self.image = image
        self.host = host  # the host's node
        self.node = node  # its HostNode (kind "container")
        self.guest: ContainerGuest | None = None
        self.state = "created"  # lxd: RUNNING / STOPPED; docker: created / running / exited
        self.created_ns = created_ns
        self.started_ns: int | None = None
        self.cmd = cmd  # docker: the CMD (the image's, or the one given to docker run)
        self.ports = ports  # (host port, container port, proto)
        self.ip: str | None = None  # docker's address
        self.mac = ""
        self.pid = 0  # its PID 1 as the host sees it
        self.services: list | tuple = ()  # the service glues running in it
        if restart != Container.restart:
            self.restart = restart
        if drawn is not None:
            self.drawn = drawn

    @property
    def command(self) -> tuple[str, ...]:
        """What ``docker ps`` shows: the entrypoint and the CMD."""
        return (*self.image.entrypoint, *self.cmd)

    def has_program(self, name: str) -> bool:
        from simcore.apps.console import REGISTRY

        return name.rsplit("/", 1)[-1] in REGISTRY or name in ("bash", "sh", "ash", "/bin/bash", "/bin/sh")

    @property
    def running(self) -> bool:
        return self.state in ("RUNNING", "running")

    @property
    def short_id(self) -> str:
        return self.cid[:12]

    def processes(self) -> list[tuple[int, str, int, str]]:
        """(PID inside the container, user, RSS in KiB, command line), PID 1 first: what the
        image starts (LXD: init and its services; Docker: its one program and its children)."""
        rows = self._processes()
        if not rows:
            return []
        rss = self.image.memory_mb * 1024 // len(rows)
        return [(pid, user, rss, cmd) for pid, user, cmd in rows]

    def _processes(self) -> list[tuple[int, str, str]]:
        if not self.running:
            return []
        if self.runtime == LXD:
            out = []
            for i, (user, cmd) in enumerate(self.image.processes):
                out.append((1 if i == 0 else 40 + 17 * i, user, cmd))
            return out
        main = " ".join(self.cmd)
        if self.image.service and self.image.service.get("server") == "nginx" and self.cmd == self.image.cmd:
            main = "nginx: master process " + " ".join(self.image.cmd)
        rows = [(1, "root", main)]
        for i, worker in enumerate(self.image.workers):
            rows.append((20 + i, "nginx" if worker.startswith("nginx") else
                         "postgres" if worker.startswith("postgres") else "www-data", worker))
        if self.image.repository == "postgres":
            rows[0] = (1, "postgres", main)
        return rows


class _LxdRootVolume(Volume):
    """An LXD container's root volume (a ZFS dataset of LXD's default pool): ``df`` and ``mount``
    name it ``default/containers/<name>``, made when read from the name it keeps (the container's
    own string), not kept as a second string for each container."""

    __slots__ = ("name",)
    PREFIX = "default/containers/"

    @property  # type: ignore[override]
    def device(self) -> str:
        return self.PREFIX + self.name

    @device.setter
    def device(self, value: str) -> None:
        if not value.startswith(self.PREFIX):
            raise ValueError(f"an LXD container's volume is {self.PREFIX}<name>, not {value!r}")
        self.name = value[len(self.PREFIX):]


def _root_volume(c: Container, tree: Any, hostname: str) -> Volume:
    """A container's root filesystem: its image's tree (or ``tree``, a copy's or a snapshot's)
    with its own /etc/hostname and /etc/hosts, written when its files are first read."""
    root = tree if tree is not None else c.image.tree()
    if c.runtime == DOCKER:
        vol = Volume(root, ROOT_CAPACITY, device="overlay", fstype="overlay", base_used=c.image.size_bytes)
    else:
        vol = _LxdRootVolume(root, ROOT_CAPACITY, device=_LxdRootVolume.PREFIX + c.name, fstype="zfs",
                             base_used=c.image.size_bytes)
        vol.name = c.name  # (the container's string, not the slice the setter kept)
    vol.put_made_later(_own_etc_files, hostname)
    return vol


def _own_etc_files(hostname: str) -> tuple[tuple[tuple[str, ...], Inode, str], ...]:
    """What a container writes over its image's /etc, made from its hostname (again each time its
    volume asks: the volume keeps the hostname, not the files)."""
    return ((("etc", "hostname"), text_file(f"{hostname}\n"), "/etc/hostname"),
            (("etc", "hosts"), text_file(f"127.0.0.1 localhost\n127.0.1.1 {hostname}\n"), "/etc/hosts"))


@cache
def _shown_image(base: str, kernel: str, kernel_version: str, uname_tail: str) -> OsImage:
    """What a container of ``base`` reports on a host with this kernel: the image's files and
    release, the host's kernel. Immutable, so every container of one image on one kind of host
    shares it."""
    return replace(IMAGES[base], kernel=kernel, kernel_version=kernel_version, uname_tail=uname_tail)


class ContainerGuest(Guest):
    """A container's software side: the image's tree on top of the host's kernel."""

    # What Guest.__init__ sets to the same value for every container is read from the class: a
    # running container keeps only what is its own (a word for each attribute, times a hundred).
    kind = "container"
    host = None  # no hypervisor host: it runs on its host's kernel (``host_guest``)
    _state = "Running"
    _dvd = None
    _lazy_disk = None
    store = None
    hardware = None
    user = "root"
    cpu_cores = DEFAULT_CPUS.get("container", 1)
    _ram_mb = DEFAULT_RAM_MB.get("container", 1024)
    root_disk_mb = DEFAULT_DISK_MB.get("container", 65536)

    def __init__(self, node: Any, container: Container, host_guest: Guest, volume: Volume):
        # (not Guest.__init__: what it would set besides these is the class's, above)
        kernel = host_guest.image
        self.node = node
        self.image = _shown_image(container.image.base, kernel.kernel, kernel.kernel_version, kernel.uname_tail)
        self.hostname = hostname_of(container.name)
        self.container = container
        home = "/root"
        cwd = "/" if container.runtime == DOCKER else home
        # The host's kernel keeps the time: a container's file times come from its host's clock
        # (the same callable, not one more per container).
        self._fs = Namespace(user="root", home=home, cwd=cwd, clock=host_guest.fs.clock)
        self._fs.mount("/", volume)
        self.root_volume = volume

    @property
    def host_guest(self) -> Guest:
        """The guest of the host it runs on (its kernel, memory and CPUs)."""
        return self.container.host.guest

    def memory(self) -> dict[str, int]:
        """A container sees its host's memory (no lxcfs here): ``free`` shows the host's."""
        return self.host_guest.memory()

    @property
    def vcpus(self) -> int:
        return self.host_guest.vcpus

    def processes(self) -> list[tuple[int, str, int, str]]:
        return self.container.processes()

    def lose_ram(self) -> None:
        self.fs.mounts[:] = self.fs.mounts[:1]
        self.fs.cwd, self.fs.user = ("/" if self.container.runtime == DOCKER else "/root"), "root"


class Docroot:
    """A containerized web server's page is a file of the container (``index``): what ``docker cp``
    or ``docker exec`` writes there is what the server sends next (its Last-Modified too)."""

    def __init__(self, service: Any, guest: ContainerGuest, index: str):
        self.inner = service
        self.guest = guest
        self.index = index
        self.port, self.server, self.epoch_s, self.paths = service.port, service.server, service.epoch_s, service.paths

    def site(self) -> Any:
        from simcore.apps.http.programs import Site

        try:
            node = self.guest.fs.stat(self.index)
            return Site(node.text.encode("utf-8"), node.mtime, self.epoch_s, self.paths)
        except OSError:
            return Site(b"", self.epoch_s, self.epoch_s, ())


class ExecConsole(Console):
    """A command run inside a container from the host's console (``lxc exec``, ``docker exec``,
    ``lxc shell``): it acts on the container's node and filesystem, and prints on the host's
    console, where the user typed it."""

    __slots__ = ("outer",)

    def __init__(self, node: Any, outer: Console):
        super().__init__(node)
        self.outer = outer
        self.current_line = outer.current_line

    def print(self, text: str = "") -> None:
        if self.capture is not None:
            self.capture.append(text + "\n")
            return
        self.outer.print(text)

    def fact(self, fact: dict) -> None:
        self.outer.fact(fact)

    def job_done(self, job: Job, status: int) -> None:
        self.outer.job_done(job, status)

    def run_argv(self, argv: list[str]) -> Job | int:
        """``sh -c LINE`` / ``bash -c LINE`` run the line (one redirection, as the console); any
        other argv runs as the command it names."""
        if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash") and argv[1] == "-c":
            return self.run_line(argv[2])
        result = self.dispatch(argv)
        return result

    def run_line(self, line: str) -> Job | int:
        import shlex

        try:
            words, redirect = split_redirect(line)
            argv = shlex.split(words)
        except ValueError:
            self.print("sh: syntax error: unterminated quoted string")
            return 2
        if redirect is not None:
            return run_redirected(self, argv, *redirect)
        if not argv:
            return 0
        return self.dispatch(argv)


class Shell:
    """A shell inside a container on the host's console (``lxc shell``, ``docker exec -it``,
    ``docker run -it``): every line typed goes to the container until ``exit``."""

    def __init__(self, runtime: Runtime, container: Container, outer: Console, *, stops_container: bool):
        self.runtime = runtime
        self.container = container
        self.outer = outer
        self.stops_container = stops_container  # docker run -it: the shell is PID 1

    def run_line(self, line: str) -> int | Job:
        words = line.strip().split()
        if words[:1] in (["exit"], ["logout"]):
            self.outer.inside = None
            if self.container.runtime == LXD:
                self.outer.print("logout")
            else:
                self.outer.print("exit")
            if self.stops_container and self.container.running:
                self.runtime.stop(self.container, "its shell exited", exit_code=0)
            return 0
        if not self.container.running:
            self.outer.inside = None
            return 0
        inner = ExecConsole(self.container.node, self.outer)
        inner.current_line = line
        return inner.run_line(line)


class Bridge:
    """``lxdbr0`` or ``docker0`` on a host: a switch, the gateway address on the host's own stack
    (so the host routes for its containers), an optional DHCP server (LXD's dnsmasq), and
    masquerade on the host's uplink. One host has one connection table (one network namespace):
    both bridges share one ``Nat`` whose inside networks are both subnets, as the one nftables
    ruleset and conntrack table of a host running LXD and Docker do."""

    def __init__(self, runtime: Runtime, name: str, cidr: str, mac: str, dhcp: dict | None):
        ctx, host = runtime.ctx, runtime.host
        self.name = name
        self.cidr = cidr
        self.gateway = cidr.split("/")[0]
        self.host = host
        self.switch = ctx.new_switch(f"{host.id}-{name}", f"{host.name}'s {name}", kind="vswitch")
        self.id = self.switch.id
        nic = host.add_nic(name, mac, cidr)
        ctx.names.add_mac(mac, host.id)
        ctx.names.add_ip(self.gateway, host.id)
        self.link = ctx.add_link(Link(host.engine, f"{self.switch.id}-bridge", nic, self.switch.add_port(), 0))
        host.stack.ip_forward = True
        self.dhcp = None
        if dhcp is not None:
            self.dhcp = DhcpServerGlue(host, name, range_start=dhcp["range_start"], range_end=dhcp["range_end"],
                                       lease_s=dhcp["lease_s"], router=dhcp["router"], dns=tuple(dhcp["dns"]),
                                       probe=dhcp["probe"], names=ctx.names)
        self.uplink = next((n for n in host.nics if n != name and host.stack.primary_ip(n)), None)
        self.nat: Nat | None = None
        subnet = ipaddress.IPv4Interface(cidr).network
        if self.uplink is not None:
            shared = runtime.nat
            if shared is not None:
                shared.inside_networks = (*shared.inside_networks, subnet)
                shared._inside.clear()
                self.nat = shared
            else:
                self.nat = runtime.nat = Nat(host.stack.primary_ip(self.uplink), [str(subnet)], host.engine.rng)
                NatHooks(self.nat, host.stack, self.uplink).install()
                host.__dict__.setdefault("nats", []).append(self.nat)
                if "conntrack" not in host.__dict__:
                    host.conntrack = self.conntrack
        ctx.nat_networks[self.id] = self

    def conntrack(self, argv: list[str], now: int) -> tuple[int, str, str]:
        result = conntrack_command(self.nat, argv, now)
        return result.exit_code, result.stdout, result.stderr

    def table(self) -> dict:
        now = self.host.engine.now
        return {"host": self.host.id, "uplink": self.uplink, "inside": self.name,
                "conntrack": self.nat.table_rows(now) if self.nat else [],
                "port_forwards": self.nat.forwards.rows() if self.nat else [],
                "leases": self.dhcp.leases() if self.dhcp is not None else []}


class Runtime:
    """A host's LXD and Docker: their containers, local images and bridges (``host.containers``)."""

    def __init__(self, ctx: Any, host: Any, host_os: str = "linux"):
        self.ctx = ctx
        self.host = host
        self.host_os = host_os
        self.lxd: dict[str, Container] = {}  # name -> container, in creation order
        self.docker: dict[str, Container] = {}  # id -> container, in creation order
        self.images: dict[str, list[Image]] = {LXD: [], DOCKER: []}  # the local stores
        self.bridges: dict[str, Bridge] = {}
        self.next_ip = 2
        self.next_pid = 2400
        self.serial = 0
        self.nat: Nat | None = None  # the host's one masquerade table, shared by its bridges

    # -- reading ------------------------------------------------------------------------------
    @property
    def engine(self) -> Any:
        return self.host.engine

    @property
    def tracer(self) -> Any:
        return self.host.tracer

    def all(self) -> list[Container]:
        return [*self.lxd.values(), *self.docker.values()]

    def find_docker(self, ref: str) -> Container | None:
        """By name, full id or a unique id prefix, as the docker CLI does."""
        for c in self.docker.values():
            if c.name == ref or c.cid == ref:
                return c
        hits = [c for c in self.docker.values() if len(ref) >= 1 and c.cid.startswith(ref)]
        return hits[0] if len(hits) == 1 else None

    def local_image(self, runtime: str, ref: str) -> Image | None:
        for image in self.images[runtime]:
            if ref in (image.ref, image.alias, image.short_id, image.id) or (
                    runtime == DOCKER and ref == image.repository and image.tag == "latest"):
                return image
            if runtime == LXD and len(ref) >= 6 and image.id.startswith(ref):
                return image
        return None

    def rows(self) -> list[dict]:
        """The live table's rows: one per container."""
        return [{"node": c.node.id, "name": c.name, "runtime": c.runtime, "image": c.image.ref, "state": c.state,
                 "ip": self.address(c), "memory_mb": c.image.memory_mb if c.running else 0,
                 "ports": [f"{h}->{p}/{proto}" for h, p, proto in c.ports]} for c in self.all()]

    def memory_mb(self) -> int:
        """What the host's running containers use (their processes' memory; nothing set aside)."""
        return sum(c.image.memory_mb for c in self.all() if c.running)

    def host_processes(self) -> list[tuple[int, str, int, str]]:
        """What the host's ``ps`` shows of its container runtimes: the daemons, and every running
        container's processes under host PIDs (they are the host's processes)."""
        rows: list[tuple[int, str, int, str]] = []
        if LXD in self.bridges:
            rows.append((1210, "root", 65536, "lxd --logfile /var/snap/lxd/common/lxd/logs/lxd.log --group lxd"))
            rows.append((1290, "lxd", 2048, "dnsmasq --keep-in-foreground --strict-order --bind-interfaces "
                                           "--except-interface=lo --interface=lxdbr0"))
        if DOCKER in self.bridges:
            rows.append((1100, "root", 49152, "/usr/bin/containerd"))
            rows.append((1150, "root", 81920, "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock"))
        for c in self.all():
            if not c.running:
                continue
            if c.runtime == LXD:
                rows.append((c.pid - 1, "root", 4096, f"[lxc monitor] /var/snap/lxd/common/lxd/containers {c.name}"))
            else:
                rows.append((c.pid - 1, "root", 12288, f"/usr/bin/containerd-shim-runc-v2 -namespace moby -id {c.cid} "
                                                       "-address /run/containerd/containerd.sock"))
                for j, (h, p, proto) in enumerate(c.ports):
                    rows.append((c.pid - 50 + j, "root", 3072, f"/usr/bin/docker-proxy -proto {proto} -host-ip 0.0.0.0 "
                                                               f"-host-port {h} -container-ip {c.ip} -container-port {p}"))
            for pid, user, rss, cmd in c.processes():
                if c.runtime == LXD:  # an unprivileged container: its root is uid 1000000 on the host
                    user = str(1_000_000 + LXD_UIDS.get(user, 100))
                rows.append((c.pid + pid - 1, user, rss, cmd))
        return rows

    def address(self, c: Container) -> str | None:
        if not c.running:
            return None
        nic = "eth0" if "eth0" in c.node.nics else next(iter(c.node.nics), None)
        return c.node.stack.primary_ip(nic) if nic is not None else None

    # -- the public registries (the console cannot import simcore.virt: it asks here) --------
    @staticmethod
    def public_lxd(ref: str) -> Image | None:
        return images.lxd_remote(ref)

    @staticmethod
    def public_docker(ref: str) -> Image | None:
        return images.docker_hub(ref)

    @staticmethod
    def docker_search(term: str) -> list[Image]:
        return images.docker_search(term)

    @staticmethod
    def lxd_remote_images(remote: str) -> list[Image]:
        return images.lxd_images(remote)

    remotes = images.LXD_REMOTES

    def exec_console(self, c: Container, outer: Console) -> ExecConsole:
        return ExecConsole(c.node, outer)

    def open_shell(self, c: Container, outer: Console, *, stops_container: bool = False) -> None:
        outer.inside = Shell(self, c, outer, stops_container=stops_container)

    # -- bridges ------------------------------------------------------------------------------
    def bridge(self, runtime: str) -> Bridge:
        b = self.bridges.get(runtime)
        if b is not None:
            return b
        h = digest("bridge", self.host.id)
        if runtime == LXD:
            net = f"10.{int(h[0:2], 16) % 250 + 1}.{int(h[2:4], 16)}"
            mac = "00:16:3e:" + ":".join(h[i:i + 2] for i in range(4, 10, 2))
            dhcp = {"range_start": f"{net}.2", "range_end": f"{net}.254", "lease_s": 3600, "router": f"{net}.1",
                    "dns": [f"{net}.1"], "probe": False}
            b = Bridge(self, "lxdbr0", f"{net}.1/24", mac, dhcp)
        else:
            mac = "02:42:" + ":".join(h[i:i + 2] for i in range(10, 18, 2))
            b = Bridge(self, "docker0", "172.17.0.1/16", mac, None)
        self.bridges[runtime] = b
        self.emit("container.network", f"{self.host.name} sets up the bridge {b.name} ({b.cidr}): "
                     + ("LXD's dnsmasq leases addresses on it, " if runtime == LXD else "Docker assigns addresses on it, ")
                     + ("and what leaves through it is masqueraded behind " + self.host.name if b.nat else
                        "with no uplink address to masquerade to"),
                     host=self.host.id, runtime=runtime, bridge=b.name, cidr=b.cidr, switch=b.switch.id)
        return b

    # -- making containers --------------------------------------------------------------------
    def same_kernel(self, image: Image) -> str | None:
        """Why ``image`` cannot run here (the same-kernel rule), or None."""
        if image.os != self.host_os:
            return (f"{image.ref} is a {image.os.capitalize()} image and {self.host.name} runs a "
                    f"{self.host_os.capitalize()} kernel: a container's processes run on its host's kernel")
        return None

    def create(self, runtime: str, name: str, image: Image, *, origin: str, cmd: tuple[str, ...] | None = None,
               ports: list | None = None, restart: str = "no", tree=None) -> Container:
        self.serial += 1
        cid = name if runtime == LXD else digest("container", self.host.id, name, str(self.serial))
        c = Container(runtime, name, cid, image, self.host, created_ns=self.engine.now,
                      cmd=image.cmd if cmd is None else cmd, ports=tuple(ports or ()), restart=restart)
        c.state = "STOPPED" if runtime == LXD else "created"
        bridge = self.bridge(runtime)
        node_id = f"{self.host.id}-{name}"
        n = 2
        while node_id in self.ctx.nodes:
            node_id, n = f"{self.host.id}-{name}-{n}", n + 1
        node = self.ctx.new_host(node_id, name, kind="container", cls=ContainerNode)
        node.container = c
        if runtime == LXD:
            h = digest("mac", node_id)
            c.mac = "00:16:3e:" + ":".join(h[i:i + 2] for i in range(0, 6, 2))
        else:
            ip = DOCKER_NET.network_address + self.next_ip
            self.next_ip += 1
            c.ip = str(ip)
            c.mac = "02:42:" + ":".join(f"{b:02x}" for b in ip.packed)
        self.ctx.add_nic(node, "eth0", c.mac, None)
        if c.ip:
            self.ctx.names.add_ip(c.ip, node_id)
        self.ctx.connect(f"{node_id}-veth", node.nics["eth0"], bridge.switch.add_port())
        self.ctx.specs[node_id] = _MadeSpec(c)
        c.node = node
        hostname = name if runtime == LXD else c.short_id
        c.guest = ContainerGuest(node, c, self.host.guest, _root_volume(c, tree, hostname))
        c.guest.hostname = hostname
        node.guest = c.guest
        self._unplug(c)
        (self.lxd if runtime == LXD else self.docker)[name if runtime == LXD else cid] = c
        what = "an LXD system container" if runtime == LXD else "a Docker container"
        self.emit("container.created", f"{origin}: {self.host.name} creates {name}, {what} from {image.ref} "
                     f"({image.distribution}), on {bridge.name}; it shares {self.host.name}'s kernel",
                     node=node_id, container=name, host=self.host.id, runtime=runtime, image=image.ref,
                     os=image.os, mac=c.mac, bridge=bridge.switch.id, link=f"{node_id}-veth",
                     position_of=self.host.id)
        return c

    # -- power --------------------------------------------------------------------------------
    def start(self, c: Container, why: str, *, at_build: bool = False) -> None:
        """Start ``c``: a fresh network namespace (the stack), its NICs up, its network set up (LXD:
        DHCP from lxdbr0's dnsmasq; Docker: its address; a drawn one: the design's addresses and
        routes), its image's service. ``at_build``: a drawn container running from t = 0, whose
        node the build has set up already."""
        node = c.node
        if not at_build:
            node.fresh_stack()
            node.console.restart()
            c.guest.lose_ram()
        if c.runtime == DOCKER:
            c.guest.fs.mount("/dev/shm", tmpfs(64 * MIB))
        for nic in node.nics.values():
            if nic.carrier:
                continue
            nic.carrier = True
            peer = nic.peer
            if peer is not None and hasattr(peer.node, "carrier_changed"):
                peer.node.carrier_changed(peer, True, f"{c.name} started")
        c.state = "RUNNING" if c.runtime == LXD else "running"
        c.started_ns = self.engine.now
        c.pid = self.next_pid
        self.next_pid += 100
        c.services = ()
        if c.drawn is not None:
            if not at_build:
                self._drawn_network(c)
        elif c.runtime == LXD:
            self.engine.schedule(NETWORKD_DELAY_NS, self._networkd, c, c.started_ns)
        else:
            node.stack.set_address("eth0", f"{c.ip}/16")
            node.stack.add_route("default", "172.17.0.1", None)
        if c.runtime == DOCKER:
            if c.image.service and c.cmd == c.image.cmd and not (c.drawn or {}).get("services"):
                from simcore.devices.services import start_services

                spec = {k: v for k, v in c.image.service.items() if k != "index"}
                c.services = start_services(node, [spec], [], self.ctx.names)
                index = c.image.service.get("index")
                for glue in c.services:
                    if index and hasattr(glue, "service"):
                        glue.service = Docroot(glue.service, c.guest, index)
                self.ctx.services[node.id] = c.services
            self._main_process(c)
        self.emit("container.state", self._started_words(c, why), node=node.id, container=c.name,
                  runtime=c.runtime, state=c.state, why=why, memory_mb=c.image.memory_mb,
                  start_s=c.image.start_s)

    def _drawn_network(self, c: Container) -> None:
        """A drawn container started again: the design's static addresses, routes and services."""
        from simcore.devices.services import start_services

        spec, stack, console = c.drawn, c.node.stack, c.node.console
        for nic in spec.get("nics", []):
            ip = nic.get("ip")
            if ip and ip != "dhcp":
                try:
                    stack.set_address(nic["name"], ip)
                except ValueError as exc:
                    console.print(f"{c.name}: {exc}")
        for route in spec.get("routes", []):
            try:
                stack.add_route(route["to"], route.get("via"), route.get("dev"))
            except ValueError as exc:
                console.print(f"{c.name}: {exc}")
        if spec.get("services"):
            self.ctx.services[c.node.id] = start_services(c.node, spec["services"], [], self.ctx.names)

    def _started_words(self, c: Container, why: str) -> str:
        if c.runtime == LXD:
            return (f"{c.name} starts ({why}): init (PID 1) starts {len(c.image.processes) - 1} services on "
                    f"{self.host.name}'s kernel, in about {c.image.start_s:g} s and {c.image.memory_mb} MiB (a VM of "
                    f"the same system boots a kernel of its own, about 3.5 s, and holds all the RAM it is given, "
                    f"1024 MiB by default, while it runs)")
        return (f"{c.name} starts ({why}): one process, {' '.join(c.cmd)}, at {c.ip} on docker0, "
                f"in about {c.image.start_s:g} s and {c.image.memory_mb} MiB (no kernel to boot, no RAM set aside)")

    def _networkd(self, c: Container, started: int) -> None:
        if c.running and c.started_ns == started:
            guest_nic_up(c.node, "eth0", self.ctx.names)

    def _main_process(self, c: Container) -> None:
        """``sleep N`` as the main process: the container exits when it ends."""
        cmd = c.cmd
        if len(cmd) == 2 and cmd[0] in ("sleep", "/bin/sleep") and cmd[1].isdigit():
            c.sleeping += 1
            self.engine.schedule(int(cmd[1]) * S, self._slept, c, c.sleeping)

    def _slept(self, c: Container, token: int) -> None:
        if c.running and c.sleeping == token:
            self.stop(c, "its main process ended", exit_code=0)

    def stop(self, c: Container, why: str, *, exit_code: int = 0) -> None:
        if c.runtime == DOCKER:
            self.unpublish_ports(c)
        c.state = "STOPPED" if c.runtime == LXD else "exited"
        c.exit_code = exit_code
        c.finished_ns = self.engine.now
        c.sleeping += 1
        self.ctx.services.pop(c.node.id, None)
        c.services = ()
        c.node.fresh_stack()
        c.node.console.restart()
        self._unplug(c, why)
        if self.host.console.inside is not None and getattr(self.host.console.inside, "container", None) is c:
            self.host.console.inside = None
        self.emit("container.state", f"{c.name} stops ({why}): its processes end, its files stay",
                     node=c.node.id, container=c.name, runtime=c.runtime, state=c.state, why=why,
                     memory_mb=0, start_s=0)
        job, c.attached = c.attached, None
        if job is not None:
            job.ended()
        if c.remove_on_exit:
            self.delete(c, "docker run --rm")

    def _unplug(self, c: Container, why: str | None = None) -> None:
        for nic in c.node.nics.values():
            nic.carrier = False
            nic.handler = None  # no network namespace: nothing takes a frame
            peer = nic.peer
            if peer is not None and hasattr(peer.node, "carrier_changed"):
                peer.node.carrier_changed(peer, False, f"{c.name} is stopped", announce=why is not None)

    def delete(self, c: Container, origin: str) -> None:
        if c.running:
            self.stop(c, "deleted")
        if c.runtime == LXD:
            del self.lxd[c.name]
        else:
            del self.docker[c.cid]
        self.emit("container.deleted", f"{origin}: {c.name} is deleted with its files", node=c.node.id,
                     container=c.name, runtime=c.runtime, host=self.host.id)

    def publish_ports(self, c: Container) -> None:
        if not c.ports:
            return
        bridge = self.bridges[DOCKER]
        for h, p, proto in c.ports:
            if bridge.nat is not None:
                bridge.nat.add_forward(PortForward(f"{c.short_id}-{proto}-{h}", proto, "", h, c.ip, p))

    def unpublish_ports(self, c: Container) -> None:
        """The container stopped: its DNAT rules go (docker-proxy and the iptables rules with it)."""
        bridge = self.bridges.get(DOCKER)
        nat = bridge.nat if bridge is not None else None
        if nat is None:
            return
        names = {r.name for r in nat.forwards.rules()}
        for h, _p, proto in c.ports:
            if f"{c.short_id}-{proto}-{h}" in names:
                nat.remove_forward(f"{c.short_id}-{proto}-{h}")

    def port_taken(self, port: int, proto: str) -> bool:
        return any(h == port and pr == proto for c in self.docker.values() if c.running for h, _p, pr in c.ports)

    # -- images -------------------------------------------------------------------------------
    def add_image(self, runtime: str, image: Image, origin: str, how: str) -> Image:
        store = self.images[runtime]
        store[:] = [i for i in store if i.ref != image.ref]
        store.append(image)
        self.emit("container.image", f"{origin}: {self.host.name}'s local {runtime.upper() if runtime == LXD else 'Docker'} "
                     f"image store gets {image.ref} ({how})", host=self.host.id, runtime=runtime, image=image.ref,
                     id=image.id, how=how)
        return image

    def image_from(self, c: Container, ref: str, *, tree=None, **changes) -> Image:
        """An image holding ``c``'s files (or ``tree``: a snapshot's) now."""
        root = tree if tree is not None else c.guest.root_volume.root
        fields = dict(ref=ref, root=root, created_ns=self.engine.now, created_days=0, stars=0, official=False,
                      remote="", alias="", aliases=())
        fields.update(changes)
        return replace(c.image, **fields)

    def retag(self, image: Image, repository: str, tag: str) -> Image:
        return replace(image, ref=f"{repository}:{tag}", repository=repository, tag=tag)

    def commit_docker(self, c: Container, ref: str | None, origin: str) -> Image:
        """``docker commit``: a new image holding the container's files now (its CMD kept)."""
        repo, tag = (ref.rsplit(":", 1) if ref else ("", ""))
        self.serial += 1
        image = self.image_from(c, ref or f"<none>@{self.serial}", repository=repo, tag=tag,
                                description=f"committed from {c.name}")
        return self.add_image(DOCKER, image, origin, f"committed from {c.name}'s files")

    def image_age(self, image: Image) -> str:
        from simcore.apps.console.docker import human_duration

        born = image.created_ns if image.created_ns is not None else -image.created_days * 86400 * S
        return human_duration(self.engine.now - born) + " ago"

    def startup_lines(self, c: Container) -> list[str]:
        """What the image's entrypoint prints as it starts (``docker logs``, ``docker run`` attached)."""
        server = (c.image.service or {}).get("server")
        if server == "nginx":
            return ["/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                    "/docker-entrypoint.sh: Configuration complete; ready for start up",
                    "2026/01/01 00:00:00 [notice] 1#1: start worker processes"]
        if server == "apache":
            return ["AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using "
                    f"{c.ip}. Set the 'ServerName' directive globally to suppress this message",
                    "[mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal "
                    "operations"]
        if c.image.repository == "postgres":
            return ["PostgreSQL init process complete; ready for start up.",
                    "LOG:  database system is ready to accept connections"]
        return []

    def restart_at_boot(self, c: Container, why: str) -> None:
        """Its host booted and LXD or Docker starts it (``hostpower.restart_reason``)."""
        self.start(c, why)
        if c.runtime == DOCKER:
            if any(self.port_taken(h, proto) for h, _p, proto in c.ports if
                   any(o is not c and o.running and (h, proto) in [(x, y) for x, _q, y in o.ports]
                       for o in self.docker.values())):
                return
            self.publish_ports(c)

    def adopt(self, node: Any, spec: dict) -> Container | None:
        """A container drawn in the design, running from t = 0 with its drawn NICs: it gets its
        image's files, processes and (Docker) service, and ``lxc``/``docker`` on its host list and
        control it. An image the catalogue does not know, or of another OS family than the host's
        kernel (a design check says so), leaves it a plain machine."""
        ref = spec["image"]
        image = images.lxd_remote(ref) if ":" in ref and ref.split(":", 1)[0] in images.LXD_REMOTES else None
        runtime = LXD if image is not None else DOCKER
        image = image or images.docker_hub(ref)
        if image is None or image.base is None or image.os != self.host_os:
            return None
        name = spec.get("name") or spec["id"]
        self.serial += 1
        cid = name if runtime == LXD else digest("container", self.host.id, name, str(self.serial))
        c = Container(runtime, name, cid, image, self.host, node=node, cmd=image.cmd, drawn=spec)
        hostname = name if runtime == LXD else c.short_id
        c.guest = ContainerGuest(node, c, self.host.guest, _root_volume(c, None, hostname))
        c.guest.hostname = hostname
        node.guest = c.guest
        node.container = c
        ip = next((n["ip"].split("/")[0] for n in spec.get("nics", []) if n.get("ip") and n["ip"] != "dhcp"), None)
        c.ip = ip
        c.mac = next((n["mac"] for n in spec.get("nics", [])), "")
        (self.lxd if runtime == LXD else self.docker)[name if runtime == LXD else cid] = c
        self.start(c, "drawn in the design", at_build=True)
        return c

    def design_node(self, c: Container) -> dict:
        """``c`` as a node of the design document (kind ``container``), drawn below its host."""
        host_spec = self.ctx.specs.get(self.host.id, {})
        pos = host_spec.get("position") or {"x": 0, "y": 0}
        index = self.all().index(c) if c in self.all() else 0
        node = {"id": c.node.id, "kind": "container", "name": c.name, "host": self.host.id, "image": c.image.ref,
                "os": c.image.os, "nics": [{"name": "eth0", "mac": c.mac}],
                "position": {"x": pos["x"] - 120 + 80 * (index % 4), "y": pos["y"] + 110 + 70 * (index // 4)},
                "notes": f"made during the run with {'lxc launch' if c.runtime == LXD else 'docker run'}"}
        if c.runtime == DOCKER and c.ip:
            node["nics"][0]["ip"] = f"{c.ip}/16"
        return node

    def pet_name(self) -> str:
        return lxd_petname(self)

    def docker_name(self) -> str:
        return docker_name(self)

    def copy_container(self, c: Container, name: str, tree, origin: str) -> Container:
        """``lxc copy``: a new stopped container holding ``c``'s files (or a snapshot's), its own
        MAC and name; the copy shares the tree until either side writes (O(1))."""
        twin = self.create(LXD, name, c.image, origin=origin, tree=tree if tree is not None else c.guest.root_volume.root)
        twin.guest.root_volume.put(("etc", "hostname"), text_file(f"{name}\n"), "/etc/hostname")
        return twin

    def snapshot(self, c: Container, snap: str, origin: str) -> None:
        if c.snapshots is _NO_SNAPSHOTS:
            c.snapshots = {}
        c.snapshots[snap] = (c.guest.root_volume.root, self.engine.now)
        self.emit("container.state", f"{origin}: {c.name}'s files are kept as the snapshot {snap}",
                     node=c.node.id, container=c.name, runtime=c.runtime, state=c.state, why=f"snapshot {snap}",
                     memory_mb=c.image.memory_mb if c.running else 0, start_s=0)

    def restore(self, c: Container, snap: str, origin: str) -> None:
        vol = c.guest.root_volume
        vol.root = c.snapshots[snap][0]
        from simcore.virt.fs import count

        vol.inodes, vol._blocks, vol.stored = count(vol.root)
        self.emit("container.state", f"{origin}: {c.name}'s files are back as they were in {snap}",
                     node=c.node.id, container=c.name, runtime=c.runtime, state=c.state, why=f"restore {snap}",
                     memory_mb=c.image.memory_mb if c.running else 0, start_s=0)

    def publish_lxd(self, c: Container, aliases: list[str], tree, origin: str) -> Image:
        ref = aliases[0] if aliases else ""
        image = self.image_from(c, ref or f"{c.name}-published-{self.serial}", tree=tree, alias=ref,
                                aliases=tuple(aliases[1:]), description=f"{c.image.description.split(' (')[0]} "
                                f"(published from {c.name})")
        self.serial += 1
        return self.add_image(LXD, image, origin, f"published from {c.name}'s files"
                              + (f" (alias {ref})" if ref else ""))

    def copy_file(self, src_fs, src: str, dst_fs, dst: str, node, *, mkdirs: bool = False, owner: str = "root") -> None:
        """A file or a whole directory from one machine's filesystem to another's (``lxc file``,
        ``docker cp``): the inode is shared (trees are immutable), its owner the receiver's."""
        from dataclasses import replace as _replace

        abs_dst = dst_fs.abspath(dst)
        if mkdirs:
            parent = abs_dst.rsplit("/", 1)[0] or "/"
            if not dst_fs.exists(parent):
                dst_fs.mkdir(parent, parents=True)
        user, dst_fs.user = dst_fs.user, "root"
        try:
            dst_fs.install(abs_dst, _replace(node, owner=owner, group=owner) if not node.is_dir else node)
        finally:
            dst_fs.user = user

    # -- narration ----------------------------------------------------------------------------
    def emit(self, kind: str, text: str, **fields: Any) -> None:
        tr = self.tracer
        if tr.on:
            tr.emit(kind, text, **fields)


def lxd_petname(runtime: Runtime) -> str:
    h = digest("pet", runtime.host.id, str(runtime.serial))
    return f"{PETS[int(h[:4], 16) % len(PETS)]}-{ANIMALS[int(h[4:8], 16) % len(ANIMALS)]}"


def docker_name(runtime: Runtime) -> str:
    h = digest("name", runtime.host.id, str(runtime.serial))
    return f"{ADJECTIVES[int(h[:4], 16) % len(ADJECTIVES)]}_{SCIENTISTS[int(h[4:8], 16) % len(SCIENTISTS)]}"


def attach_runtimes(ctx: Any, specs: list[dict]) -> None:
    """Every host gets its (empty) LXD and Docker, ``host.containers``, and its power switch,
    ``host.host_power`` (``simcore.virt.hostpower``)."""
    from simcore.virt.hostpower import HostPower

    for spec in specs:
        if spec["kind"] == "host":
            host = ctx.host(spec["id"])
            if host is not None:
                host.containers = Runtime(ctx, host, spec.get("os", "linux"))
                host.host_power = HostPower(host)
    for spec in specs:
        if spec["kind"] == "container" and spec.get("image"):
            host = ctx.host(spec.get("host"))
            node = ctx.host(spec["id"])
            if host is not None and node is not None and getattr(host, "containers", None) is not None:
                host.containers.adopt(node, spec)


__all__ = ["Container", "Runtime", "Refused", "attach_runtimes", "directory"]
