"""The layer rules (simcore.packets imports only the stdlib and itself; header modules never
import one another, payloads are decoded through the registry) and determinism."""

import ast
import json
import os
import pathlib
import subprocess
import sys

import pytest

import simcore.packets
from simcore.packets import ETH_IPV4, PROTO_UDP, Ethernet, IPv4, PacketError, Udp, Vxlan, dispatch
from simcore.packets.icmp import ICMP_ECHO_REQUEST, IcmpEcho

PACKAGE = pathlib.Path(simcore.packets.__file__).parent
REPO = PACKAGE.parent.parent


def test_packets_imports_only_stdlib_and_itself():
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level == 0 and node.module.split(".")[0] not in sys.stdlib_module_names:
                    offenders.append(f"{path.name}: from {node.module}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] not in sys.stdlib_module_names:
                        offenders.append(f"{path.name}: import {alias.name}")
    assert offenders == []


# Modules that describe one header; each may use only the shared helpers below.
HEADERS = {"arp", "dhcp", "dns", "ethernet", "icmp", "ipv4", "tcp", "udp", "vxlan"}
HELPERS = {"addresses", "checksum", "errors", "dispatch"}


def package_imports(path: pathlib.Path) -> set[str]:
    """The sibling modules a module of simcore.packets imports (relative or absolute, anywhere)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 or node.module and node.module.startswith("simcore.packets"):
                module = (node.module or "").removeprefix("simcore.packets").lstrip(".")
                found |= {module.split(".")[0]} if module else {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[2] for a in node.names if a.name.startswith("simcore.packets.")}
    return found


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_header_modules_import_no_other_header(name):
    assert package_imports(PACKAGE / f"{name}.py") - HELPERS == set()


def test_the_header_check_sees_a_function_level_import(tmp_path):
    # The VXLAN parser used to import Ethernet inside parse() to dodge the circle.
    src = tmp_path / "vxlan.py"
    src.write_text("from . import dispatch\ndef parse(b):\n    from .ethernet import Ethernet\n")
    assert package_imports(src) - HELPERS == {"ethernet"}


def test_only_the_registry_and_the_views_bind_headers_together():
    binders = sorted(p.stem for p in PACKAGE.glob("*.py") if len(package_imports(p) & HEADERS) > 1)
    assert binders == ["__init__", "dissect", "registry"]


def test_a_payload_is_decoded_through_the_registry_tables(monkeypatch):
    wire = IPv4("192.0.2.1", "192.0.2.2", PROTO_UDP, Udp(1000, 5555, b"hello")).emit()
    assert IPv4.parse(wire).payload.payload == b"hello"
    monkeypatch.setitem(dispatch.BY_UDP_PORT, 5555, lambda body, *, verify: ("decoded", body, verify))
    assert IPv4.parse(wire, verify=False).payload.payload == ("decoded", b"hello", False)


def test_verify_false_reaches_the_frame_inside_vxlan():
    inner = Ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", ETH_IPV4,
                     IPv4("10.0.0.1", "10.0.0.2", 1, IcmpEcho(ICMP_ECHO_REQUEST, 1, 1, b"ping")))
    wire = bytearray(Vxlan(42, inner).emit())
    wire[8 + 14 + 20 + 2] ^= 0xFF  # the inner ICMP checksum
    with pytest.raises(PacketError, match="^icmp: checksum"):
        Vxlan.parse(bytes(wire))
    assert Vxlan.parse(bytes(wire), verify=False) == Vxlan(42, inner)


def test_every_public_name_is_exported():
    assert sorted(simcore.packets.__all__) == sorted(set(simcore.packets.__all__))
    for name in simcore.packets.__all__:
        assert hasattr(simcore.packets, name), name


_SCRIPT = """
import hashlib, json, sys
sys.path.insert(0, {samples!r})
from packet_samples import SAMPLES
from simcore.packets import layers, summary
h = hashlib.sha256()
for name, frame, _ in SAMPLES:
    h.update(frame.emit())
    h.update(json.dumps(layers(frame)).encode())
    h.update(summary(frame).encode())
print(h.hexdigest())
"""


def test_bytes_and_descriptions_do_not_depend_on_the_hash_seed():
    script = _SCRIPT.format(samples=str(pathlib.Path(__file__).parent))
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1, json.dumps(sorted(digests))
