"""A VM's disks, DVD and RAM in the design: what the schema refuses, what the build refuses (with
the path and the reason), what a valid design gives the guest."""

import pytest
from virt_guests import Talk, build, design

from simcore.design import DesignError, validate


@pytest.mark.parametrize("vm1, path", [
    ({"ram_mb": 3}, "nodes[1].ram_mb"),
    ({"disks": []}, "nodes[1].disks"),
    ({"disks": [{"name": "vm1", "size": 10}]}, "nodes[1].disks[0].size"),
    ({"disks": [{"name": "../up"}]}, "nodes[1].disks[0].name"),
    ({"disks": [{"name": "vm1", "path": "relative.vdi"}]}, "nodes[1].disks[0].path"),
    ({"dvd": {"iso": "x.iso"}}, "nodes[1].dvd.iso"),
])
def test_the_schema_refuses(vm1, path):
    assert path in [p.path for p in validate(design(**vm1))]


@pytest.mark.parametrize("vm1, code, path, msg", [
    ({"disks": [{"name": "vm1", "path": "/tmp/vm1.vdi"}]}, "build.disk", "nodes[1].disks[0].path",
     "vm1's disk vm1: the disk file /tmp/vm1.vdi is outside hv's machine folder /home/student/VirtualBox VMs: "
     "the simulator keeps every disk image of hv there"),
    ({"disks": [{"name": "vm1"}, {"name": "vm1"}]}, "build.disk", "nodes[1].disks[1].path",
     "vm1's disk vm1: /home/student/VirtualBox VMs/vm1/vm1.vdi already exists on hv"),
    ({"disks": [{"name": "vm1", "path": "/home/student/VirtualBox VMs/vm1/vm1.img"}]}, "build.disk",
     "nodes[1].disks[0].path", "vm1's disk vm1: a disk image's name ends in .vdi, .vmdk, .vhd (its format)"),
    ({"dvd": {"iso": "/home/student/nothing.iso"}}, "build.dvd", "nodes[1].dvd.iso",
     "vm1's DVD drive: hv has no file /home/student/nothing.iso to put in the DVD drive"),
])
def test_the_build_refuses_with_the_path_and_why(vm1, code, path, msg):
    doc = design(**vm1)
    assert validate(doc) == []
    with pytest.raises(DesignError) as info:
        build(doc)
    assert [(p.code, p.path, p.msg) for p in info.value.problems] == [(code, path, msg)]


def test_a_designs_disks_and_dvd_in_the_guest_and_on_the_host():
    net, guests = build(design(
        disks=[{"name": "system", "size_mb": 10240},
               {"name": "data", "size_mb": 512, "mount": "/data", "hotpluggable": True}],
        dvd={"iso": "/home/student/ISOs/debian-12.7.0-amd64-netinst.iso"}))
    talk = Talk(net)
    assert talk("vm1", "lsblk") == [
        "NAME   MAJ:MIN RM SIZE RO TYPE MOUNTPOINTS",  # no size is five characters wide here
        "sda      8:0    0  10G  0 disk ",
        "└─sda1   8:1    0  10G  0 part /",
        "sdb      8:16   0 512M  0 disk /data",
        "sr0     11:0    1 631M  0 rom  ",
    ]
    assert talk("vm1", "df -h /data") == ["Filesystem      Size  Used Avail Use% Mounted on",
                                          "/dev/sdb        512M  8.0K  512M   1% /data"]
    assert talk("hv", "ls 'VirtualBox VMs/vm1'") == ["data.vdi  system.vdi  vm1.vbox"]
    slots = guests["vm1"].hardware.disks
    assert [(s.port, s.hotpluggable) for s in slots] == [(0, False), (1, True)]
