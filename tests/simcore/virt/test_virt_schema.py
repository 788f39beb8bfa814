"""The design's ``power`` settings of a VM and ``cpu_model`` of a host: JSON Schema defaults equal to
what the engine fills in, and bad values refused at their path."""

import json
from pathlib import Path

import pytest
from virt_designs import lan_design

from simcore.design import validate
from simcore.virt.machine import DEFAULT_CPU_MODEL, POWER_DEFAULTS, power_settings
from simcore.virt.power import INITIAL_STATES

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "simcore" / "design" / "schema.json").read_text())


def test_the_schema_s_defaults_are_the_engine_s():
    power = SCHEMA["$defs"]["kind_vm"]["properties"]["power"]["properties"]
    assert {key: spec["default"] for key, spec in power.items()} == POWER_DEFAULTS
    assert power["initial"]["enum"] == list(INITIAL_STATES)
    assert SCHEMA["$defs"]["kind_host"]["properties"]["cpu_model"]["default"] == DEFAULT_CPU_MODEL
    assert power_settings({}) == {"initial": "running", "dhcp_at_boot": True, "autostart": False,
                                  "autostop": "poweroff"}
    assert power_settings({"power": {"initial": "off"}}) == {"initial": "off", "dhcp_at_boot": True,
                                                             "autostart": False, "autostop": "poweroff"}


def test_a_design_with_power_settings_is_valid():
    assert validate(lan_design(initial="saved", dhcp_at_boot=False, cpu_model="AMD EPYC 7763")) == []


@pytest.mark.parametrize(("change", "code", "path"), [
    (lambda d: d["nodes"][3]["power"].update(initial="sleeping"), "schema.enum", "nodes[3].power.initial"),
    (lambda d: d["nodes"][3]["power"].update(dhcp_at_boot="yes"), "schema.type", "nodes[3].power.dhcp_at_boot"),
    (lambda d: d["nodes"][3]["power"].update(boot_s=3), "schema.unknown_field", "nodes[3].power.boot_s"),
    (lambda d: d["nodes"][0].update(cpu_model=""), "schema.min_length", "nodes[0].cpu_model"),
    (lambda d: d["nodes"][2].update(power={"initial": "off"}), "schema.unknown_field", "nodes[2].power"),
])
def test_bad_power_settings_are_refused_at_their_path(change, code, path):
    doc = lan_design()
    change(doc)
    problems = validate(doc)
    assert [(p.code, p.path) for p in problems] == [(code, path)]
