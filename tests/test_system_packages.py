"""`.ci/system-packages`: what `make test` and CI run first so the browser and pcap tests can run.

The machine here has both packages and runs as root, so the refusal path is shown in a sandboxed
PATH: no chromium, no tshark, a user who is not root and no sudo. The script must stop with one
line that names the command to run, and do nothing else.
"""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "system-packages"


def _run(path_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/bash", str(SCRIPT)], capture_output=True, text=True, timeout=30,
                          env={"PATH": str(path_dir)})


def _stub(directory: Path, name: str, body: str) -> None:
    tool = directory / name
    tool.write_text(f"#!/bin/bash\n{body}\n")
    tool.chmod(0o755)


def test_nothing_to_do_when_both_are_there(tmp_path):
    for name in ("chromium", "tshark"):
        _stub(tmp_path, name, "exit 0")
    result = _run(tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_without_root_or_sudo_it_names_the_command_in_one_line(tmp_path):
    _stub(tmp_path, "id", "echo 1000")
    _stub(tmp_path, "chromium", "exit 0")
    result = _run(tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0] == ("make test needs tshark: run  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive "
                        "apt-get install -y -qq --no-install-recommends tshark")


def test_a_sudo_that_would_prompt_counts_as_no_sudo(tmp_path):
    _stub(tmp_path, "id", "echo 1000")
    _stub(tmp_path, "sudo", 'echo "sudo: a password is required" >&2; exit 1')
    result = _run(tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("make test needs chromium tshark: run  sudo apt-get update")
    assert len(result.stderr.splitlines()) == 1
