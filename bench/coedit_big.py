"""What one co-editing change costs the server as the design grows: `coedit.commit` (apply, check,
store) of a change that moves one node, on a design of N nodes, against the same change on the
3-VM internal-switch example, in one process with a fresh SQLite database.

The designs are the big-design test's (`tests/web/test_sim_big_design.py`: lan switches of 200
outside hosts each), each with as many links as outside hosts. Each is timed for `--changes`
changes after one untimed change (the first change after the document is read validates it whole;
docs/design.md, "Co-editing"). Prints ms per change for each size and ends with
`ratio: <ms per change at the largest size / ms per change on the example>`.

    .venv/bin/python bench/coedit_big.py [--sizes 800,4000] [--changes 40]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def big_document(n: int) -> dict:
    source = (ROOT / "tests" / "web" / "test_sim_big_design.py").read_text()
    namespace: dict = {}
    exec(source[source.index("def big_document"):source.index("async def connect")], namespace)  # noqa: S102
    return namespace["big_document"](n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="800,4000")
    parser.add_argument("--changes", type=int, default=40)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ.update(DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", DEBUG="0", ALLOWED_HOSTS="127.0.0.1",
                      SECRET_KEY="bench-only-" + "x" * 50)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from designer import coedit
    from designer.actions import do_create_design

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user(username="bench", password="x-long-password-1")
    example = json.loads((ROOT / "examples" / "internal-switch.json").read_text())
    designs = [("the internal-switch example", example)]
    designs += [(f"{n:,} nodes", big_document(n)) for n in (int(s) for s in args.sizes.split(","))]
    per_change = []
    for label, doc in designs:
        design = do_create_design(owner, name=label, description="", document=doc)
        node = doc["nodes"][-1]["id"]
        cache = coedit.Cache()

        def move(i: int, design=design, node=node, cache=cache) -> float:
            ops = [{"op": "update", "coll": "nodes", "id": node, "before": {}, "after": {"position": {"x": i, "y": 5}}}]
            start = time.perf_counter()
            result = coedit.commit(design.pk, [coedit.Item("bench", f"c{i}", None, ops, None)], cache)[0]
            assert "ok" in result, result
            return (time.perf_counter() - start) * 1000

        first = move(0)
        times = [move(i) for i in range(1, args.changes + 1)]
        per_change.append(statistics.median(times))
        print(f"{label}: first change {first:.1f} ms, then median {per_change[-1]:.2f} ms, "
              f"p90 {sorted(times)[int(0.9 * (len(times) - 1))]:.2f} ms ({len(doc['nodes']):,} nodes)")
    print(f"ratio: {per_change[-1] / per_change[0]:.1f} (ms per change on the {designs[-1][0]} design / "
          f"on the internal-switch example)")


if __name__ == "__main__":
    main()
