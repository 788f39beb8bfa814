"""Files in a guest's console, as conversations: what is typed, what coreutils would print."""

import pytest
from virt_guests import Talk, build

# One session on vm1 (Ubuntu 24.04, user ubuntu), in order: each line and exactly what it prints.
SESSION = [
    ("pwd", ["/home/ubuntu"]),
    ("ls", []),
    ("ls -a", [".  ..  .bash_logout  .bashrc  .profile"]),
    ("echo hello world > notes.txt", []),
    ("echo again >> notes.txt", []),
    ("cat notes.txt", ["hello world", "again"]),
    ("ls -l", ["total 4", "-rw-r--r-- 1 ubuntu ubuntu 18 Jan  1 00:00 notes.txt"]),
    ("echo -n abc > n.txt", []),
    ("ls -l n.txt", ["-rw-r--r-- 1 ubuntu ubuntu 3 Jan  1 00:00 n.txt"]),
    ("ls x", ["ls: cannot access 'x': No such file or directory"]),
    ("cat x notes.txt", ["cat: x: No such file or directory", "hello world", "again"]),
    ("mkdir a/b", ["mkdir: cannot create directory \u2018a/b\u2019: No such file or directory"]),
    ("mkdir -p a/b", []),
    ("mkdir a", ["mkdir: cannot create directory \u2018a\u2019: File exists"]),
    ("touch a/b/c 'my file'", []),
    ("ls", [" a  'my file'   n.txt   notes.txt"]),
    ("rm a", ["rm: cannot remove 'a': Is a directory"]),
    ("rm -r a", []),
    ("rm -f nothing", []),
    ("rm nothing", ["rm: cannot remove 'nothing': No such file or directory"]),
    ("rm -r /", ["rm: it is dangerous to operate recursively on '/'",
                 "rm: use --no-preserve-root to override this failsafe"]),
    ("echo x > /etc/motd", ["bash: /etc/motd: Permission denied"]),
    ("sudo echo x > /etc/motd", ["bash: /etc/motd: Permission denied"]),  # the shell opens it, not sudo
    ("sudo touch /etc/motd", []),
    ("ls -l /etc/motd", ["-rw-r--r-- 1 root root 0 Jan  1 00:00 /etc/motd"]),
    ("ls /root", ["ls: cannot open directory '/root': Permission denied"]),
    ("cat /etc", ["cat: /etc: Is a directory"]),
    ("cd /nowhere", ["bash: cd: /nowhere: No such file or directory"]),
    ("cd /etc", []),
    ("pwd", ["/etc"]),
    ("cd", []),
    ("pwd", ["/home/ubuntu"]),
    ("ls -l /etc/os-release", ["lrwxrwxrwx 1 root root 21 Dec 27 04:00 /etc/os-release -> ../usr/lib/os-release"]),
    ("ls -z", ["ls: invalid option -- 'z'", "Try 'ls --help' for more information."]),
    ("echo 'a > b' \"c\"", ["a > b c"]),
    ("echo >", ["bash: syntax error near unexpected token `newline'"]),
    ("fallocate -l 30G big", ["fallocate: fallocate failed: No space left on device"]),
    ("fallocate -l 2G big", []),
    ("ls -lh big", ["-rw-r--r-- 1 ubuntu ubuntu 2.0G Jan  1 00:00 big"]),
]


def test_a_session_on_vm1():
    net, _guests = build()
    talk = Talk(net)
    for line, expected in SESSION:
        assert talk("vm1", line) == expected, line


@pytest.mark.parametrize("line, status", [
    ("ls nope", 2), ("cat nope", 1), ("mkdir /etc/x", 1), ("rm nope", 1), ("ls", 0), ("cd /", 0),
    ("echo x > /etc/x", 1), ("fallocate -l lots f", 1),
])
def test_exit_statuses_are_the_tools(line, status):
    net, _ = build()
    talk = Talk(net)
    talk("vm1", line)
    assert talk.status("vm1") == status


def test_a_full_disk_refuses_the_write_in_bashs_words():
    net, guests = build()
    talk = Talk(net)
    talk("vm1", "fallocate -l 20G big")  # 25 GB disk, 4.6 GB of system
    free = guests["vm1"].fs.mounts[0].volume.free
    assert talk("vm1", f"fallocate -l {free // 1024 + 1}K more") == [
        "fallocate: fallocate failed: No space left on device"]
    talk("vm1", f"fallocate -l {free - 4096} more")
    assert talk("vm1", "echo x > f") == []  # one block is left for it
    # Creating the file needs no block, writing to it does: bash says so after the command ran.
    assert talk("vm1", "echo y > g") == ["bash: echo: write error: No space left on device"]
    assert talk("vm1", "cat g f") == ["x"]


def test_ls_columns_fit_80_characters_like_coreutils():
    net, _ = build()
    talk = Talk(net)
    assert talk("vm1", "ls /") == [
        "bin   dev  home  lost+found  mnt  proc  run   srv  tmp  var",
        "boot  etc  lib   media       opt  root  sbin  sys  usr",
    ]


def test_a_node_without_a_guest_has_no_file_commands():
    net, guests = build()  # the Internet node is not a machine with a filesystem
    assert "net" not in guests
    talk = Talk(net)
    assert talk("net", "ls") == ["bash: ls: command not found"]
    assert talk("net", "echo hi") == ["hi"]
    assert talk("net", "echo hi > f") == ["bash: f: Read-only file system"]


def test_the_host_lists_its_vms_disk_files_and_isos():
    net, _ = build()
    talk = Talk(net)
    assert talk("hv", "ls 'VirtualBox VMs'") == ["alp  deb  vm1"]
    assert talk("hv", "ls -lh 'VirtualBox VMs/vm1'") == [
        "total 4.6G",
        "-rw------- 1 student student  882 Jan  1 00:00 vm1.vbox",
        "-rw------- 1 student student 4.6G Jan  1 00:00 vm1.vdi",
    ]
    assert talk("hv", "ls ISOs") == [  # coreutils fills columns top to bottom
        "alpine-virt-3.20.3-x86_64.iso    ubuntu-24.04.1-live-server-amd64.iso",
        "debian-12.7.0-amd64-netinst.iso",
    ]


def test_what_a_guest_writes_grows_its_disk_file_on_the_host():
    net, _ = build()
    talk = Talk(net)
    before = talk("hv", "ls -l 'VirtualBox VMs/alp/alp.vdi'")[0].split()[4]
    talk("alp", "fallocate -l 100M big")
    after = talk("hv", "ls -l 'VirtualBox VMs/alp/alp.vdi'")[0].split()[4]
    assert int(after) - int(before) == 100 * 1024 * 1024


def test_a_forked_run_has_its_own_files():
    net, _ = build()
    talk = Talk(net)
    talk("vm1", "echo before > f")
    twin = net.fork()
    Talk(twin)("vm1", "echo twin > f")
    assert talk("vm1", "cat f") == ["before"]
    assert Talk(twin)("vm1", "cat f") == ["twin"]


def test_files_on_disk_survive_a_power_cycle_and_tmpfs_does_not():
    net, _ = build()
    talk = Talk(net)
    talk("vm1", "echo kept > notes.txt")
    talk("vm1", "echo lost > /dev/shm/scratch")
    talk("vm1", "cd /tmp")
    talk("hv", "VBoxManage controlvm vm1 poweroff")
    net.run_until(5)
    talk("hv", "VBoxManage startvm vm1")
    net.run_until(60)
    assert talk("vm1", "pwd") == ["/home/ubuntu"]
    assert talk("vm1", "cat notes.txt /dev/shm/scratch") == [
        "kept", "cat: /dev/shm/scratch: No such file or directory"]
