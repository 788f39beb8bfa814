"""Every trace kind the code emits is documented in docs/trace-events.md, and vice versa."""

import re

from sim_designs import ROOT

DOC = ROOT / "docs" / "trace-events.md"


def emitted_kinds() -> set[str]:
    kinds = set()
    for path in (ROOT / "simcore").rglob("*.py"):
        kinds |= set(re.findall(r'\.emit\(\s*"([a-z_]+\.[a-z_.]+)"', path.read_text()))
    return kinds


def documented_kinds() -> set[str]:
    return set(re.findall(r"^### `([a-z_.]+)`$", DOC.read_text(), flags=re.M))


def test_every_emitted_kind_is_documented():
    assert emitted_kinds() - documented_kinds() == set()


def test_every_documented_kind_is_emitted():
    assert documented_kinds() - emitted_kinds() == set()


def test_every_drop_reason_is_documented():
    reasons = set()
    for path in (ROOT / "simcore").rglob("*.py"):
        text = path.read_text()
        reasons |= set(re.findall(r'reason="([a-z_]+\.[a-z_]+)"', text))
        reasons |= set(re.findall(r'\.drop\([^"]*"([a-z_]+\.[a-z_]+)"', text))
    documented = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", DOC.read_text(), flags=re.M))
    assert reasons and reasons - documented - {"switch.same_port"} == set()


# -- kinds that come from values (protocol notes) and the NAT's and presets' codes ---------------

# A note's kind is written as Note("dhcp.offer", ...), Note(..., kind="tcp.connect") or, where a
# machine picks one of two, a string assigned to ``kind`` first ("dhcp.renew" if ... else "dhcp.rebind").
NOTE_KIND = re.compile(r'(?:Note\(\s*|kind=|kind = |else )"((?:dhcp|tcp|nat)\.[a-z_-]+)"')


def note_kinds_in_code() -> set[str]:
    kinds = set()
    for folder in ("apps/dhcp", "apps/tcp", "devices/nat"):
        for path in (ROOT / "simcore" / folder).rglob("*.py"):
            kinds |= set(NOTE_KIND.findall(path.read_text()))
    return kinds


def documented_note_kinds() -> set[str]:
    section = DOC.read_text().split("## Protocol notes", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    return {kind for line in table for kind in re.findall(r"`([a-z]+\.[a-z_-]+)`", line.split(" | ")[0])}


def test_every_protocol_note_kind_in_the_code_is_documented_and_back():
    in_code = note_kinds_in_code()
    assert {"nat.mapping-created", "nat.expired", "dhcp.bound", "tcp.established"} <= in_code  # the scan works
    assert in_code ^ documented_note_kinds() == set()


def test_every_nat_verdict_reason_is_documented():
    text = (ROOT / "simcore" / "devices" / "nat" / "verdict.py").read_text()
    reasons = set(re.findall(r'^[A-Z_]+ = "(nat\.[a-z.-]+)"', text, flags=re.M))
    assert {"nat.drop.no-mapping", "nat.snat"} <= reasons
    doc = DOC.read_text() + (ROOT / "docs" / "nat.md").read_text()
    assert {r for r in reasons if f"`{r}`" not in doc} == set()
    # the ones that end a packet are in this file's drop table or its NAT paragraph
    drops = {r for r in reasons if r.startswith("nat.drop.")}
    assert {r for r in drops if f"`{r}`" not in DOC.read_text()} == set()


def test_the_vbox_preset_kinds_are_documented_sections():
    emitted = emitted_kinds()
    assert {"vbox.attached", "vbox.nat"} <= emitted
    assert {"vbox.attached", "vbox.nat"} <= documented_kinds()
