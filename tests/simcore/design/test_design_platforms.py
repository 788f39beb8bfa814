"""A host's platform and hypervisor type explained in a sentence or two (data the editor shows)."""

import json
from pathlib import Path

import pytest

from simcore.design.annotations import annotation_problems
from simcore.design.platforms import HOST_OS_RESERVE_MB, PLATFORMS, TYPES, contradiction, explain

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


def test_the_facts_are_the_schema_s_x_choices():
    host = SCHEMA["$defs"]["kind_host"]["properties"]
    for choice in host["platform"]["x-choices"]:
        platform = PLATFORMS[choice["value"]]
        assert (platform.label, platform.text, list(platform.types)) == (choice["title"], choice["description"], choice["types"])
    reserve = next(c for c in host["hypervisor_type"]["x-choices"] if c["value"] == 2)["host_os_mb"]
    assert HOST_OS_RESERVE_MB == reserve and f"{reserve} MB" in TYPES[2]
    assert PLATFORMS["virtualbox"].label == "Oracle VirtualBox"


def test_contradiction_only_when_the_platform_is_not_that_type():
    assert contradiction("virtualbox", 1) == "Oracle VirtualBox is not a type 1 hypervisor: it is type 2."
    assert contradiction("hyperv", 2) == "Microsoft Hyper-V is not a type 2 hypervisor: it is type 1."
    assert [contradiction(p, t) for p, t in (("virtualbox", 2), ("kvm", 1), ("kvm", 2), ("vmware", 1), (None, 1), ("xen", None))] == [None] * 6


def test_a_broken_x_choices_is_refused():
    broken = json.loads(json.dumps(SCHEMA))
    broken["$defs"]["kind_host"]["properties"]["platform"]["x-choices"].pop()
    broken["$defs"]["nic"]["properties"]["mode"]["x-choices"][0]["description"] = ""
    assert sorted(annotation_problems(broken)) == [
        "$defs/kind_host/properties/platform/x-choices does not list the enum "
        "['virtualbox', 'vmware', 'xen', 'hyperv', 'kvm'] in order",
        "$defs/nic/properties/mode/x-choices entry 'nat' has no description",
    ]
