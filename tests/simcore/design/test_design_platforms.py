"""A host's platform and hypervisor type explained in a sentence or two (data the editor shows)."""

import json
from pathlib import Path

import pytest

from simcore.design.platforms import HOST_OS_RESERVE_MB, PLATFORMS, TYPES, explain

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "simcore" / "design" / "schema.json").read_text())


def test_every_platform_and_type_of_the_schema_is_explained():
    host = SCHEMA["$defs"]["kind_host"]["properties"]
    assert list(PLATFORMS) == host["platform"]["enum"]
    assert list(TYPES) == host["hypervisor_type"]["enum"]


@pytest.mark.parametrize(("platform", "kind", "first_words", "note"), [
    ("virtualbox", 2, "VirtualBox is a type 2 hypervisor", None),
    ("virtualbox", 1, "VirtualBox is a type 2 hypervisor", "Oracle VirtualBox is not a type 1 hypervisor: it is type 2."),
    ("xen", 2, "Xen is a type 1 hypervisor", "Xen is not a type 2 hypervisor: it is type 1."),
    ("vmware", 1, "VMware Workstation is a type 2 hypervisor", None),
    ("kvm", 1, "KVM turns the Linux kernel itself into the hypervisor", None),
    ("kvm", 2, "KVM turns the Linux kernel itself into the hypervisor", None),
])
def test_explain(platform, kind, first_words, note):
    said = explain(platform, kind)
    assert said[0].startswith(first_words)
    assert said[1] == TYPES[kind]
    assert said[2:] == ([note] if note else [])


def test_kvm_s_type_is_said_to_be_debated_and_type_2_keeps_ram():
    assert PLATFORMS["kvm"].debated and "debated" in PLATFORMS["kvm"].text
    assert f"{HOST_OS_RESERVE_MB} MB" in TYPES[2]
    assert explain(None, None) == [] and explain("kvm", None) == [PLATFORMS["kvm"].text]
