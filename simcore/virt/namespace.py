"""A machine's view of its filesystems: mount points, paths, permissions, a working directory.

:class:`Namespace` mounts :class:`~simcore.virt.fs.Volume` s and resolves paths as the kernel
would: absolute or from the working directory, ``.`` and ``..``, ``~`` for the user's home,
symlinks (at most 40 per lookup, then ELOOP), the longest mount point first. Every operation
checks the acting user's permission bits (root may do anything) and raises ``OSError`` with the
C library's words (``fs.STRERROR``), which the console commands print as coreutils does.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from simcore.virt.fs import (
    BLOCK,
    EPOCH,
    MAX_SYMLINKS,
    Inode,
    Volume,
    blob_file,
    directory,
    fs_error,
    text_file,
)


@dataclass(slots=True)
class Mount:
    point: str  # absolute, normalized: "/", "/data"
    volume: Volume  # also a disk's medium's: a deep copy keeps the two one object (the memo)


def normpath(path: str) -> str:
    """Lexical normalization of an absolute path (``//`` and ``.`` removed, ``..`` applied)."""
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return "/" + "/".join(out)


@dataclass(slots=True)
class Namespace:
    """A machine's view of its mounted volumes, with a working directory and an acting user."""

    mounts: list[Mount] = field(default_factory=list)
    cwd: str = "/"
    user: str = "root"  # who the console acts as; ``sudo`` makes it root for one command
    home: str = "/root"
    clock: Callable[[], int] | None = None  # wall-clock seconds now (for mtimes); EPOCH if None
    # A file whose size is not stored (a host's disk image grows as its guest writes): path -> size.
    dynamic_size: Callable[[str], int | None] | None = None

    # -- mounts -------------------------------------------------------------------------------
    def mount(self, point: str, volume: Volume) -> None:
        point = normpath(point)
        if any(m.point == point for m in self.mounts):
            raise fs_error(errno.EBUSY, point)
        if point != "/":
            node, _vol, _parts = self._walk(point)
            if node is None:
                raise fs_error(errno.ENOENT, point)
            if not node.is_dir:
                raise fs_error(errno.ENOTDIR, point)
        self.mounts.append(Mount(point, volume))

    def umount(self, point: str) -> Volume:
        point = normpath(point)
        for i, m in enumerate(self.mounts):
            if m.point == point:
                if any(o.point != point and o.point.startswith(point.rstrip("/") + "/") for o in self.mounts):
                    raise fs_error(errno.EBUSY, point)
                del self.mounts[i]
                return m.volume
        raise fs_error(errno.EINVAL, point)

    def mount_of(self, volume: Volume) -> str | None:
        for m in self.mounts:
            if m.volume is volume:
                return m.point
        return None

    def _split(self, path: str) -> tuple[Volume, tuple[str, ...]]:
        """The volume holding the normalized absolute ``path`` and the path inside it."""
        best = None
        for m in self.mounts:
            p = m.point
            if (path == p or p == "/" or path.startswith(p + "/")) and (best is None or len(p) > len(best.point)):
                best = m
        if best is None:
            raise fs_error(errno.ENOENT, path)
        rest = path[len(best.point):] if best.point != "/" else path
        return best.volume, tuple(x for x in rest.split("/") if x)

    # -- paths --------------------------------------------------------------------------------
    def abspath(self, path: str) -> str:
        if path == "~" or path.startswith("~/"):
            path = self.home + path[1:]
        return normpath(path if path.startswith("/") else f"{self.cwd}/{path}")

    def _walk(self, path: str, follow_last: bool = True) -> tuple[Inode | None, Volume, tuple[str, ...]]:
        """Resolve symlinks on the way; (inode or None, its volume, its parts in the volume)."""
        path = normpath(path)
        for _ in range(MAX_SYMLINKS):
            parts = [x for x in path.split("/") if x]
            restart = None
            for i in range(len(parts)):
                sub = "/" + "/".join(parts[: i + 1])
                vol, vparts = self._split(sub)
                parent = vol.lookup(vparts[:-1]) if vparts else None
                node = vol.lookup(vparts)
                if vparts and (parent is None or not parent.is_dir):
                    raise fs_error(errno.ENOTDIR, path)
                if node is not None and node.kind == "l" and (i < len(parts) - 1 or follow_last):
                    base = "/" + "/".join(parts[:i])
                    target = node.target if node.target.startswith("/") else f"{base}/{node.target}"
                    restart = normpath(target + "/" + "/".join(parts[i + 1:]))
                    break
                if node is None:
                    if i < len(parts) - 1:
                        raise fs_error(errno.ENOENT, path)
                    return None, vol, vparts
                if not node.is_dir and i < len(parts) - 1:
                    raise fs_error(errno.ENOTDIR, path)
                if node.is_dir and i < len(parts) - 1 and not self._may(node, 0o1):
                    raise fs_error(errno.EACCES, path)
            if restart is None:
                vol, vparts = self._split(path)
                return vol.lookup(vparts), vol, vparts
            path = restart
        raise fs_error(errno.ELOOP, path)

    def _may(self, node: Inode, bit: int) -> bool:
        """May the acting user read (0o4), write (0o2), search (0o1) ``node`` (every bit asked)?"""
        if self.user == "root":
            return True
        shift = 6 if node.owner == self.user else 3 if node.group == self.user else 0
        return (node.mode >> shift) & bit == bit

    def now(self) -> int:
        return self.clock() if self.clock is not None else EPOCH

    # -- reading ------------------------------------------------------------------------------
    def stat(self, path: str, follow: bool = True) -> Inode:
        """The inode at ``path`` (ENOENT, ENOTDIR, EACCES, ELOOP as the kernel says them)."""
        node, _vol, _parts = self._walk(self.abspath(path), follow)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        return node

    def exists(self, path: str) -> bool:
        try:
            return self._walk(self.abspath(path))[0] is not None
        except OSError:
            return False

    def size(self, path: str, node: Inode) -> int:
        """What ``ls -l`` shows: a file's bytes, a directory's block, a symlink's target length."""
        if node.is_dir:
            return BLOCK
        if node.blob and self.dynamic_size is not None:
            dyn = self.dynamic_size(self.abspath(path))
            if dyn is not None:
                return dyn
        return node.size

    def listdir(self, path: str) -> list[tuple[str, Inode]]:
        """(name, inode) of a directory's entries, sorted; a mount point shows the mounted root."""
        abs_path = self.abspath(path)
        node = self.stat(abs_path)
        if not node.is_dir:
            raise fs_error(errno.ENOTDIR, path)
        if not self._may(node, 0o4):
            raise fs_error(errno.EACCES, path)
        out = []
        for name, child in (node.entries or {}).items():
            out.append((name, self._mounted_root(abs_path.rstrip("/") + "/" + name) or child))
        return out

    def _mounted_root(self, path: str) -> Inode | None:
        for m in self.mounts:
            if m.point == path:
                return m.volume.root
        return None

    def read(self, path: str) -> Inode:
        """A file to read: EISDIR for a directory, EACCES without read permission."""
        node = self.stat(path)
        if node.is_dir:
            raise fs_error(errno.EISDIR, path)
        if not self._may(node, 0o4):
            raise fs_error(errno.EACCES, path)
        return node

    def walk(self, path: str) -> Iterator[tuple[str, Inode]]:
        """Every (path, inode) under ``path``, depth first, sorted."""
        node = self.stat(path)
        yield path, node
        if node.is_dir:
            for name, _child in self.listdir(path):
                yield from self.walk(path.rstrip("/") + "/" + name)

    # -- writing ------------------------------------------------------------------------------
    def _parent_for_change(self, path: str, *, parent_write: bool = False
                           ) -> tuple[Volume, tuple[str, ...], Inode | None]:
        """(volume, parts, existing inode) of ``path`` (through a symlink to its target), checking
        that the user may write its directory when creating it, or when ``parent_write`` (rm)."""
        abs_path = self.abspath(path)
        if abs_path == "/":
            raise fs_error(errno.EBUSY, path)
        parent, _pvol, _pparts = self._walk(abs_path.rsplit("/", 1)[0] or "/")
        if parent is None:
            raise fs_error(errno.ENOENT, path)
        if not parent.is_dir:
            raise fs_error(errno.ENOTDIR, path)
        node, vol, parts = self._walk(abs_path, follow_last=not parent_write)
        if vol.read_only:  # the kernel checks the filesystem before the permission bits
            raise fs_error(errno.EROFS, path)
        if (node is None or parent_write) and not self._may(parent, 0o2 | 0o1):
            raise fs_error(errno.EACCES, path)
        return vol, parts, node

    def write(self, path: str, text: str, append: bool = False) -> None:
        """``>`` (truncate) or ``>>`` (append): creates the file (0644, the user's) if missing."""
        vol, parts, node = self._parent_for_change(path)
        if node is not None and node.is_dir:
            raise fs_error(errno.EISDIR, path)
        if node is not None and not self._may(node, 0o2):
            raise fs_error(errno.EACCES, path)
        old = node.text if (append and node is not None and not node.blob) else ""
        body = old + text
        if node is None:
            new = text_file(body, owner=self.user, mtime=self.now())
        else:
            new = replace(node, text=body, size=len(body.encode()), blob=False, mtime=self.now())
        vol.put(parts, new, path)

    def allocate(self, path: str, size: int) -> None:
        """``fallocate -l SIZE``: a file of ``size`` bytes whose contents are not kept."""
        vol, parts, node = self._parent_for_change(path)
        if node is not None and node.is_dir:
            raise fs_error(errno.EISDIR, path)
        vol.put(parts, blob_file(size, owner=self.user, mtime=self.now()), path)

    def touch(self, path: str) -> None:
        vol, parts, node = self._parent_for_change(path)
        if node is None:
            vol.put(parts, text_file("", owner=self.user, mtime=self.now()), path)
        else:
            vol.put(parts, replace(node, mtime=self.now()), path)

    def mkdir(self, path: str, parents: bool = False) -> list[str]:
        """Create a directory (``-p``: and its missing parents, no error if it exists); returns
        the directories created."""
        abs_path = self.abspath(path)
        if parents:
            made = []
            parts = [x for x in abs_path.split("/") if x]
            for i in range(1, len(parts) + 1):
                sub = "/" + "/".join(parts[:i])
                node, _vol, _p = self._walk(sub)
                if node is None:
                    made.extend(self.mkdir(sub))
                elif not node.is_dir:
                    raise fs_error(errno.ENOTDIR if i < len(parts) else errno.EEXIST, path)
            return made
        vol, parts, node = self._parent_for_change(path)
        if node is not None:
            raise fs_error(errno.EEXIST, path)
        vol.put(parts, directory(owner=self.user, mtime=self.now()), path)
        return [abs_path]

    def remove(self, path: str, recursive: bool = False) -> None:
        """``rm`` (``-r``: a directory and everything under it). A mount point is busy."""
        abs_path = self.abspath(path)
        if any(m.point == abs_path or m.point.startswith(abs_path.rstrip("/") + "/") for m in self.mounts):
            raise fs_error(errno.EBUSY, path)
        vol, parts, node = self._parent_for_change(path, parent_write=True)  # the link, not its target
        if node is None:
            raise fs_error(errno.ENOENT, path)
        if node.is_dir and not recursive:
            raise fs_error(errno.EISDIR, path)
        if node.is_dir and node.entries and not self._may(node, 0o2):
            raise fs_error(errno.EACCES, path)
        vol.put(parts, None, path)

    def chdir(self, path: str) -> None:
        abs_path = self.abspath(path)
        node = self.stat(abs_path)
        if not node.is_dir:
            raise fs_error(errno.ENOTDIR, path)
        if not self._may(node, 0o1):
            raise fs_error(errno.EACCES, path)
        self.cwd = abs_path

    def install(self, path: str, node: Inode | None) -> None:
        """Put ``node`` at absolute ``path`` (None: remove it) as the system would, whoever the user:
        missing parent directories are made (owned like their parent)."""
        user, self.user = self.user, "root"
        try:
            parent = path.rsplit("/", 1)[0] or "/"
            missing = []
            while not self.exists(parent):
                missing.append(parent)
                parent = parent.rsplit("/", 1)[0] or "/"
            owner = self.stat(parent)
            for sub in reversed(missing):
                vol, parts = self._split(sub)
                vol.put(parts, replace(owner, entries={}, mode=0o755, mtime=self.now()), sub)
            _node, vol, parts = self._walk(path, follow_last=False)
            if node is not None or _node is not None:
                vol.put(parts, node, path)
        finally:
            self.user = user
