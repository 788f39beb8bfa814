"""Every power state x every hardware change: done, or refused with VirtualBox's exact words and
nothing changed."""

import copy

import pytest

from simcore.virt.hardware import Hardware, NicSetting, Refusal, check_params
from simcore.virt.power import STATES
from simcore.virt.store import Medium

LOCKED = "The machine 'vm1' is already locked for a session (or being unlocked)"
NOT_RUNNING = "Machine 'vm1' is not currently running."


def hw() -> Hardware:
    h = Hardware("vm1", 2048, 2, nics=[NicSetting("eth0", "08:00:27:00:00:01", "nat")])
    h.attach_disk("PoweredOff", 0, Medium("/s/vm1/vm1.vdi", 25600, "u0"))
    h.attach_disk("PoweredOff", 1, Medium("/s/vm1/fixed.vdi", 1024, "u1"))
    h.attach_disk("PoweredOff", 2, Medium("/s/vm1/hot.vdi", 1024, "u2"), hotpluggable=True)
    return h


def expected_settings(state: str) -> str | None:  # modifyvm: RAM, CPUs, NICs
    if state in ("PoweredOff", "Aborted"):
        return None
    if state == "Saved":
        return "The machine is not mutable (state is Saved)"
    return LOCKED


def expected_live(state: str) -> str | None:  # controlvm: cable, attachment
    return None if state in ("Running", "Paused") else NOT_RUNNING


def expected_storage(state: str, hot_ok: bool) -> str | None:  # storageattach
    if state == "Saved":
        return "The machine is not mutable or running (state is Saved)"
    if state in ("PoweredOff", "Aborted") or hot_ok:
        return None
    return "The device slot 0 on port 1 of controller 'SATA' does not support hot-plugging"


CHANGES = {
    "ram": (lambda h, s: h.set_ram(s, 4096), expected_settings),
    "cpus": (lambda h, s: h.set_cpus(s, 4), expected_settings),
    "add nic": (lambda h, s: h.set_nic(s, 2, "intnet", "lab", "08:00:27:00:00:02"), expected_settings),
    "remove nic": (lambda h, s: h.set_nic(s, 1, "none", None, ""), expected_settings),
    "cable": (lambda h, s: h.set_cable(s, 1, False), expected_live),
    "attachment": (lambda h, s: h.set_attachment(s, 1, "intnet", "lab"), expected_live),
    "add disk": (lambda h, s: h.attach_disk(s, 5, Medium("/s/vm1/new.vdi", 64, "u5")),
                 lambda s: expected_storage(s, hot_ok=True)),
    "remove fixed disk": (lambda h, s: h.detach_disk(s, 1), lambda s: expected_storage(s, hot_ok=False)),
    "remove hot-pluggable disk": (lambda h, s: h.detach_disk(s, 2), lambda s: expected_storage(s, hot_ok=True)),
    "insert dvd": (lambda h, s: h.set_dvd(s, "/iso/a.iso"), lambda s: expected_storage(s, hot_ok=True)),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_change_in_each_state(change, state):
    do, expect = CHANGES[change]
    h = hw()
    before = copy.deepcopy(h)
    wanted = expect(state)
    if wanted is None:
        changes = do(h, state)
        assert changes and h != before
    else:
        with pytest.raises(Refusal) as info:
            do(h, state)
        assert info.value.message == wanted
        assert h == before
        assert info.value.why and info.value.lines()[0] == f"VBoxManage: error: {wanted}"


@pytest.mark.parametrize("call, message", [
    (lambda h: h.set_ram("PoweredOff", 3), "Invalid RAM size: 3 MB (must be in range [4, 2097152] MB)"),
    (lambda h: h.set_ram("PoweredOff", 2097153), "Invalid RAM size: 2097153 MB (must be in range [4, 2097152] MB)"),
    (lambda h: h.set_cpus("PoweredOff", 0), "Invalid virtual CPU count: 0 (must be in range [1, 32])"),
    (lambda h: h.set_cpus("PoweredOff", 33), "Invalid virtual CPU count: 33 (must be in range [1, 32])"),
    (lambda h: h.set_ram("Running", 3), LOCKED),  # VBoxManage cannot even lock a running VM's settings
    (lambda h: h.set_cable("Running", 2, False), "Invalid NIC number '2'."),
    (lambda h: h.set_nic("PoweredOff", 9, "nat", None, ""), "Invalid NIC number '9'."),
    (lambda h: h.attach_disk("Running", 0, Medium("/s/x.vdi", 1, "x"), controller="IDE"),
     "Controller 'IDE' does not support hot-plugging"),
    (lambda h: h.attach_disk("PoweredOff", 1, Medium("/s/x.vdi", 1, "x")),
     "Medium '/s/vm1/fixed.vdi' is already attached to port 1, device 0 of controller 'SATA' of this virtual machine"),
    (lambda h: h.attach_disk("PoweredOff", 7, Medium("/s/vm1/hot.vdi", 1, "x")),
     "Medium '/s/vm1/hot.vdi' is already attached to this virtual machine"),
    (lambda h: h.detach_disk("PoweredOff", 9),
     "No storage device attached to device slot 0 on port 9 of controller 'SATA'"),
])
def test_bad_values_are_refused_in_virtualboxs_words(call, message):
    h = hw()
    before = copy.deepcopy(h)
    with pytest.raises(Refusal) as info:
        call(h)
    assert info.value.message == message
    assert h == before


def test_the_ram_range_ends_are_allowed():
    h = hw()
    assert h.set_ram("PoweredOff", 4)[0].after == 4
    assert h.set_ram("PoweredOff", 2097152)[0].after == 2097152
    assert h.set_ram("PoweredOff", 2097152) == []  # no change, nothing to say


def test_a_disk_attached_while_running_can_leave_while_running():
    h = hw()
    h.attach_disk("Running", 5, Medium("/s/vm1/new.vdi", 64, "u5"))
    assert h.slot(5).hotpluggable and h.slot(5).device_name == "sdd"
    h.detach_disk("Running", 5)
    assert h.slot(5) is None


def test_new_disks_take_the_lowest_free_letter():
    h = hw()
    h.detach_disk("PoweredOff", 1)  # sdb is free again
    h.attach_disk("PoweredOff", 9, Medium("/s/vm1/n.vdi", 64, "n"))
    assert [(d.port, d.device_name) for d in h.disks] == [(0, "sda"), (2, "sdc"), (9, "sdb")]


def test_nics_are_added_and_removed_at_the_end_only():
    h = hw()
    assert h.set_nic("PoweredOff", 2, "hostonly", "vboxnet0", "08:00:27:00:00:02")[0].after == "eth1"
    with pytest.raises(Refusal) as info:
        h.set_nic("PoweredOff", 1, "none", None, "")
    assert info.value.ours and "remove NIC 2 first" in info.value.lines()[-1]
    with pytest.raises(Refusal):
        h.set_nic("PoweredOff", 4, "nat", None, "")
    assert [n.name for n in h.nics] == ["eth0", "eth1"]


def test_a_drawn_nic_is_not_changed_by_vboxmanage():
    h = Hardware("vm1", 1024, 1, nics=[NicSetting("eth0", "08:00:27:00:00:01", None, drawn=True)])
    with pytest.raises(Refusal) as info:
        h.set_attachment("Running", 1, "nat", None)
    assert "cabled by a link of the design" in info.value.message
    assert h.set_cable("Running", 1, False)[0].item == "eth0"  # its cable can still be pulled


@pytest.mark.parametrize("action, params, error", [
    ("modifyvm", {}, "modifyvm needs memory, cpus or nic"),
    ("modifyvm", {"memory": "4096"}, "modifyvm: memory must be int, not '4096'"),
    ("modifyvm", {"memory": True}, "modifyvm: memory must be int, not True"),
    ("modifyvm", {"ram": 4096}, "modifyvm takes memory, cpus, nic, mode, network, not 'ram'"),
    ("modifyvm", {"nic": 2}, "modifyvm with nic needs mode (none, or an attachment)"),
    ("setlinkstate", {"nic": 1}, "setlinkstate needs on"),
    ("setlinkstate", {"nic": 1, "on": 1}, "setlinkstate: on must be bool, not 1"),
    ("storageattach", {"port": 1}, "storageattach needs medium"),
])
def test_the_doors_parameters_are_checked(action, params, error):
    with pytest.raises(ValueError) as info:
        check_params(action, params)
    assert str(info.value) == error
