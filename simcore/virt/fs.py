"""A guest's filesystem, small enough to read: directories, text files, symlinks, volumes.

One :class:`Volume` per formatted disk (or tmpfs); ``namespace.Namespace`` is a machine's view
of its mounted volumes (paths, permissions, the working directory).

The tree is **persistent**: an :class:`Inode` is never changed once made. Writing a file makes a
new inode and new copies of the directories on its path only; everything else is shared. So
copying a volume (a snapshot, a clone, a fork of the whole run) is O(1): the copy shares the tree
and each side replaces what it changes. ``copy.deepcopy`` of an inode returns the inode itself.

Bounds (the simulator keeps every byte in memory, so each volume is bounded whatever its disk's
nominal size): a file holds at most :data:`MAX_FILE_BYTES` of text, a volume at most
:data:`MAX_INODES` entries and :data:`MAX_STORED_BYTES` of stored text. Past them the refusal is
the kernel's: ``File too large`` (EFBIG) for a file, ``No space left on device`` (ENOSPC) for a
volume, as for a full disk. A *blob* (a disk image or ISO on a host, a file made by
``fallocate``) has a nominal size that counts towards the disk's use but stores no text.

Every listing is sorted by name (bytewise, as ``LC_COLLATE=C`` does): nothing here iterates a set
or depends on insertion order.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from simcore.apps.http.server import DEFAULT_EPOCH_S

MAX_FILE_BYTES = 64 * 1024
MAX_INODES = 4096
MAX_STORED_BYTES = 1024 * 1024
BLOCK = 4096  # ext4's block size: what ``du``, ``ls -s`` and ``df`` count in
# The wall-clock instant of simulated t = 0 on every machine: the run's calendar (2026-01-01 UTC).
EPOCH = DEFAULT_EPOCH_S
MAX_SYMLINKS = 40  # Linux's limit on symlinks followed in one lookup (ELOOP past it)

# The C library's words for each error (glibc's strerror), so messages never depend on the host.
STRERROR = {
    errno.ENOENT: "No such file or directory",
    errno.ENOTDIR: "Not a directory",
    errno.EISDIR: "Is a directory",
    errno.EEXIST: "File exists",
    errno.ENOSPC: "No space left on device",
    errno.EFBIG: "File too large",
    errno.EACCES: "Permission denied",
    errno.ENOTEMPTY: "Directory not empty",
    errno.EROFS: "Read-only file system",
    errno.ELOOP: "Too many levels of symbolic links",
    errno.EBUSY: "Device or resource busy",
    errno.EINVAL: "Invalid argument",
    errno.EPERM: "Operation not permitted",
}


def fs_error(code: int, path: str) -> OSError:
    return OSError(code, STRERROR[code], path)


@dataclass(frozen=True, slots=True, eq=False)
class Inode:
    """A file (``kind`` "f"), directory ("d") or symlink ("l"). Never changed once made."""

    kind: str
    mode: int  # permission bits only (0o755)
    owner: str = "root"
    group: str = "root"
    mtime: int = EPOCH
    text: str = ""  # a file's contents
    size: int = 0  # a file's size in bytes (a blob's nominal size); a symlink's target length
    blob: bool = False  # contents not kept (a disk image, an ISO, a fallocate'd file)
    # a directory's children, sorted by name; never mutated after creation (a dict, or a
    # :class:`Layered` over the entries it was copied from)
    entries: Mapping[str, Inode] | None = None
    target: str = ""  # a symlink's target

    def __deepcopy__(self, memo: dict) -> Inode:
        return self  # immutable: copies share it

    def __copy__(self) -> Inode:
        return self

    @property
    def is_dir(self) -> bool:
        return self.kind == "d"

    def blocks(self) -> int:
        """Bytes allocated on disk (whole blocks; a directory takes one, a short symlink none)."""
        if self.kind == "d":
            return BLOCK
        if self.kind == "l":
            return 0
        return -(-self.size // BLOCK) * BLOCK

    def stored(self) -> int:
        """Bytes of text this inode keeps in memory."""
        return 0 if self.blob or self.kind != "f" else self.size


def text_file(text: str, mode: int = 0o644, owner: str = "root", group: str | None = None,
              mtime: int = EPOCH) -> Inode:
    return Inode("f", mode, owner, group or owner, mtime, text=text, size=len(text.encode()))


def blob_file(size: int, mode: int = 0o644, owner: str = "root", group: str | None = None,
              mtime: int = EPOCH) -> Inode:
    return Inode("f", mode, owner, group or owner, mtime, size=size, blob=True)


def directory(entries: dict[str, Inode] | None = None, mode: int = 0o755, owner: str = "root",
              group: str | None = None, mtime: int = EPOCH) -> Inode:
    return Inode("d", mode, owner, group or owner, mtime, entries=dict(sorted((entries or {}).items())))


def symlink(target: str, mtime: int = EPOCH) -> Inode:
    return Inode("l", 0o777, mtime=mtime, size=len(target.encode()), target=target)


def tree(spec: dict, owner: str = "root", mtime: int = EPOCH) -> Inode:
    """A directory from nested dicts: a str value is a text file, a dict a directory, an Inode itself."""
    entries = {}
    for name, value in spec.items():
        if isinstance(value, Inode):
            entries[name] = value
        elif isinstance(value, dict):
            entries[name] = tree(value, owner, mtime)
        else:
            entries[name] = text_file(value, owner=owner, mtime=mtime)
    return directory(entries, owner=owner, mtime=mtime)


def count(node: Inode) -> tuple[int, int, int]:
    """(inodes, allocated bytes, stored bytes) of a whole tree."""
    inodes, used, stored = 1, node.blocks(), node.stored()
    if node.entries:
        for child in node.entries.values():
            i, u, s = count(child)
            inodes, used, stored = inodes + i, used + u, stored + s
    return inodes, used, stored


class Volume:
    """One filesystem: a formatted disk partition or a tmpfs, with its capacity and use.

    ``base_used`` is what the OS image takes on disk beyond the few files kept here (a fresh
    Ubuntu server uses about 5 GB); it counts towards ``used`` as real data would.
    """

    __slots__ = ("_root", "_later", "capacity", "device", "fstype", "base_used", "read_only", "inodes", "_blocks",
                 "stored")

    def __init__(self, root: Inode, capacity: int, *, device: str, fstype: str = "ext4", base_used: int = 0,
                 read_only: bool = False):
        self._root = root
        self._later: tuple = ()  # see ``put_later``: (parts, inode) or (make, arg) pairs, flat
        self.capacity = capacity
        self.device = device  # what df and mount name it by: /dev/sda1, tmpfs
        self.fstype = fstype
        self.base_used = base_used
        self.read_only = read_only
        self.inodes, self._blocks, self.stored = count(root)

    @property
    def root(self) -> Inode:
        """The tree, with the files written by ``put_later`` in it."""
        if self._later:
            root = self._root
            for parts, new in self._pending():
                root = _replaced(root, parts, new)
            self._root, self._later = root, ()
        return self._root

    def _pending(self) -> Iterator[tuple[tuple[str, ...], Inode]]:
        """The files ``put_later`` and ``put_made_later`` wait to put, in the order they came."""
        later = self._later  # one flat tuple: no tuple of its own for each pair
        for i in range(0, len(later), 2):
            first, second = later[i], later[i + 1]
            if callable(first):  # (make, arg) of put_made_later: the files made again
                for parts, new, _path in first(second):
                    yield parts, new
            else:
                yield first, second

    @root.setter
    def root(self, root: Inode) -> None:
        self._root, self._later = root, ()

    @property
    def used(self) -> int:
        return min(self.capacity, self.base_used + self._blocks)

    @property
    def free(self) -> int:
        return self.capacity - self.used

    def copy(self) -> Volume:
        """An independent volume with the same contents (shares the tree: O(1))."""
        twin = object.__new__(Volume)
        for name in Volume.__slots__:
            setattr(twin, name, getattr(self, name))
        return twin

    __copy__ = copy

    def __deepcopy__(self, memo: dict) -> Volume:
        return self.copy()

    # -- changes ------------------------------------------------------------------------------
    def lookup(self, parts: tuple[str, ...]) -> Inode | None:
        return _walk(self.root, parts)

    def put(self, parts: tuple[str, ...], new: Inode | None, path: str) -> None:
        """Replace (or add, or with None remove) the entry at ``parts``, copying the directories on
        the way; refused with ENOSPC/EFBIG past the bounds, the volume unchanged."""
        counts = self._counted(self.lookup(parts), new, path)
        self.root = _replaced(self.root, parts, new)
        self.inodes, self._blocks, self.stored = counts

    def put_later(self, parts: tuple[str, ...], new: Inode, path: str) -> None:
        """``put`` a file into a directory that is there, refused or counted at once, but the
        directories on its way copied only when the tree is next read: a container's own
        /etc/hostname and /etc/hosts cost no copy of / and /etc while nobody reads its files."""
        if not self._can_wait(parts, new):
            self.put(parts, new, path)
            return
        self.inodes, self._blocks, self.stored = self._counted(self._pending_inode(parts), new, path)
        self._later = (*self._later, parts, new)

    def put_made_later(self, make: Callable[[Any], tuple[tuple[tuple[str, ...], Inode, str], ...]],
                       arg: Any) -> None:
        """``put_later`` the files ``make(arg)`` returns (``(parts, inode, path)`` each), refused as
        a whole; the volume keeps ``make`` and ``arg`` only and makes them again when its tree is
        next read (``make`` must make the same files each time): a container keeps its hostname,
        not the text and inodes of its /etc/hostname and /etc/hosts."""
        files = make(arg)
        if not all(self._can_wait(parts, new) for parts, new, _path in files):
            for parts, new, path in files:
                self.put_later(parts, new, path)
            return
        counts = self.inodes, self._blocks, self.stored
        counted: list[tuple[tuple[str, ...], Inode]] = []
        try:
            for parts, new, path in files:
                old = next((n for p, n in reversed(counted) if p == parts), None) or self._pending_inode(parts)
                self.inodes, self._blocks, self.stored = self._counted(old, new, path)
                counted.append((parts, new))
        except OSError:
            self.inodes, self._blocks, self.stored = counts
            raise
        self._later = (*self._later, make, arg)

    def _can_wait(self, parts: tuple[str, ...], new: Inode) -> bool:
        """A file can be put later when its directory is there and it replaces no directory."""
        if self.read_only or new.kind == "d":
            return False
        old = self._pending_inode(parts)
        parent = _walk(self._root, parts[:-1])
        return parent is not None and parent.is_dir and (old is None or old.kind != "d")

    def _pending_inode(self, parts: tuple[str, ...]) -> Inode | None:
        """What is at ``parts`` once the waiting files are put (without putting them)."""
        old = None
        for p, inode in self._pending():
            if p == parts:
                old = inode
        return old or _walk(self._root, parts)

    def _counted(self, old: Inode | None, new: Inode | None, path: str) -> tuple[int, int, int]:
        """(inodes, blocks, stored) once ``old`` is replaced by ``new`` (None: nothing) at
        ``path``; refused with EROFS, EFBIG or ENOSPC."""
        if self.read_only:
            raise fs_error(errno.EROFS, path)
        old_count = count(old) if old is not None else (0, 0, 0)
        new_count = count(new) if new is not None else (0, 0, 0)
        if new is not None and new.kind == "f" and not new.blob and new.size > MAX_FILE_BYTES:
            raise fs_error(errno.EFBIG, path)
        inodes = self.inodes + new_count[0] - old_count[0]
        blocks = self._blocks + new_count[1] - old_count[1]
        stored = self.stored + new_count[2] - old_count[2]
        growing = blocks > self._blocks or inodes > self.inodes
        if growing and (inodes > MAX_INODES or stored > MAX_STORED_BYTES
                        or self.base_used + blocks > self.capacity):
            raise fs_error(errno.ENOSPC, path)
        return inodes, blocks, stored


def _walk(node: Inode, parts: tuple[str, ...]) -> Inode | None:
    for name in parts:
        if node.entries is None:
            return None
        node = node.entries.get(name)
        if node is None:
            return None
    return node


def _replaced(node: Inode, parts: tuple[str, ...], new: Inode | None) -> Inode:
    name, rest = parts[0], parts[1:]
    entries = node.entries or {}
    child = _replaced(entries[name], rest, new) if rest else new
    # The parent's mtime changes only when an entry is added or removed, as on Linux.
    return replace(node, entries=Layered.of(entries, name, child))


MAX_UPPER = 8  # changed names a directory keeps over its lower entries before it is flattened


class Layered(Mapping):
    """A directory's entries as an overlay keeps them: the entries it was copied from (``lower``,
    shared, never changed) and the names changed since (``upper``: name, inode, name, inode...,
    sorted by name; an inode of None is a whiteout, a name removed). Writing /etc/hostname into a
    container's copy of an image then keeps one name, not a copy of /etc's and /'s whole tables.
    Past :data:`MAX_UPPER` changed names the directory is flattened into one sorted dict again,
    so a lookup never scans more than a few names. Read like the dict it stands for: sorted by
    name, never changed once made."""

    __slots__ = ("lower", "upper")

    def __init__(self, lower: Mapping[str, Inode], upper: tuple):
        self.lower = lower
        self.upper = upper

    @staticmethod
    def of(entries: Mapping[str, Inode], name: str, child: Inode | None) -> Mapping[str, Inode]:
        """``entries`` with ``name`` set to ``child`` (None: removed)."""
        if isinstance(entries, Layered):
            lower, changed = entries.lower, dict(zip(entries.upper[::2], entries.upper[1::2], strict=True))
        else:
            lower, changed = entries, {}
        if child is None and name not in lower:
            changed.pop(name, None)  # nothing below to hide
        else:
            changed[name] = child
        if len(changed) > MAX_UPPER:
            merged = dict(lower)
            for key, value in changed.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            return dict(sorted(merged.items()))
        if not changed:
            return lower
        upper: list = []
        for key in sorted(changed):
            upper += (key, changed[key])
        return Layered(lower, tuple(upper))

    def get(self, name: str, default: Any = None) -> Any:
        upper = self.upper
        for i in range(0, len(upper), 2):
            if upper[i] == name:
                found = upper[i + 1]
                return default if found is None else found
        return self.lower.get(name, default)

    def __getitem__(self, name: str) -> Inode:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return self.get(name) is not None  # type: ignore[arg-type]

    def _merged(self) -> dict[str, Inode]:
        merged = dict(self.lower)
        upper = self.upper
        for i in range(0, len(upper), 2):
            if upper[i + 1] is None:
                merged.pop(upper[i], None)
            else:
                merged[upper[i]] = upper[i + 1]
        return dict(sorted(merged.items()))

    def __iter__(self) -> Iterator[str]:
        return iter(self._merged())

    def __len__(self) -> int:
        # A whiteout always hides a name of ``lower`` (``of`` makes no other), so no merge is needed.
        lower, upper, size = self.lower, self.upper, len(self.lower)
        for i in range(0, len(upper), 2):
            if upper[i + 1] is None:
                size -= 1
            elif upper[i] not in lower:
                size += 1
        return size

    def items(self) -> Any:
        return self._merged().items()

    def values(self) -> Any:
        return self._merged().values()

    def keys(self) -> Any:
        return self._merged().keys()

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == other if isinstance(other, Mapping) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._merged())
