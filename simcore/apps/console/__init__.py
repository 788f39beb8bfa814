"""The console of a node and its commands (``ping``, ``ip``, ``arp``, ``dhclient``, ``curl``, ``ss``,
``conntrack``, ``help``; in a guest with a filesystem ``ls``, ``cat``, ``echo``, ``touch``, ``mkdir``,
``rm``, ``cd``, ``pwd``, ``fallocate``, ``sudo``, ``df``, ``free``, ``nproc``, ``lsblk``, ``uname``,
``hostname``, ``mount``, ``umount``, ``mkfs.ext4``).

Contract:

- A :class:`Console` belongs to one node with a stack. ``console.run(line)`` runs a command line
  exactly as a user typing it would; output lines appear at simulated times (``console.lines``,
  and ``console.output`` trace events). Commands never read the wall clock or global random.
- Commands live in one registry (:data:`REGISTRY`); adding one is one module with one
  ``@command(...)`` function ``fn(console, argv) -> int | Job``. A synchronous command returns
  its exit status; a long-running one returns a :class:`Job` that calls ``console.job_done`` when
  it ends. Facts (a ping's statistics, exit statuses) go to ``console.facts`` for the CLI and tests.
- Output can go to a file: ``CMD > FILE`` / ``>> FILE`` (one output redirection, as bash opens
  it: before the command runs). File and system commands read ``node.guest`` (a
  ``simcore.virt`` guest, duck-typed) and print the real tools' formats and errors.
- Commands talk to the stack only through its socket API (``icmp_bind``, ``udp_bind``,
  ``send_ip``, ``routes``, ``neigh``): they know nothing of links or switches.
"""

from simcore.apps.console import (  # noqa: F401  (importing registers the commands)
    conntrack,
    curl,
    dhclient,
    docker,
    files,
    guestpower,
    iproute,
    lscpu,
    lxc,
    mounts,
    ping,
    ps,
    sysinfo,
    vboxhw,  # after vboxmanage: it adds modifyvm, storageattach, createmedium... to its tables
    vboxmanage,
    vboxsnap,  # after vboxmanage: snapshot, clonevm, and showvminfo's snapshot tree
)
from simcore.apps.console.shell import REGISTRY, Command, Console, Job, command

__all__ = ["Command", "Console", "Job", "REGISTRY", "command"]
