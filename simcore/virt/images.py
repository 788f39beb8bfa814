"""Container images: the public registries' catalogue and each host's local image store.

The catalogue is one data file, ``simcore/design/images.json``, read here by the engine (``lxc
image list images:``, ``docker search``, ``lxc launch``, ``docker run``) and served to the editor's
image picker. Two runtimes, two kinds of image:

* **LXD** images (``runtime: lxd``) are whole systems: their ``processes`` are what ``ps`` shows
  once init has started them (systemd, networkd, cron, sshd...). Referenced as ``REMOTE:ALIAS``
  (``images:ubuntu/24.04``, ``ubuntu:24.04``), as ``lxc launch`` takes them.
* **Docker** images (``runtime: docker``) hold one program: ``entrypoint`` + ``cmd`` is PID 1, its
  ``workers`` its children, ``service`` what it serves (nginx on port 80). Referenced as
  ``REPOSITORY:TAG`` (``nginx:1.27``); a missing tag is ``latest``, which only the catalogue's
  newest tag of each repository answers to.

Every image names its OS family (``os``: linux or windows: the same-kernel rule) and, for Linux,
the OS image its files start from (``base``: an ``osimage`` key); its own ``files`` are put on top.
An image made from a container (``lxc publish``, ``docker commit``) holds that container's tree
(``root``): every container made from it starts with the files the user wrote.

Ids are derived from the reference (sha256: stable, never random), as a registry's digest would be.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache, cached_property

from simcore.design import imagecat
from simcore.virt.fs import Inode, Volume, text_file
from simcore.virt.osimage import IMAGE_TIME, IMAGES, MIB, _base_tree

LXD_REMOTES = ("images", "ubuntu")  # lxc remote list: the public image servers lxd knows by default


def digest(*words: str) -> str:
    return hashlib.sha256("\0".join(words).encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class Image:
    runtime: str  # "lxd" | "docker"
    ref: str  # docker: "nginx:1.27"; lxd: "images:ubuntu/24.04" (a local image: its alias or fingerprint)
    os: str  # "linux" | "windows"
    base: str | None  # osimage key the files start from
    size_mb: float
    description: str
    processes: tuple[tuple[str, str], ...] = ()  # LXD: (user, command line) after init
    cmd: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    expose: tuple[str, ...] = ()
    workers: tuple[str, ...] = ()
    service: dict | None = None
    memory_mb: int = 1
    start_s: float = 0.3
    files: tuple[tuple[str, str], ...] = ()
    repository: str = ""
    tag: str = ""
    remote: str = ""
    alias: str = ""
    aliases: tuple[str, ...] = ()
    stars: int = 0
    official: bool = False
    created_days: int = 0  # before t = 0
    created_ns: int | None = None  # an image made during the run: when
    root: Inode | None = field(default=None, repr=False)  # a published/committed image's tree

    @property
    def id(self) -> str:
        """The full digest (docker's image id, LXD's fingerprint)."""
        return digest(self.runtime, self.ref, str(self.created_ns))

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @cached_property
    def size_bytes(self) -> int:
        """``size_mb`` in bytes: what each container's volume counts as its image's data (one int
        for all of them)."""
        return int(self.size_mb * MIB)

    @property
    def distribution(self) -> str:
        """``Ubuntu 24.04``, ``Windows`` (what a sentence calls its system)."""
        if self.base is None:
            return "Windows" if self.os == "windows" else self.os
        return IMAGES[self.base].os_release.split('PRETTY_NAME="', 1)[1].split('"', 1)[0] if "PRETTY_NAME" in \
            IMAGES[self.base].os_release else self.base

    def tree(self) -> Inode:
        """The image's root directory: its own (a committed image) or its base with its files."""
        if self.root is not None:
            return self.root
        return _catalogue_tree(self.base, self.files)


@cache
def _catalogue_tree(base: str, files: tuple[tuple[str, str], ...]) -> Inode:
    vol = Volume(_base_tree(base), 1 << 40, device="image")
    for path, text in files:
        parts = tuple(p for p in path.split("/") if p)
        for i in range(1, len(parts)):  # missing directories, as the image's layer has them
            if vol.lookup(parts[:i]) is None:
                from simcore.virt.fs import directory

                vol.put(parts[:i], directory(mtime=IMAGE_TIME), "/" + "/".join(parts[:i]))
        vol.put(parts, text_file(text, mtime=IMAGE_TIME), path)
    return vol.root


def _image(row: dict) -> Image:
    runtime = row["runtime"]
    if runtime == "lxd":
        ref = f"{row['remote']}:{row['alias']}"
    else:
        ref = f"{row['repository']}:{row['tag']}"
    return Image(
        runtime=runtime, ref=ref, os=row["os"], base=row.get("base"), size_mb=float(row["size_mb"]),
        description=row.get("description", ""),
        processes=tuple(tuple(p) for p in row.get("processes", [])),
        cmd=tuple(row.get("cmd", [])), entrypoint=tuple(row.get("entrypoint", [])),
        expose=tuple(row.get("expose", [])), workers=tuple(row.get("workers", [])), service=row.get("service"),
        memory_mb=int(row.get("memory_mb", 1)), start_s=float(row.get("start_s", 0.3)),
        files=tuple(sorted(row.get("files", {}).items())),
        repository=row.get("repository", ""), tag=row.get("tag", ""), remote=row.get("remote", ""),
        alias=row.get("alias", ""), aliases=tuple(row.get("aliases", [])), stars=int(row.get("stars", 0)),
        official=bool(row.get("official", False)), created_days=int(row.get("created_days", 0)),
    )


@cache
def catalogue() -> tuple[Image, ...]:
    """Every image of the public registries, in the data file's order."""
    return tuple(_image(row) for row in imagecat.rows())


def lxd_remote(ref: str) -> Image | None:
    """``images:ubuntu/24.04``, ``ubuntu:noble``: the public LXD image it names, or None."""
    remote, _, alias = ref.partition(":")
    for image in catalogue():
        if image.runtime == "lxd" and image.remote == remote and alias in (image.alias, *image.aliases):
            return image
    return None


def docker_ref(ref: str) -> tuple[str, str]:
    """``nginx`` -> (nginx, latest); ``docker.io/library/nginx:1.27`` -> (nginx, 1.27)."""
    name, tag = ref, "latest"
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = ref.rsplit(":", 1)
    for prefix in ("docker.io/library/", "library/", "docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name, tag


def docker_hub(ref: str) -> Image | None:
    """The public Docker image ``REPOSITORY[:TAG]`` names (``latest``: the catalogue's tag of it)."""
    name, tag = docker_ref(ref)
    for image in catalogue():
        if image.runtime == "docker" and image.repository == name and tag in (image.tag, "latest"):
            return image
    return None


def docker_search(term: str) -> list[Image]:
    return [i for i in catalogue() if i.runtime == "docker" and term.lower() in i.repository.lower()]


def lxd_images(remote: str) -> list[Image]:
    return [i for i in catalogue() if i.runtime == "lxd" and i.remote == remote]
