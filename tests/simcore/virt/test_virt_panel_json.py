"""simcore/virt/panel.json (what the live panel enables its VM controls from) is generated from the
engine's tables and up to date: the browser keeps no hand-written copy of VirtualBox's rules."""

import json

from simcore.virt import panel, power
from simcore.virt.hardware import state_refusals


def test_the_file_is_what_the_engine_makes_now():
    assert panel.PATH.read_text() == panel.text(), "run: python -m simcore.virt.panel"


def test_it_says_what_the_engine_says_for_every_state_and_control():
    facts = json.loads(panel.PATH.read_text())
    for state in power.STATES:
        for action in power.CONTROLS:
            template = facts["refusals"][state][action]
            engine = power.refusal(state, action, "vm1")
            assert (template.replace("{name}", "vm1") if template else None) == engine
        changes = {k: (v.replace("{name}", "vm1") if v else None) for k, v in facts["changes"][state].items()}
        assert changes == state_refusals("vm1", state)
    assert facts["leads_to"]["PoweredOff"] == {"start": {"via": "Starting", "to": "Running"}}
    assert facts["leads_to"]["Running"]["crash"] == {"via": None, "to": "Aborted"}
    assert facts["clone"]["PoweredOff"] is None and facts["clone"]["Saved"] is None
    assert facts["clone"]["Running"].startswith("Cannot clone the machine '{name}' while it is running")
    assert facts["transitional"] == ["Starting", "Saving", "Restoring", "Stopping"]
