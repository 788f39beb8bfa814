"""The operating system images a guest's first disk starts from: a few real files per distribution.

Three images, chosen by the first word of a VM's ``guest_os`` ("Ubuntu 24.04" is the default for
any other text, and for hosts and outside machines): **Ubuntu 24.04**, **Debian 12** and **Alpine
3.20**, each with its own ``/etc/os-release``, kernel release, default user (the cloud images'
``ubuntu``, ``debian``, ``alpine``), layout (Ubuntu and Debian merge ``/bin`` into ``/usr/bin``
with symlinks, Alpine does not) and logs. The same images will serve container root filesystems.

What a real image holds beyond these files is one number, ``base_used``: what ``df`` shows used on
a fresh install (rounded figures of a minimal server install: Ubuntu 4.5 GiB, Debian 1.6 GiB,
Alpine 180 MiB). ``ram_used_mb``/``cache_mb`` are what ``free -m`` shows used and cached after boot.

Each distribution's tree is built once and shared by every machine (see ``fs.py``: trees are
immutable); a machine's own files (``/etc/hostname``, ``/etc/hosts``, its logs) replace a few
entries of its copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cache

from simcore.apps.console import REGISTRY
from simcore.virt.fs import EPOCH, Inode, Volume, blob_file, directory, symlink, text_file, tree

GIB = 1024 ** 3
MIB = 1024 ** 2
# Image files carry the image's build date: five days and 20 hours before simulated t = 0.
IMAGE_TIME = EPOCH - 5 * 86400 + 4 * 3600


@dataclass(frozen=True)
class OsImage:
    key: str  # ubuntu-24.04, debian-12, alpine-3.20
    os_release: str
    kernel: str  # uname -r
    kernel_version: str  # uname -v
    kernel_builder: str  # who built the kernel, as its boot line names them
    uname_tail: str  # what uname -a prints after the machine name, release and version
    user: str
    shell_home: dict  # the default user's dotfiles
    logs: tuple[str, ...]  # files in /var/log (each starts with the boot lines below)
    merged_usr: bool
    base_used: int
    ram_used_mb: int
    cache_mb: int


UBUNTU = OsImage(
    key="ubuntu-24.04",
    os_release="""PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
""",
    kernel="6.8.0-45-generic",
    kernel_builder="buildd@lcy02-amd64-115",
    kernel_version="#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024",
    uname_tail="x86_64 x86_64 x86_64 GNU/Linux",
    user="ubuntu",
    shell_home={
        ".bash_logout": "# ~/.bash_logout: executed by bash(1) when login shell exits.\n",
        ".bashrc": "# ~/.bashrc: executed by bash(1) for non-login shells.\n"
                   "[ -z \"$PS1\" ] && return\nHISTCONTROL=ignoreboth\nalias ll='ls -alF'\n",
        ".profile": "# ~/.profile: executed by the command interpreter for login shells.\n"
                    "if [ -n \"$BASH_VERSION\" ] && [ -f \"$HOME/.bashrc\" ]; then . \"$HOME/.bashrc\"; fi\n",
    },
    logs=("syslog", "kern.log", "auth.log"),
    merged_usr=True,
    base_used=4608 * MIB,
    ram_used_mb=250,
    cache_mb=420,
)

DEBIAN = OsImage(
    key="debian-12",
    os_release="""PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
""",
    kernel="6.1.0-25-amd64",
    kernel_builder="debian-kernel@lists.debian.org",
    kernel_version="#1 SMP PREEMPT_DYNAMIC Debian 6.1.106-3 (2024-08-26)",
    uname_tail="x86_64 GNU/Linux",
    user="debian",
    shell_home={
        ".bashrc": "# ~/.bashrc: executed by bash(1) for non-login shells.\nexport LS_OPTIONS='--color=auto'\n",
        ".profile": "# ~/.profile: executed by the command interpreter for login shells.\n",
    },
    logs=("dpkg.log",),
    merged_usr=True,
    base_used=1638 * MIB,
    ram_used_mb=120,
    cache_mb=210,
)

ALPINE = OsImage(
    key="alpine-3.20",
    os_release="""NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
""",
    kernel="6.6.49-0-virt",
    kernel_builder="buildozer@build-3-20-x86_64",
    kernel_version="#1-Alpine SMP PREEMPT_DYNAMIC 2024-09-04 15:25:13",
    uname_tail="x86_64 Linux",
    user="alpine",
    shell_home={".profile": "export PAGER=less\n"},
    logs=("messages",),
    merged_usr=False,
    base_used=180 * MIB,
    ram_used_mb=45,
    cache_mb=60,
)

IMAGES = {image.key: image for image in (UBUNTU, DEBIAN, ALPINE)}
_BY_WORD = {"ubuntu": UBUNTU, "debian": DEBIAN, "alpine": ALPINE}


def image_for(guest_os: str | None) -> OsImage:
    """The image a ``guest_os`` text names by its first word; Ubuntu 24.04 otherwise."""
    word = (guest_os or "").strip().split(" ", 1)[0].lower()
    return _BY_WORD.get(word, UBUNTU)


def hostname_of(name: str) -> str:
    """A node's name as a hostname: lower case, letters, digits and hyphens, at most 63."""
    out = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in name.lower()).strip("-")
    return out[:63] or "localhost"


# The console's commands that are programs on disk (cd and help are bash builtins); the
# administrator's ones live in /usr/sbin.
# lxc and docker are the host's (a snap and a package there), added by simcore.virt.containers.
PROGRAMS = sorted(name for name in REGISTRY if name not in ("cd", "help", "VBoxManage", "vboxmanage", "lxc", "docker"))
SBIN = ("arp", "conntrack", "dhclient", "mkfs.ext4")


def program(name: str) -> Inode:
    """An executable of a plausible size (derived from its name: stable, never random)."""
    size = 20_000 + int(hashlib.sha256(name.encode()).hexdigest()[:6], 16) % 400_000
    return blob_file(size, mode=0o755, mtime=IMAGE_TIME)


@cache
def _base_tree(key: str) -> Inode:
    image = IMAGES[key]
    t = IMAGE_TIME
    user = image.user
    usr = {
        "bin": directory({name: program(name) for name in PROGRAMS if name not in SBIN}, mtime=t),
        "sbin": directory({name: program(name) for name in PROGRAMS if name in SBIN}, mtime=t),
        "lib": {"os-release": text_file(image.os_release, mtime=t)},
        "share": {},
        "local": {"bin": {}},
    }
    root: dict = {
        "boot": {f"vmlinuz-{image.kernel}": blob_file(14_800_000 if user != "alpine" else 9_300_000, mode=0o600,
                                                         mtime=t)},
        "dev": {"shm": {}},
        "etc": {
            "os-release": symlink("../usr/lib/os-release", mtime=t),
            "issue": text_file(_issue(image), mtime=t),
            "passwd": text_file(f"root:x:0:0:root:/root:/bin/{'ash' if user == 'alpine' else 'bash'}\n"
                                f"{user}:x:1000:1000::/home/{user}:/bin/{'ash' if user == 'alpine' else 'bash'}\n",
                                mtime=t),
            "fstab": text_file("# <file system> <mount point> <type> <options> <dump> <pass>\n"
                               "/dev/sda1 / ext4 defaults 0 1\n", mtime=t),
        },
        "home": {user: directory({name: text_file(body, owner=user, mtime=t)
                                  for name, body in image.shell_home.items()},
                                 mode=0o750, owner=user, mtime=t)},
        "lost+found": directory(mode=0o700, mtime=t),
        "media": {}, "mnt": {}, "opt": {}, "srv": {},
        "proc": directory(mode=0o555, mtime=t),
        "root": directory(mode=0o700, mtime=t),
        "run": directory(mtime=t),
        "sys": directory(mode=0o555, mtime=t),
        "tmp": directory(mode=0o1777, mtime=t),
        "usr": usr,
        "var": {"cache": {}, "lib": {}, "log": directory(mode=0o775, mtime=t), "tmp": directory(mode=0o1777)},
    }
    if image.merged_usr:
        root.update({"bin": symlink("usr/bin", mtime=t), "lib": symlink("usr/lib", mtime=t),
                     "sbin": symlink("usr/sbin", mtime=t)})
    else:
        root.update({"bin": directory(mtime=t), "lib": directory(mtime=t), "sbin": directory(mtime=t)})
    return tree(root, mtime=t)


def _issue(image: OsImage) -> str:
    if image is UBUNTU:
        return "Ubuntu 24.04.1 LTS \\n \\l\n\n"
    if image is DEBIAN:
        return "Debian GNU/Linux 12 \\n \\l\n\n"
    return "Welcome to Alpine Linux 3.20\nKernel \\r on an \\m (\\l)\n\n"


def _boot_log(image: OsImage, hostname: str) -> str:
    """The last lines the image's logger wrote, naming this machine (rsyslog's or busybox's form)."""
    if image is ALPINE:
        stamp = "Sep  1 08:00:0{}"
        return (f"{stamp.format(1)} {hostname} kern.info kernel: Linux version {image.kernel}\n"
                f"{stamp.format(2)} {hostname} daemon.info init: starting pid 1\n")
    stamp = "2024-09-01T08:00:0{}.000000+00:00"
    return (f"{stamp.format(1)} {hostname} kernel: Linux version {image.kernel}\n"
            f"{stamp.format(2)} {hostname} systemd[1]: Reached target multi-user.target - Multi-User System.\n")


def system_volume(image: OsImage, hostname: str, capacity: int, device: str = "/dev/sda1",
                  user: str | None = None) -> Volume:
    """The root filesystem of a machine installed from ``image`` on a disk of ``capacity`` bytes;
    ``user``: the account made at install if not the image's default (a host's ``student``)."""
    vol = Volume(_base_tree(image.key), capacity, device=device, base_used=image.base_used)
    t = IMAGE_TIME
    if user is not None and user != image.user:
        home = vol.lookup(("home", image.user))
        vol.put(("home", image.user), None, f"/home/{image.user}")
        vol.put(("home", user), replace(home, owner=user, group=user, entries={
            name: replace(f, owner=user, group=user) for name, f in home.entries.items()}), f"/home/{user}")
        passwd = vol.lookup(("etc", "passwd")).text.replace(image.user, user)
        vol.put(("etc", "passwd"), text_file(passwd, mtime=t), "/etc/passwd")
    vol.put(("etc", "hostname"), text_file(f"{hostname}\n", mtime=t), "/etc/hostname")
    vol.put(("etc", "hosts"), text_file(f"127.0.0.1 localhost\n127.0.1.1 {hostname}\n", mtime=t), "/etc/hosts")
    log = _boot_log(image, hostname)
    for name in image.logs:
        vol.put(("var", "log", name), text_file(log, mode=0o640, owner="syslog" if image is UBUNTU else "root",
                                                group="adm", mtime=t), f"/var/log/{name}")
    return vol


def blank_volume(capacity: int, device: str) -> Volume:
    """A disk just formatted with ext4: an empty root and ``lost+found``."""
    return Volume(directory({"lost+found": directory(mode=0o700)}), capacity, device=device)


def tmpfs(capacity: int, entries: dict | None = None, mode: int = 0o1777) -> Volume:
    """A RAM filesystem (/dev/shm, /run/lock are world-writable with the sticky bit; /run is not)."""
    root = replace(tree(entries or {}), mode=mode, mtime=EPOCH)
    return Volume(root, capacity, device="tmpfs", fstype="tmpfs")
