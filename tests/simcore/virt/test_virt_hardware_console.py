"""Hardware by software as conversations: VBoxManage on the host, what the guest then shows, the
run's door (logged, refused, replayed), the cable on the wire."""

from virt_guests import DESIGN, Talk, build

from simcore.network import Network

STORE = "/home/student/VirtualBox VMs"


def powered_off(net, talk) -> None:
    talk("hv", "VBoxManage controlvm vm1 poweroff")
    net.run_until(5)


def test_ram_cpus_and_a_new_disk_while_off_then_what_the_guest_shows():
    net, _ = build()
    talk = Talk(net)
    assert talk("hv", "VBoxManage modifyvm vm1 --memory 4096") == [
        "VBoxManage: error: The machine 'vm1' is already locked for a session (or being unlocked)",
        "VBoxManage: error: Details: code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component MachineWrap, "
        "interface IMachine, callee nsISupports",
    ]
    assert talk.status("hv") == 1
    powered_off(net, talk)
    assert talk("hv", "VBoxManage modifyvm vm1 --memory 2")[0] == (
        "VBoxManage: error: Invalid RAM size: 2 MB (must be in range [4, 2097152] MB)")
    assert talk("hv", "VBoxManage modifyvm vm1 --memory 4096 --cpus 8") == []
    assert talk("hv", f"VBoxManage createmedium disk --filename '{STORE}/vm1/data.vdi' --size 1024") == [
        "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%",
        "Medium created. UUID: 70a01293-b473-472b-a837-e401ea72c776",
    ]
    assert talk("hv", "VBoxManage createmedium disk --filename /tmp/x.vdi --size 10") == [
        "VBoxManage: error: Could not create the medium storage unit '/tmp/x.vdi'.",
        "(the disk file /tmp/x.vdi is outside hv's machine folder /home/student/VirtualBox VMs: the simulator "
        "keeps every disk image of hv there)",
    ]
    assert talk("hv", f"VBoxManage storageattach vm1 --storagectl SATA --port 1 --device 0 --type hdd "
                      f"--medium '{STORE}/vm1/data.vdi'") == []
    talk("hv", "VBoxManage startvm vm1 --type headless")
    net.run_until(60)
    assert talk("vm1", "nproc") == ["8"]
    assert talk("vm1", "free -m") == [
        "               total        used        free      shared  buff/cache   available",
        "Mem:            3942         282        3240           1         420        3576",
        "Swap:              0           0           0",
    ]
    assert talk("vm1", "lsblk") == [
        "NAME   MAJ:MIN RM  SIZE RO TYPE MOUNTPOINTS",
        "sda      8:0    0   25G  0 disk ",
        "└─sda1   8:1    0   25G  0 part /",
        "sdb      8:16   0    1G  0 disk ",
        "sr0     11:0    1 1024M  0 rom  ",
    ]
    # A new disk is blank: format it, mount it, use it.
    assert talk("vm1", "sudo mount /dev/sdb /mnt")[0].startswith("mount: /mnt: wrong fs type, bad option")
    assert talk("vm1", "mkfs.ext4 /dev/sdb")[1:] == ["Could not open /dev/sdb: Permission denied"]
    assert talk("vm1", "sudo mkfs.ext4 /dev/sdb")[1] == "Creating filesystem with 262144 4k blocks and 65536 inodes"
    assert talk("vm1", "sudo mount /dev/sdb /mnt") == []
    assert talk("vm1", "df -h /mnt") == ["Filesystem      Size  Used Avail Use% Mounted on",
                                         "/dev/sdb        1.0G  8.0K  1.0G   1% /mnt"]
    assert talk("vm1", "sudo mkfs.ext4 /dev/sdb")[1:] == ["/dev/sdb is mounted; will not make a filesystem here!"]


def test_disks_follow_the_hot_plug_rules_and_the_dvd_changes_while_running():
    net, _ = build()
    talk = Talk(net)
    talk("hv", f"VBoxManage createmedium disk --filename '{STORE}/vm1/hot.vdi' --size 64")
    attach = "VBoxManage storageattach vm1 --storagectl SATA --port 1 --device 0 --type hdd --medium"
    assert talk("hv", f"{attach} '{STORE}/vm1/hot.vdi'") == []  # running: SATA takes it, hot-pluggable
    assert talk("vm1", "lsblk")[3] == "sdb      8:16   0   64M  0 disk "
    assert talk("hv", f"{attach} none") == []
    assert talk("hv", "VBoxManage storageattach vm1 --storagectl SATA --port 0 --device 0 --type hdd "
                      "--medium none")[0] == ("VBoxManage: error: The device slot 0 on port 0 of controller 'SATA' "
                                              "does not support hot-plugging")
    assert talk("hv", f"VBoxManage storageattach vm1 --storagectl IDE --port 0 --device 0 --type hdd "
                      f"--medium '{STORE}/vm1/hot.vdi'")[0] == (
        "VBoxManage: error: Controller 'IDE' does not support hot-plugging")
    iso = "/home/student/ISOs/alpine-virt-3.20.3-x86_64.iso"
    dvd = "VBoxManage storageattach vm1 --storagectl IDE --port 1 --device 0 --type dvddrive --medium"
    assert talk("hv", f"{dvd} {iso}") == []
    assert talk("vm1", "lsblk")[-1] == "sr0     11:0    1  62M  0 rom  "
    assert talk("vm1", "sudo mount /dev/sr0 /media") == [
        "mount: /media: WARNING: source write-protected, mounted read-only."]
    assert talk("vm1", "touch /media/x") == ["touch: cannot touch '/media/x': Read-only file system"]
    assert talk("hv", f"{dvd} emptydrive") == []  # ejected: its mount goes with it
    assert talk("vm1", "mount")[-1] == "tmpfs on /run/lock type tmpfs (rw,nosuid,nodev,relatime)"
    assert talk("hv", f"{dvd} /home/student/nothing.iso") == [
        "VBoxManage: error: Could not find file for the medium '/home/student/nothing.iso' (VERR_FILE_NOT_FOUND)"]


def test_the_host_lists_disk_files_and_its_memory_given_to_vms():
    net, _ = build()
    talk = Talk(net)
    assert talk("hv", "VBoxManage list hdds")[:8] == [
        "UUID:           5552bbe3-1ee9-4fa2-aa24-69b3236e1f38",
        "Parent UUID:    base",
        "State:          created",
        "Type:           normal (base)",
        f"Location:       {STORE}/vm1/vm1.vdi",
        "Storage format: VDI",
        "Capacity:       25600 MBytes",
        "Encryption:     disabled",
    ]
    info = talk("hv", "VBoxManage list hostinfo")
    assert "Memory size: 8192 MByte" in info
    assert "Memory available: 4358 MByte" in info  # 8192 - 250 for the host's own - 3584 for its VMs
    assert "Processor#0 description: Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz" in info


def test_the_cable_pulled_and_plugged_back_on_the_wire():
    trace: list[dict] = []
    net = Network.from_design(DESIGN, trace=trace)
    talk = Talk(net)
    net.command("deb", "ping -c 2 10.0.0.2", at=1)
    net.command("hv", "VBoxManage controlvm alp setlinkstate1 off", at=4)
    net.command("deb", "ping -c 2 -W 1 10.0.0.2", at=5)
    net.command("hv", "VBoxManage controlvm alp setlinkstate1 on", at=12)
    net.command("deb", "ping -c 2 10.0.0.2", at=13)
    net.run_until(20)
    stats = [text for _t, node, text in net.console_lines() if node == "deb" and "packets transmitted" in text]
    assert stats == ["2 packets transmitted, 2 received, 0% packet loss, time 1000ms",
                     "2 packets transmitted, 0 received, 100% packet loss, time 1000ms",
                     "2 packets transmitted, 2 received, 0% packet loss, time 1000ms"]
    kinds = [(e["kind"], e["t"] // 10**9) for e in trace if e["kind"] in ("vm.hardware", "switch.flushed")]
    assert kinds == [("vm.hardware", 4), ("switch.flushed", 4), ("vm.hardware", 12)]
    assert any(e["kind"] == "packet.dropped" and e.get("reason") == "link.no_carrier" for e in trace)
    assert talk("hv", "VBoxManage controlvm alp setlinkstate2 off") == ["VBoxManage: error: Invalid NIC number '2'."]


def test_the_door_checks_logs_refuses_and_replays():
    trace: list[dict] = []
    net = Network.from_design(DESIGN, trace=trace)
    assert net.check_vm_action("vm1", "modifyvm", memory=4096) == (
        "The RAM of vm1 can only be changed while it is powered off; it is Running "
        "(VirtualBox: The machine 'vm1' is already locked for a session (or being unlocked))")
    net.vm_action("vm1", "modifyvm", memory=4096, at=1)  # logged, refused when it runs
    net.vm_action("vm1", "poweroff", at=2)
    net.vm_action("vm1", "modifyvm", memory=8192, cpus=4, at=10)
    net.vm_action("vm1", "storageattach", medium="/home/student/ISOs/debian-12.7.0-amd64-netinst.iso",
                  type="dvddrive", controller="IDE", port=1, at=11)
    net.run_until(12)
    assert [a["vm"] for a in net.actions] == ["modifyvm", "poweroff", "modifyvm", "storageattach"]
    refused = [e for e in trace if e["kind"] == "vm.refused"]
    assert len(refused) == 1 and refused[0]["t"] == 10**9
    assert net.machines["vm1"].ram_mb == 8192 and net.machines["vm1"].vcpus == 4
    table = net.tables()["vms"]["vm1"]["hardware"]
    assert table["dvd"] == "/home/student/ISOs/debian-12.7.0-amd64-netinst.iso"
    assert table["disks"][0]["path"] == f"{STORE}/vm1/vm1.vdi"
    ram = next(e for e in trace if e["kind"] == "vm.hardware" and e["what"] == "ram_mb")
    assert ram["text"] == (  # with the design checks' over-commit words
        "vm1 now has 8192 MB of RAM (it had 2048 MB); the guest sees it at its next boot. The VMs on hv (vm1, deb "
        "and alp) have 6 virtual CPUs but hv has 4 cores: they will take turns and run slower. The VMs on hv (vm1, "
        "deb and alp) ask for 9728 MB of RAM but hv has 8192 MB: the host will swap, or refuse to start some of them.")
    # The same document and action log give the same trace.
    again: list[dict] = []
    twin = Network.from_design(DESIGN, trace=again)
    for a in net.actions:
        twin.vm_action(a["node"], a["vm"], at=a["t"] / 1e9, **a["params"])
    twin.run_until(12)
    assert [e["text"] for e in again] == [e["text"] for e in trace]


def test_bad_input_at_the_door_is_refused_before_it_is_logged():
    net = Network.from_design(DESIGN)
    for call in (lambda: net.vm_action("vm1", "modifyvm", ram=1), lambda: net.vm_action("hv", "modifyvm", memory=1),
                 lambda: net.vm_action("vm1", "setlinkstate", nic=1)):
        try:
            call()
        except ValueError:
            continue
        raise AssertionError("accepted")
    assert net.actions == []


def test_a_fork_keeps_each_disk_one_object_with_its_mount():
    net, _ = build()
    talk = Talk(net)
    powered_off(net, talk)
    talk("hv", f"VBoxManage createmedium disk --filename '{STORE}/vm1/d.vdi' --size 64")
    talk("hv", f"VBoxManage storageattach vm1 --storagectl SATA --port 1 --device 0 --type hdd "
               f"--medium '{STORE}/vm1/d.vdi'")
    talk("hv", "VBoxManage startvm vm1")
    net.run_until(60)
    talk("vm1", "sudo mkfs.ext4 /dev/sdb")
    talk("vm1", "sudo mount /dev/sdb /mnt")
    twin = net.fork()
    other = Talk(twin)
    other("vm1", "sudo fallocate -l 10M /mnt/f")
    assert other("vm1", "lsblk")[3] == "sdb      8:16   0   64M  0 disk /mnt"
    size = lambda t: int(t("hv", f"ls -l '{STORE}/vm1/d.vdi'")[0].split()[4])  # noqa: E731
    assert size(other) - size(talk) == 10 * 1024 * 1024


def test_a_frame_reaching_a_nic_whose_cable_is_pulled_is_dropped():
    from simcore.packets import Ethernet

    trace: list[dict] = []
    net = Network.from_design(DESIGN, trace=trace)
    Talk(net)("hv", "VBoxManage controlvm vm1 setlinkstate1 off")
    nic = net.nodes["vm1"].nics["eth0"]
    stack = net.nodes["vm1"].stack
    before = dict(stack.counters)
    nic.handler(nic, Ethernet(nic.mac, "02:00:00:00:00:01", 0x0806, b"\0" * 28))  # as its NAT engine would
    assert stack.counters == before
    assert trace[-1]["kind"] == "packet.dropped" and trace[-1]["reason"] == "link.no_carrier"
    Talk(net)("hv", "VBoxManage controlvm vm1 setlinkstate1 on")
    assert net.machines["vm1"]._fast is not None  # the receive shortcut is back once every cable is in
