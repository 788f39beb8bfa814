"""Every test module's file name is unique across tests/: pytest imports them by basename
(rootdir-relative, no packages), and two modules of one name stop the whole suite at collection
("import file mismatch"), which happened twice when branches were merged."""

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_two_test_modules_share_a_name():
    where = defaultdict(list)
    for path in TESTS.rglob("test_*.py"):
        where[path.name].append(str(path.relative_to(TESTS)))
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}
