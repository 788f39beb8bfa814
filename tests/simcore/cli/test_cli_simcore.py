"""python -m simcore check / run: exit statuses, messages naming the path, never a traceback."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simcore.__main__ import main

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "internal-switch.json"

DUP_IP = {"version": 1, "nodes": [
    {"id": "sw", "kind": "lan_switch"},
    {"id": "a", "kind": "outside_host", "nics": [{"name": "eth0", "ip": "10.0.0.1/24"}]},
    {"id": "b", "kind": "outside_host", "nics": [{"name": "eth0", "ip": "10.0.0.1/24"}]}],
    "links": [{"id": "l1", "a": {"node": "a", "nic": "eth0"}, "b": {"node": "sw"}},
              {"id": "l2", "a": {"node": "b", "nic": "eth0"}, "b": {"node": "sw"}}]}
BAD_MAC = {"version": 1, "nodes": [{"id": "x", "kind": "outside_host", "nics": [{"name": "eth0", "mac": "zz"}]}]}


def call(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_check_a_good_design():
    status, out, _ = call("check", str(EXAMPLE))
    assert status == 0
    assert out == f"{EXAMPLE}: ok, no problems found\n"


def test_check_reports_design_check_errors_with_exit_1(tmp_path):
    path = write(tmp_path, "dup.json", DUP_IP)
    status, out, _ = call("check", path)
    assert status == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}: error: nodes[2].nics[0].ip: ")
    assert lines[0].endswith("[check.duplicate_ip]")
    assert lines[-1] == f"{path}: 1 error(s), 0 warning(s)/note(s)"


@pytest.mark.parametrize("content, status, expected", [
    (BAD_MAC, 1, ["{path}: error: nodes[0].nics[0].mac: not a MAC address: 'zz' [schema.format]"]),
    ('{"version": 1, "nodes": [', 2, None),
    ("", 2, None),
])
def test_check_schema_and_json_problems(tmp_path, content, status, expected):
    path = write(tmp_path, "d.json", content)
    got, out, _ = call("check", path)
    assert got == status
    assert "Traceback" not in out
    if expected is not None:
        assert out.splitlines() == [line.format(path=path) for line in expected]
    else:  # the words belong to simcore.design's strict JSON parser
        assert out.startswith(f"{path}: error: ")
        assert out.endswith("[json.invalid]\n")


def test_check_missing_file():
    status, out, _ = call("check", "/nonexistent/x.json")
    assert status == 2
    assert out == ("/nonexistent/x.json: error: cannot read /nonexistent/x.json: No such file or directory "
                   "[io.unreadable]\n")


def test_run_the_example_narrates_and_reports(tmp_path):
    status, out, err = call("run", str(EXAMPLE), "--pcap-dir", str(tmp_path), "--until", "10")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == "# Internal switch: seed 0, until 10 s"
    assert lines[1] == "[1.000000000] vm1$ ping -c 3 192.168.56.12"
    assert "[1.000000000] vm1 asks everyone on intnet: who has 192.168.56.12? (ARP request, broadcast)" in lines
    assert "[1.000050000] intnet learns that 08:00:27:00:56:11 (vm1) is behind port 1 (link to vm1)" in lines
    assert "# console of vm1" in lines
    assert "3 packets transmitted, 3 received, 0% packet loss, time 2000ms" in lines
    assert "vm1: ping 192.168.56.12: 3/3 replies, 0 errors, rtt min/avg/max 0.200/0.266/0.400 ms" in lines
    assert sorted(os.listdir(tmp_path)) == ["vm1_eth0.pcap", "vm2_eth0.pcap", "vm3_eth0.pcap"]
    assert lines[-1] == f"# wrote {tmp_path}/vm3_eth0.pcap"


def test_run_quiet_and_trace_file(tmp_path):
    trace = tmp_path / "t.jsonl"
    status, out, _ = call("run", str(EXAMPLE), "-q", "--trace", str(trace), "--until", "5")
    assert status == 0
    assert not any(line.startswith("[") for line in out.splitlines())
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert events[0]["kind"] == "command.run" and events[0]["t"] == 1_000_000_000


@pytest.mark.parametrize("content", [BAD_MAC, '{"version": 1, ', "[]"])
def test_run_refuses_invalid_designs_with_exit_2(tmp_path, content):
    path = write(tmp_path, "d.json", content)
    status, out, err = call("run", path)
    assert status == 2
    assert out == ""
    assert err.startswith(f"{path}: error: ")


def test_run_with_max_events_stops(tmp_path):
    status, out, _ = call("run", str(EXAMPLE), "--max-events", "3")
    assert status == 0
    assert "# run ended at 1.000100000 s: event_limit, 3 events" in out.splitlines()


@pytest.mark.parametrize("argv, message", [
    (["run", str(EXAMPLE), "--until", "x"], "argument --until: not a number of seconds: 'x'"),
    (["run", str(EXAMPLE), "--until", "-1"], "argument --until: must be a finite number of seconds >= 0: '-1'"),
    (["run", str(EXAMPLE), "--seed", "abc"], "argument --seed: invalid int value: 'abc'"),
    (["frobnicate"], "argument {check,run}: invalid choice: 'frobnicate' (choose from 'check', 'run')"),
])
def test_bad_arguments_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(message)


@pytest.mark.parametrize("args, content, status", [
    (["run"], '{"version": 1, "nodes": [}', 2),
    (["run"], None, 2),
    (["check"], None, 2),
    (["check"], json.dumps(BAD_MAC), 1),
    (["run"], json.dumps(BAD_MAC), 2),
    (["run"], EXAMPLE.read_text(), 0),
])
def test_subprocess_exit_codes_and_no_traceback(tmp_path, args, content, status):
    path = tmp_path / "d.json"
    if content is not None:
        path.write_text(content)
    proc = subprocess.run([sys.executable, "-m", "simcore", *args, str(path), *(["--until", "5"] if args == ["run"] else [])],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    if status:
        assert str(path) in proc.stderr + proc.stdout


def test_run_refuses_what_the_kernel_cannot_build(tmp_path):
    doc = {"version": 1, "nodes": [
        {"id": "a", "kind": "outside_host", "nics": [{"name": "eth0", "ip": "10.0.0.1/24"}],
         "routes": [{"to": "default", "via": "192.168.9.1"}]},
        {"id": "sw", "kind": "lan_switch"}],
        "links": [{"id": "l1", "a": {"node": "a", "nic": "eth0"}, "b": {"node": "sw"}}],
        "script": [{"at": 1, "node": "sw", "command": "ip a"}]}
    path = write(tmp_path, "d.json", doc)
    status, out, err = call("run", path)
    assert status == 2
    assert f"{path}: error: nodes[0].routes[0]: a: gateway 192.168.9.1 for default is not on a connected network " \
           "[build.route]" in err.splitlines()
    assert "Traceback" not in err


def test_a_broadcast_storm_is_stopped_by_the_event_limit(tmp_path):
    sw = [{"id": f"s{i}", "kind": "lan_switch"} for i in (1, 2, 3)]
    hosts = [{"id": h, "kind": "outside_host", "nics": [{"name": "eth0", "ip": f"10.0.0.{n}/24"}]}
             for n, h in ((1, "a"), (2, "b"))]
    links = [{"id": "l1", "a": {"node": "a", "nic": "eth0"}, "b": {"node": "s1"}},
             {"id": "l2", "a": {"node": "b", "nic": "eth0"}, "b": {"node": "s2"}},
             {"id": "t1", "a": {"node": "s1"}, "b": {"node": "s2"}},
             {"id": "t2", "a": {"node": "s2"}, "b": {"node": "s3"}},
             {"id": "t3", "a": {"node": "s3"}, "b": {"node": "s1"}}]
    path = write(tmp_path, "loop.json", {"version": 1, "nodes": sw + hosts, "links": links,
                                         "script": [{"at": 1, "node": "a", "command": "ping -c 1 10.0.0.2"}]})
    status, out, err = call("run", path, "-q", "--max-events", "5000", "--until", "1000")
    assert status == 0
    assert "[check.switch_loop]" in err
    assert any(line.startswith("# run ended at ") and line.endswith(": event_limit, 5000 events")
               for line in out.splitlines())
