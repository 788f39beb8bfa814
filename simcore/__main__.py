"""The command line: ``python -m simcore check DESIGN.json`` and ``python -m simcore run DESIGN.json``.

Exit statuses: ``check`` 0 (no errors; warnings and notes may be printed), 1 (the design has
errors: schema, references or design checks), 2 (the file cannot be read or is not JSON).
``run`` 0 (ran), 2 (unreadable file, bad JSON or an invalid design: nothing ran). Messages name
the file and the path inside it; no traceback is ever shown for a bad input.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

S = 1_000_000_000
DEFAULT_MAX_EVENTS = 5_000_000
DEFAULT_TAIL_S = 60.0  # run this long after the last scripted command unless --until says otherwise


def _fmt_t(t_ns: int) -> str:
    return f"{t_ns // S}.{t_ns % S:09d}"


def _problem_line(problem, source: str) -> str:
    where = f"{problem.path}: " if problem.path else ""
    return f"{source}: {problem.severity}: {where}{problem.msg} [{problem.code}]"


def _load(path: str, err: TextIO):
    """(doc, None) or (None, exit status) after printing why the file cannot be used."""
    from simcore.design import DesignError, load

    try:
        return load(__import__("pathlib").Path(path)), None
    except DesignError as exc:
        unusable = [p for p in exc.problems if p.code.split(".", 1)[0] in ("io", "json")]
        for problem in exc.problems:
            print(_problem_line(problem, path), file=err)
        if unusable:
            return None, 2
        return None, 1


def cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from simcore.design import check

    doc, status = _load(args.design, out)
    if doc is None:
        return status
    problems = check(doc)
    for problem in problems:
        print(_problem_line(problem, args.design), file=out)
    errors = sum(1 for p in problems if p.severity == "error")
    others = len(problems) - errors
    if not problems:
        print(f"{args.design}: ok, no problems found", file=out)
    else:
        print(f"{args.design}: {errors} error(s), {others} warning(s)/note(s)", file=out)
    return 1 if errors else 0


class _Printer:
    """A trace sink that prints each event's sentence and optionally tees to a JSON-lines sink."""

    def __init__(self, out: TextIO | None, jsonl):
        self.out = out
        self.jsonl = jsonl

    def add(self, event: dict) -> None:
        if self.out is not None:
            self.out.write(f"[{_fmt_t(event['t'])}] {event['text']}\n")
        if self.jsonl is not None:
            self.jsonl.add(event)

    def flush(self) -> None:
        if self.jsonl is not None:
            self.jsonl.flush()


def cmd_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from simcore.design import check
    from simcore.network import Network
    from simcore.trace import JsonLinesSink

    doc, status = _load(args.design, err)
    if doc is None:
        return 2
    for problem in check(doc):
        print(_problem_line(problem, args.design), file=err)
    jsonl = None
    if args.trace:
        try:
            jsonl = JsonLinesSink(args.trace)
        except OSError as exc:
            print(f"simcore: cannot write {args.trace}: {exc.strerror or exc}", file=err)
            return 2
    printer = _Printer(None if args.quiet else out, jsonl)
    from simcore.design import DesignError

    try:
        net = Network.from_design(doc, seed=args.seed, trace=printer, max_events=args.max_events)
    except DesignError as exc:
        for problem in exc.problems:
            print(_problem_line(problem, args.design), file=err)
        if jsonl is not None:
            jsonl.close()
        return 2
    script = net.doc["script"]
    until = args.until
    if until is None:
        until = max((item["at"] for item in script), default=0.0) + DEFAULT_TAIL_S
    if not args.quiet:
        print(f"# {net.doc.get('name', args.design)}: seed {args.seed}, until {until:g} s", file=out)
    status = net.run_until(until)
    if jsonl is not None:
        jsonl.close()
    print("", file=out)
    print(f"# run ended at {_fmt_t(net.now_ns)} s: {status.value}, {net.engine.events_run} events", file=out)
    _print_consoles(net, out)
    _print_facts(net, out)
    if args.pcap_dir:
        try:
            for path in net.write_pcaps(args.pcap_dir):
                print(f"# wrote {path}", file=out)
        except OSError as exc:
            print(f"simcore: cannot write pcaps to {args.pcap_dir}: {exc.strerror or exc}", file=err)
            return 2
    return 0


def _print_consoles(net, out: TextIO) -> None:
    for node in net.nodes.values():
        console = getattr(node, "console", None)
        if console is None or not console.lines:
            continue
        print(f"\n# console of {node.name}", file=out)
        for _t, text in console.lines:
            print(text, file=out)


def _print_facts(net, out: TextIO) -> None:
    facts = [f for f in net.facts() if f["kind"] == "ping" or "summary" in f]
    if not facts:
        return
    print("\n# facts", file=out)
    for f in facts:
        if f["kind"] != "ping":  # DHCP leases, HTTP transfers: the fact carries its own sentence
            print(f"{f['node']}: {f['summary']}", file=out)
            continue
        rtt = f["rtt"]
        rtt_words = "" if rtt is None else (
            f", rtt min/avg/max {rtt['min_us'] / 1000:.3f}/{rtt['avg_us'] / 1000:.3f}/{rtt['max_us'] / 1000:.3f} ms")
        print(f"{f['node']}: ping {f['dst']}: {f['received']}/{f['transmitted']} replies, "
              f"{f['errors']} errors{rtt_words}", file=out)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds >= 0: {text!r}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simcore",
                                     description="Check and run network designs in a deterministic simulator.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{check,run}")
    p_check = sub.add_parser("check", help="validate a design and explain its problems")
    p_check.add_argument("design", help="the design document (JSON)")
    p_run = sub.add_parser("run", help="run a design's script and narrate what happens")
    p_run.add_argument("design", help="the design document (JSON)")
    p_run.add_argument("--seed", type=int, default=0, help="the run's random seed (default 0)")
    p_run.add_argument("--until", type=_seconds, default=None,
                       help=f"simulated seconds to run (default: last scripted command + {DEFAULT_TAIL_S:g} s)")
    p_run.add_argument("--pcap-dir", help="write <node>_<nic>.pcap / <link>.pcap per capture point here")
    p_run.add_argument("--trace", help="write every trace event as JSON lines to this file")
    p_run.add_argument("--max-events", type=_positive, default=DEFAULT_MAX_EVENTS,
                       help=f"stop after this many events (default {DEFAULT_MAX_EVENTS:,}: a broadcast storm "
                            "in a switch loop never ends by itself)")
    p_run.add_argument("-q", "--quiet", action="store_true", help="do not print the narrated trace")
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check":
            return cmd_check(args, out, err)
        return cmd_run(args, out, err)
    except BrokenPipeError:  # `python -m simcore run x.json | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
