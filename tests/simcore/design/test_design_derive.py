"""derive_mac and normalized: deterministic, hash-seed independent, defaults filled."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys

import pytest
from design_samples import REPO, design, example, host, link, switch, vm

from simcore.design import derive_mac, normalized, validate


@pytest.mark.parametrize(
    ("node_id", "nic", "kind", "mac"),
    [
        ("vm1", "eth0", "vm", "08:00:27:58:a7:e9"),
        ("vm1", "eth1", "vm", "08:00:27:0e:e2:bf"),
        ("vm1", "eth0", "host", "02:58:a7:e9:07:e5"),
        ("web", "eth0", "container", "02:cc:2f:25:22:bb"),
        ("hv", "eth0", "host", "02:a0:fb:b8:30:1a"),
    ],
)
def test_derive_mac_golden_values(node_id, nic, kind, mac):
    assert derive_mac(node_id, nic, kind) == mac


def test_derive_mac_is_sha256_of_node_and_nic():
    digest = hashlib.sha256(b"netdesigner-mac\0vm2\0eth3").digest()
    assert derive_mac("vm2", "eth3", "vm") == "08:00:27:" + digest[:3].hex(":")
    assert derive_mac("vm2", "eth3", "outside_host") == "02:" + digest[:5].hex(":")


def test_derived_mac_is_locally_administered_unicast_for_non_vms():
    first = int(derive_mac("pc", "eth0", "outside_host")[:2], 16)
    assert (first & 0b10, first & 0b01) == (0b10, 0)


def test_derive_mac_does_not_depend_on_hash_seed():
    code = (
        "import json; from simcore.design import derive_mac, normalized, check;"
        f"doc = json.load(open({str(REPO / 'examples' / 'internal-switch.json')!r}));"
        "[n['nics'][0].pop('mac') for n in doc['nodes'] if n['kind'] == 'vm'];"
        "print(json.dumps([derive_mac(f'n{i}', 'eth0', k) for i in range(20) for k in ('vm', 'host')]"
        " + [normalized(doc)] + [p.to_dict() for p in check(doc)], sort_keys=True))"
    )
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_normalized_fills_every_default():
    doc = design(
        [
            host("hv"),
            switch("sw"),
            {
                "id": "pc",
                "kind": "outside_host",
                "nics": [{"name": "eth0", "mac": "02:AA:BB:CC:DD:EE"}],
                "services": [{"kind": "http"}],
            },
            vm("vm1", "10.0.0.1/24"),
        ],
        [link("l1", "vm1", "sw")],
    )
    assert validate(doc) == []
    out = normalized(doc)
    assert out == {
        "version": 1,
        "nodes": [
            {
                "id": "hv",
                "kind": "host",
                "os": "linux",
                "name": "hv",
                "nics": [],
                "routes": [],
                "services": [],
                "cpu_model": "Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz",
                "vm_folder": "/home/student/VirtualBox VMs",
                "ip_forward": False,
            },
            {"id": "sw", "kind": "vswitch", "name": "sw", "aging_s": 300},
            {
                "id": "pc",
                "kind": "outside_host",
                "name": "pc",
                "nics": [{"name": "eth0", "mac": "02:aa:bb:cc:dd:ee"}],
                "routes": [],
                "services": [{"kind": "http", "port": 80, "server": "http.server"}],
                "ip_forward": False,
            },
            {
                "id": "vm1",
                "kind": "vm",
                "host": "hv",
                "name": "vm1",
                "nics": [{"name": "eth0", "ip": "10.0.0.1/24", "mac": derive_mac("vm1", "eth0", "vm")}],
                "routes": [],
                "services": [],
                "ip_forward": False,
                "power": {},
                "dvd": {},
            },
        ],
        "links": [{"id": "l1", "a": {"node": "vm1", "nic": "eth0"}, "b": {"node": "sw"}, "delay_us": 50}],
        "captures": [],
        "script": [],
    }
    assert validate(out) == []


def test_normalized_keeps_given_values_and_does_not_touch_its_input():
    doc = example()
    doc["nodes"][2]["name"] = "Web server"
    doc["links"][0]["delay_us"] = 7
    before = copy.deepcopy(doc)
    out = normalized(doc)
    assert doc == before
    assert (out["nodes"][2]["name"], out["links"][0]["delay_us"], out["nodes"][2]["nics"][0]["mac"]) == (
        "Web server",
        7,
        "08:00:27:00:56:11",
    )
    assert json.loads(json.dumps(out)) == out
