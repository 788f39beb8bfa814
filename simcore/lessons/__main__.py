"""``python -m simcore.lessons check FILE...``: validate lesson/activity documents; with
``--score`` also score each activity's solution and starting design (for authors).

Exit 0 when every file is valid (and, with --score, every solution scores 100% and every start
0%), 1 when a document has problems, 2 when a file cannot be read or is not JSON."""

from __future__ import annotations

import argparse
import re
import sys

from simcore.design import strictjson
from simcore.lessons import instantiate, pack, score, validate


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="python -m simcore.lessons")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="validate lesson and activity documents")
    p.add_argument("files", nargs="+")
    p.add_argument("--score", action="store_true", help="score activities' solution (100%%) and start (0%%)")
    args = parser.parse_args(argv)
    status = 0
    for name in args.files:
        try:
            with open(name, "rb") as fh:
                doc = strictjson.loads(fh.read())
        except OSError as exc:
            print(f"{name}: cannot read: {exc.strerror or exc}", file=out)
            status = 2
            continue
        except strictjson.StrictJSONError as exc:
            print(f"{name}: {exc.path}: not JSON: {exc.msg}", file=out)
            status = 2
            continue
        design = doc.get("design") if isinstance(doc, dict) else None
        if isinstance(design, str) and design.startswith("example:"):
            # a pack lesson names its example: check it with that example's design inline
            slug = design.removeprefix("example:")
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) or not (pack.EXAMPLES_DIR / f"{slug}.json").is_file():
                print(f"{name}: design: there is no example named {slug!r} in examples/", file=out)
                status = max(status, 1)
                continue
            doc = pack._inline_design(doc)
        problems = validate(doc)
        for problem in problems:
            where = f"{problem.path}: " if problem.path else ""
            print(f"{name}: {where}{problem.msg} [{problem.code}]", file=out)
        if problems:
            status = max(status, 1)
            continue
        line = f"{name}: ok ({doc['kind']})"
        if args.score and doc["kind"] == "activity":
            act = instantiate(doc, 0)
            best, start = score(act, act["solution"]).percent, score(act, act["start"]).percent
            line += f", solution {best}%, start {start}%"
            if best != 100 or start != 0:
                status = max(status, 1)
        print(line, file=out)
    return status


if __name__ == "__main__":
    sys.exit(main())
