"""VBoxManage on the host's console: what it prints, as VirtualBox 7's tool does, and its refusals."""

import pytest
from virt_designs import MS, S, build, lan_design, lines


def host_output(script, until=5.0, **kw):
    net = build(lan_design(script=[(at, "hv", f"VBoxManage {line}") for at, line in script], **kw))
    net.run_until(until)
    return net, lines(net, "hv")


def test_list_vms_and_runningvms():
    net, out = host_output([(1.0, "list vms"), (1.0, "list runningvms"), (2.0, "startvm vm1"),
                            (3.0, "list runningvms")])
    uuid1, uuid2 = net.machines["vm1"].uuid, net.machines["vm2"].uuid
    assert [text for t, text in out if t in (S, 3 * S)] == [
        f'"vm1" {{{uuid1}}}', f'"vm2" {{{uuid2}}}',  # list vms
        f'"vm2" {{{uuid2}}}',  # list runningvms at 1 s: vm1 is off
        f'"vm1" {{{uuid1}}}', f'"vm2" {{{uuid2}}}',  # at 3 s
    ]
    assert len({uuid1, uuid2}) == 2 and build(lan_design()).machines["vm1"].uuid == uuid1  # stable


def test_startvm_waits_until_the_vm_runs():
    _, out = host_output([(1.0, "startvm vm1 --type headless")])
    assert out == [(S, 'Waiting for VM "vm1" to power on...'), (1500 * MS, 'VM "vm1" has been successfully started.')]


def test_savestate_and_poweroff_print_their_progress_when_done():
    _, out = host_output([(1.0, "controlvm vm2 savestate"), (3.0, "startvm vm2"), (5.0, "controlvm vm2 poweroff")],
                         until=6)
    progress = "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%"
    assert out == [(2 * S, progress), (3 * S, 'Waiting for VM "vm2" to power on...'),
                   (4 * S, 'VM "vm2" has been successfully started.'), (5100 * MS, progress)]


@pytest.mark.parametrize(("line", "printed", "status"), [
    ("controlvm vm1 pause", ["VBoxManage: error: Machine 'vm1' is not currently running"], 1),
    ("controlvm vm2 resume", ["VBoxManage: error: Cannot resume the machine as it is not paused (machine state: "
                              "Running)",
                              "VBoxManage: error: Details: code VBOX_E_INVALID_VM_STATE (0x80bb0002), component "
                              "ConsoleWrap, interface IConsole, callee nsISupports"], 1),
    ("startvm vm2", ["VBoxManage: error: The machine 'vm2' is already locked by a session (or being locked or "
                     "unlocked)",
                     "VBoxManage: error: Details: code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component MachineWrap, "
                     "interface IMachine, callee nsISupports"], 1),
    ("startvm nosuchvm", ["VBoxManage: error: Could not find a registered machine named 'nosuchvm'",
                          "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component "
                          "VirtualBoxWrap, interface IVirtualBox, callee nsISupports"], 1),
    ("controlvm vm2 explode", ["VBoxManage: error: Invalid parameter 'explode'"], 2),
    ("list everything", ["VBoxManage: error: Invalid parameter 'everything'"], 2),
    ("frobnicate", ["VBoxManage: error: Unknown command 'frobnicate'"], 2),
])
def test_refusals_in_vboxmanage_s_words(line, printed, status):
    trace = []
    net = build(lan_design(script=[(1.0, "hv", f"VBoxManage {line}")]), trace)
    net.run_until(2)
    assert [text for _, text in lines(net, "hv")] == printed
    assert [e["exit"] for e in trace if e["kind"] == "command.exit"] == [status]
    assert (net.machines["vm1"].state, net.machines["vm2"].state) == ("PoweredOff", "Running")


def test_a_refused_action_is_traced_with_the_sentence():
    trace = []
    net = build(lan_design(script=[(1.0, "hv", "VBoxManage controlvm vm2 resume")]), trace)
    net.run_until(2)
    refused = [(e["node"], e["action"], e["msg"]) for e in trace if e["kind"] == "vm.refused"]
    assert refused == [("vm2", "resume", "Cannot resume the machine as it is not paused (machine state: Running)")]


def test_showvminfo():
    net, out = host_output([(1.0, "startvm vm1"), (2.0, "showvminfo vm1")])
    uuid = net.machines["vm1"].uuid
    disk = net.nodes["vm1"].guest.hardware.disks[0].medium.uuid
    assert [text for t, text in out if t == 2 * S] == [
        "Name:                        vm1",
        "Encryption:                  disabled",
        "Groups:                      /",
        "Guest OS:                    Ubuntu (64-bit)",
        f"UUID:                        {uuid}",
        "Config file:                 /home/student/VirtualBox VMs/vm1/vm1.vbox",
        "Memory size:                 2048MB",
        "Number of CPUs:              2",
        "Hardware Virtualization:     enabled",
        "State:                       running (since 2026-01-01T00:00:01.500000000)",
        f"SATA (0, 0):                 /home/student/VirtualBox VMs/vm1/vm1.vdi (UUID: {disk})",
        "IDE (1, 0):                  Empty",
        "NIC 1:                       MAC: 080027000011, Attachment: Internal Network 'lan', Cable connected: on, "
        "Trace: off (file: none), Type: 82540EM, Reported speed: 0 Mbps, Boot priority: 0, Promisc Policy: deny, "
        "Bandwidth group: none",
    ]


def test_a_host_without_vms_finds_none():
    net = build(lan_design(script=[(1.0, "srv", "VBoxManage list vms"), (1.0, "srv", "VBoxManage startvm vm1")]))
    net.run_until(2)
    assert [text for _, text in lines(net, "srv")] == [  # list vms prints nothing
        "VBoxManage: error: Could not find a registered machine named 'vm1'",
        "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, "
        "interface IVirtualBox, callee nsISupports"]
