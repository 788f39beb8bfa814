"""The guest filesystem as data: persistent trees (copies share what did not change), bounds
refused in the kernel's words, permissions, symlinks and mount points."""

import copy
import errno
import random

import pytest

from simcore.virt.fs import (
    BLOCK,
    MAX_FILE_BYTES,
    MAX_INODES,
    MAX_STORED_BYTES,
    Layered,
    Volume,
    directory,
    text_file,
    tree,
)
from simcore.virt.namespace import Namespace, normpath
from simcore.virt.osimage import ALPINE, DEBIAN, GIB, MIB, UBUNTU, image_for, system_volume, tmpfs


def machine(user="ubuntu", capacity=25 * GIB, image=UBUNTU) -> Namespace:
    ns = Namespace(user=user, home=f"/home/{image.user}", cwd=f"/home/{image.user}")
    ns.mount("/", system_volume(image, "vm1", capacity))
    return ns


def errno_of(fn, *args, **kw) -> int:
    with pytest.raises(OSError) as info:
        fn(*args, **kw)
    return info.value.errno


def test_a_copy_shares_every_unchanged_inode_and_diverges_on_write():
    vol = system_volume(UBUNTU, "vm1", 25 * GIB)
    twin = copy.deepcopy(vol)
    assert twin.root is vol.root  # O(1): nothing copied
    ns_a, ns_b = Namespace(user="root"), Namespace(user="root")
    ns_a.mount("/", vol)
    ns_b.mount("/", twin)
    ns_a.write("/home/ubuntu/notes.txt", "a\n")
    assert ns_b.exists("/home/ubuntu/notes.txt") is False
    # Only the directories on the written path were copied; /etc is still the same object.
    assert vol.root.entries["etc"] is twin.root.entries["etc"]
    assert vol.root.entries["home"] is not twin.root.entries["home"]


def test_two_machines_of_one_image_share_its_tree():
    a = system_volume(DEBIAN, "a", 10 * GIB)
    b = system_volume(DEBIAN, "b", 10 * GIB)
    assert a.root.entries["usr"] is b.root.entries["usr"]
    assert a.root.entries["etc"] is not b.root.entries["etc"]  # /etc/hostname differs


def test_a_written_file_keeps_its_directory_as_a_layer_over_the_shared_entries():
    image = tree({"etc": {"passwd": "root:x:0:0::/root:/bin/sh\n"}, "usr": {"bin": {}}, "var": {}})
    a, b = Volume(image, GIB, device="a"), Volume(image, GIB, device="b")
    a.put(("etc", "motd"), text_file("hi\n"), "/etc/motd")
    # / and /etc keep the one name each changed over the entries they share with the image.
    assert isinstance(a.root.entries, Layered) and a.root.entries.upper == ("etc", a.root.entries["etc"])
    assert a.root.entries.lower is image.entries
    assert list(a.root.entries) == ["etc", "usr", "var"]
    assert list(a.root.entries["etc"].entries) == ["motd", "passwd"]
    assert b.lookup(("etc", "motd")) is None and b.root is image


def test_a_file_put_later_is_counted_at_once_and_in_the_tree_when_it_is_next_read():
    image = tree({"etc": {"hostname": "image\n", "passwd": "root:x:0:0::/root:/bin/sh\n"}, "usr": {}})
    now, later = Volume(image, GIB, device="a"), Volume(image, GIB, device="b")
    for put in (now.put, later.put_later):
        put(("etc", "hostname"), text_file("c1\n"), "/etc/hostname")
        put(("etc", "hosts"), text_file("127.0.0.1 localhost\n"), "/etc/hosts")
    assert later._root is image  # / and /etc not copied yet
    assert (later.inodes, later.used, later.stored) == (now.inodes, now.used, now.stored)
    twin = later.copy()
    assert later.lookup(("etc", "hostname")).text == "c1\n" and later._root is not image
    assert list(later.root.entries["etc"].entries) == list(now.root.entries["etc"].entries)
    assert twin.lookup(("etc", "hosts")).text == "127.0.0.1 localhost\n"  # a copy made before has them too
    # Refused at once, as put refuses: nothing is left to fail when the tree is read.
    assert errno_of(later.put_later, ("etc", "big"), text_file("x" * (MAX_FILE_BYTES + 1)), "/etc/big") == errno.EFBIG
    with pytest.raises(KeyError):  # no /nope to write into: put's own failure
        Volume(image, GIB, device="c").put_later(("nope", "x"), text_file("x"), "/nope/x")


def etc_files(hostname):
    return ((("etc", "hostname"), text_file(f"{hostname}\n"), "/etc/hostname"),
            (("etc", "hosts"), text_file(f"127.0.1.1 {hostname}\n"), "/etc/hosts"))


def test_files_made_later_are_counted_at_once_and_made_again_when_the_tree_is_next_read():
    image = tree({"etc": {"hostname": "image\n", "passwd": "root:x:0:0::/root:/bin/sh\n"}, "usr": {}})
    now, later = Volume(image, GIB, device="a"), Volume(image, GIB, device="b")
    for parts, new, path in etc_files("c1"):
        now.put(parts, new, path)
    later.put_made_later(etc_files, "c1")
    assert later._root is image and later._later == (etc_files, "c1")  # the hostname kept, not the files
    assert (later.inodes, later.used, later.stored) == (now.inodes, now.used, now.stored)
    later.put_later(("etc", "hostname"), text_file("c2\n"), "/etc/hostname")  # the last one put wins
    assert later.lookup(("etc", "hostname")).text == "c2\n" and later.lookup(("etc", "hosts")).text == "127.0.1.1 c1\n"
    assert later.inodes == now.inodes
    # Refused as a whole: the counts are as they were.
    big = Volume(image, GIB, device="c")
    counts = big.inodes, big.used, big.stored
    assert errno_of(big.put_made_later, lambda h: etc_files(h) + ((("etc", "big"), text_file("x" * (MAX_FILE_BYTES + 1)),
                                                                   "/etc/big"),), "c1") == errno.EFBIG
    assert (big.inodes, big.used, big.stored) == counts and big._later == ()


def test_layered_entries_read_like_the_dict_of_every_change_applied_in_turn():
    rng = random.Random(7)
    names = [f"n{i:02d}" for i in range(24)]
    for _ in range(40):
        vol = Volume(directory({n: text_file(n) for n in rng.sample(names, 10)}), 1 << 30, device="t")
        model = dict(vol.root.entries)
        for _ in range(30):
            name = rng.choice(names)
            if rng.random() < 0.3:
                vol.put((name,), None, "/" + name)
                model.pop(name, None)
            else:
                node = text_file(f"{name} {rng.random()}")
                vol.put((name,), node, "/" + name)
                model[name] = node
            expected = dict(sorted(model.items()))
            entries = vol.root.entries
            assert list(entries.items()) == list(expected.items())
            assert len(entries) == len(expected) and bool(entries) == bool(expected)
            for n in names:
                assert entries.get(n) is expected.get(n) and (n in entries) == (n in expected)
            assert vol.inodes == 1 + len(expected)
            assert vol.stored == sum(len(n.text) for n in expected.values())


@pytest.mark.parametrize("guest_os, first_line", [
    ("Ubuntu 24.04", 'PRETTY_NAME="Ubuntu 24.04.1 LTS"'),
    ("Debian 12", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"'),
    ("alpine 3.20", 'NAME="Alpine Linux"'),
    ("Windows 11", 'PRETTY_NAME="Ubuntu 24.04.1 LTS"'),
    (None, 'PRETTY_NAME="Ubuntu 24.04.1 LTS"'),
])
def test_the_image_follows_guest_os_and_os_release_is_a_symlink(guest_os, first_line):
    image = image_for(guest_os)
    ns = machine(image=image)
    assert ns.read("/etc/os-release").text.splitlines()[0] == first_line
    assert ns.stat("/etc/os-release", follow=False).target == "../usr/lib/os-release"
    assert ns.read("/etc/hostname").text == "vm1\n"


def test_merged_usr_on_ubuntu_and_debian_not_alpine():
    assert machine(image=UBUNTU).stat("/bin", follow=False).kind == "l"
    assert machine(image=DEBIAN).stat("/sbin", follow=False).target == "usr/sbin"
    assert machine(image=ALPINE).stat("/bin", follow=False).kind == "d"


@pytest.mark.parametrize("call, code", [
    (lambda ns: ns.read("nope"), errno.ENOENT),
    (lambda ns: ns.read("/etc"), errno.EISDIR),
    (lambda ns: ns.listdir("/etc/hostname"), errno.ENOTDIR),
    (lambda ns: ns.read("/etc/hostname/x"), errno.ENOTDIR),
    (lambda ns: ns.write("/etc/motd", "x"), errno.EACCES),
    (lambda ns: ns.listdir("/root"), errno.EACCES),
    (lambda ns: ns.mkdir("/home/ubuntu/a/b"), errno.ENOENT),
    (lambda ns: ns.mkdir("/home/ubuntu"), errno.EEXIST),
    (lambda ns: ns.remove("/home/ubuntu/.bashrc/x"), errno.ENOTDIR),
    (lambda ns: ns.remove("/tmp"), errno.EACCES),  # its parent, /, is root's
    (lambda ns: ns.remove("/home/ubuntu", recursive=True), errno.EACCES),
    (lambda ns: ns.remove("/", recursive=True), errno.EBUSY),
    (lambda ns: ns.chdir("/etc/hostname"), errno.ENOTDIR),
    (lambda ns: ns.write(".bashrc/x", "y"), errno.ENOTDIR),
])
def test_refusals_are_the_kernels_and_change_nothing(call, code):
    ns = machine()
    root_before = ns.mounts[0].volume.root
    assert errno_of(call, ns) == code
    assert ns.mounts[0].volume.root is root_before


def test_root_may_do_what_the_user_may_not():
    ns = machine(user="root")
    ns.write("/etc/motd", "hello\n")
    assert ns.read("/etc/motd").owner == "root"
    ns.remove("/home/ubuntu", recursive=True)
    assert not ns.exists("/home/ubuntu")


def test_a_file_past_the_largest_size_is_too_large():
    ns = machine()
    ns.write("f", "x" * MAX_FILE_BYTES)
    assert errno_of(ns.write, "f", "y", append=True) == errno.EFBIG
    assert ns.read("f").size == MAX_FILE_BYTES


def test_a_full_disk_says_no_space_left_and_keeps_what_it_had():
    ns = Namespace(user="root")
    ns.mount("/", Volume(directory(), 4 * BLOCK, device="/dev/sdb"))
    for i in range(3):  # the root directory takes one block, each small file one more
        ns.write(f"/f{i}", "data")
    assert errno_of(ns.write, "/f3", "data") == errno.ENOSPC
    assert errno_of(ns.allocate, "/big", 10 * BLOCK) == errno.ENOSPC
    assert [name for name, _ in ns.listdir("/")] == ["f0", "f1", "f2"]
    ns.remove("/f0")
    ns.write("/f3", "data")  # freed space is free again


def test_the_stored_text_and_inode_count_are_bounded_whatever_the_disk_size():
    ns = Namespace(user="root")
    ns.mount("/", Volume(directory(), 100 * GIB, device="/dev/sdb"))
    chunk = "x" * MAX_FILE_BYTES
    written = 0
    with pytest.raises(OSError) as info:
        while True:
            ns.write(f"/f{written}", chunk)
            written += 1
    assert info.value.errno == errno.ENOSPC
    assert written == MAX_STORED_BYTES // MAX_FILE_BYTES
    ns2 = Namespace(user="root")
    ns2.mount("/", Volume(directory(), 100 * GIB, device="/dev/sdb"))
    with pytest.raises(OSError) as info:
        for i in range(MAX_INODES + 1):
            ns2.touch(f"/e{i}")
    assert info.value.errno == errno.ENOSPC and ns2.mounts[0].volume.inodes == MAX_INODES


def test_a_blob_counts_towards_use_but_stores_nothing():
    ns = machine()
    vol = ns.mounts[0].volume
    used, stored = vol.used, vol.stored
    ns.allocate("big", 3 * GIB)
    assert vol.used == used + 3 * GIB and vol.stored == stored


def test_listings_are_sorted_bytewise():
    ns = Namespace(user="root")
    ns.mount("/", Volume(directory(), GIB, device="/dev/sdb"))
    for name in ("b", "B", "a", ".z", "_x", "10", "9"):
        ns.touch("/" + name)
    assert [n for n, _ in ns.listdir("/")] == [".z", "10", "9", "B", "_x", "a", "b"]


def test_paths_resolve_through_dots_home_symlinks_and_mounts():
    ns = machine()
    assert normpath("/a/./b/../c//") == "/a/c"
    assert ns.abspath("~/x") == "/home/ubuntu/x"
    assert ns.abspath("../../etc") == "/etc"
    ns.mount("/dev/shm", tmpfs(64 * MIB))
    ns.write("/dev/shm/s", "in tmpfs")
    assert ns.mounts[-1].volume.lookup(("s",)).text == "in tmpfs"
    assert ns.mounts[0].volume.lookup(("dev", "shm", "s")) is None
    assert errno_of(ns.remove, "/dev/shm", recursive=True) == errno.EBUSY
    assert ns.read("/bin/../etc/hostname").text == "vm1\n"  # ".." is lexical, as in the shell


def test_a_symlink_loop_is_too_many_levels():
    ns = Namespace(user="root")
    ns.mount("/", Volume(directory(), GIB, device="/dev/sdb"))
    vol = ns.mounts[0].volume
    from simcore.virt.fs import symlink
    vol.put(("a",), symlink("b"), "/a")
    vol.put(("b",), symlink("a"), "/b")
    assert errno_of(ns.read, "/a") == errno.ELOOP


def test_the_system_volume_counts_the_image_as_used():
    vol = system_volume(UBUNTU, "vm1", 25 * GIB)
    assert UBUNTU.base_used < vol.used < UBUNTU.base_used + 64 * MIB  # the kernel and programs on top
    assert vol.capacity - vol.used == vol.free
    small = system_volume(ALPINE, "a", 25 * GIB)
    assert small.used < vol.used


def test_text_file_sizes_are_utf8_bytes():
    assert text_file("é\n").size == 3
