"""The repository stands alone: no tracked file refers to a file outside it, and no comment or doc
cites an issue number, a work session or a person instead of stating the fact.

What counts as a reference (one finding per line and kind):

- a path outside the repository: the sibling folder of shared documents, an absolute path of
  the machine the project was built on;
- the old trap list, by its old name; the traps are in docs/traps.md;
- a Markdown file named anywhere that no tracked file has the name of (a doc that is elsewhere);
- "issue 7", "issues 5-6", "issue #7" (ours); an upstream project's issue is cited with its
  URL, and a line with a URL is let through;
- "session 2" (a work session), "ENGINEER B" or "engineer B" (a person).

Lock files are skipped (they hold package names and hashes, not prose).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SELF = Path(__file__).resolve().relative_to(ROOT).as_posix()
SKIPPED = {"uv.lock", "package-lock.json", SELF}

CHECKS: list[tuple[str, re.Pattern[str]]] = [
    ("refers outside the repository", re.compile(r"\.\./shared\b|(?<![\w.])/work/")),
    ("cites the old trap list (use docs/traps.md and the trap's title)", re.compile(r"known[-_ ]traps", re.I)),
    ("cites an issue number (write the fact)", re.compile(r"\bissues? #?\d+", re.I)),
    ("cites a work session (write the fact)", re.compile(r"\bsessions? \d+\b", re.I)),
    ("names a person (write the fact)", re.compile(r"\bENGINEER\b|\b[Ee]ngineer [A-Z]\b")),
]
URL = re.compile(r"https?://")
MARKDOWN_NAME = re.compile(r"(?<![\w.-])([\w.-]+\.md)\b")


def tracked_files(root: Path) -> list[str]:
    proc = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, text=True, check=True)
    return [name for name in proc.stdout.split("\0") if name]


def findings(root: Path, names: list[str]) -> list[str]:
    """`path:line: what is wrong: the line` for every reference in the given tracked files."""
    markdown = {Path(name).name for name in names if name.endswith(".md")}
    found = []
    for name in names:
        if name in SKIPPED or Path(name).name in SKIPPED:
            continue
        try:
            text = (root / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary, or deleted in the work tree
        for number, line in enumerate(text.splitlines(), 1):
            has_url = URL.search(line) is not None
            wrong = [what for what, pattern in CHECKS
                     if pattern.search(line) and not (what.startswith("cites an issue") and has_url)]
            if not wrong:  # the old trap list is also a doc that is not here: say it once
                wrong = [f"names {doc}, which is not in the repository"
                         for doc in dict.fromkeys(MARKDOWN_NAME.findall(line)) if doc not in markdown and not has_url]
            if wrong:
                found.append(f"{name}:{number}: {'; '.join(wrong)}: {line.strip()[:120]}")
    return found


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout: nothing says which files are tracked")
def test_no_tracked_file_refers_outside_or_cites_an_issue_session_or_person():
    found = findings(ROOT, tracked_files(ROOT))
    assert not found, f"{len(found)} reference(s) to rewrite as the fact itself:\n" + "\n".join(found)


# Planted references, spelt in two parts so that this file does not itself refer outside.
OUTSIDE = "../" + "shared"
OLD_TRAPS = "known" + "-traps"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_planted_references_are_caught_and_upstream_citations_are_not(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "traps.md").write_text("# Traps\n")
    (tmp_path / "code.py").write_text(
        "x = 1  # the in-memory layer delivered 100 of 150 (docs/traps.md)\n"  # fine
        f"y = 2  # see {OUTSIDE}/docs/wire-behaviour.md\n"  # outside, and a doc not here
        f"z = 3  # {OLD_TRAPS}.md #5\n"  # the old list, and a doc not here
        '"""Scale-out (issue 7 item 7)."""\n'
        "# Session 2: the minimap\n"
        "# ENGINEER B's hook\n"
        "# as the rules say (style.md, rule 4); see docs/traps.md\n"  # a doc kept elsewhere
        "# excalidraw #1721 and https://github.com/jupyterlab/jupyter-collaboration/issues/594\n"  # fine
        "# Chromium issue 40189, https://issues.chromium.org/issues/40189\n"  # fine: with its URL
        "# the session's cookie, 3 sessions open\n"  # fine
    )
    (tmp_path / "uv.lock").write_text(f"issue 1 session 2 {OUTSIDE}\n")  # lock files are skipped
    git("init", "-q")
    git("add", ".")
    found = findings(tmp_path, tracked_files(tmp_path))
    assert [f.split(": ", 2)[:2] for f in found] == [
        ["code.py:2", "refers outside the repository"],
        ["code.py:3", "cites the old trap list (use docs/traps.md and the trap's title)"],
        ["code.py:4", "cites an issue number (write the fact)"],
        ["code.py:5", "cites a work session (write the fact)"],
        ["code.py:6", "names a person (write the fact)"],
        ["code.py:7", "names style.md, which is not in the repository"],
    ]
