"""Checks over a design document and over a run: the score of an activity.

A check is forgiving: it names only what matters (a node of a kind, a NIC field, a rule's port, a
fact that happened) and ignores everything else the student drew. ``score`` answers, for each
check, whether it passes, with its points and, when it fails, its hint; and the percentage.

Run checks read a ``RunRecord``: the trace events (any sink's dicts; frame bytes are not needed)
and the console facts (``Network.facts()``). ``run_design`` makes one from a design.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

S = 1_000_000_000
DEFAULT_TAIL_S = 30.0


@dataclass
class RunRecord:
    events: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    error: str | None = None  # why the design could not run (then every run check fails)


def run_design(design: dict, *, seed: int = 0, until: float | None = None,
               max_events: int = 2_000_000) -> RunRecord:
    """Run ``design``'s script (without frame bytes) and keep its events and facts."""
    from simcore.design import DesignError, validate
    from simcore.network import Network

    problems = [p for p in validate(design) if p.severity == "error"]
    if problems:
        return RunRecord(error=f"{problems[0].path}: {problems[0].msg}" if problems[0].path else problems[0].msg)
    events: list[dict] = []
    try:
        net = Network.from_design(design, seed=seed, trace=events, frames=False, max_events=max_events)
    except DesignError as exc:
        first = exc.problems[0]
        return RunRecord(error=f"{first.path}: {first.msg}")
    if until is None:
        until = max((item["at"] for item in net.doc.get("script", [])), default=0.0) + DEFAULT_TAIL_S
    net.run_until(until)
    return RunRecord(events=events, facts=net.facts())


def _has(obj: dict, subset: dict | None) -> bool:
    return all(obj.get(key) == value for key, value in (subset or {}).items())


def _nodes(design: dict) -> list[dict]:
    return [n for n in design.get("nodes", []) if isinstance(n, dict)]


# -- design checks ---------------------------------------------------------------------------

def _design_node(design: dict, spec: dict) -> bool:
    return any((spec.get("id") in (None, n.get("id"))) and (spec.get("kind") in (None, n.get("kind")))
               and _has(n, spec.get("has")) for n in _nodes(design))


def _design_nic(design: dict, spec: dict) -> bool:
    for n in _nodes(design):
        if spec.get("node") not in (None, n.get("id")) or spec.get("kind") not in (None, n.get("kind")):
            continue
        if any(isinstance(nic, dict) and _has(nic, spec.get("has")) for nic in n.get("nics", [])):
            return True
    return False


def _design_link(design: dict, spec: dict) -> bool:
    want = set(spec["between"])
    for link in design.get("links", []):
        ends = {link.get("a", {}).get("node"), link.get("b", {}).get("node")}
        if ends == want:
            return True
    return False


def _design_port_forward(design: dict, spec: dict) -> bool:
    for n in _nodes(design):
        if spec.get("node") not in (None, n.get("id")):
            continue
        rules = list(n.get("port_forwards", []))
        for nic in n.get("nics", []):  # VirtualBox NAT-mode NICs carry their own rules
            if isinstance(nic, dict):
                rules += nic.get("port_forwards", [])
        if any(isinstance(r, dict) and _has(r, spec.get("has")) for r in rules):
            return True
    return False


def _design_script(design: dict, spec: dict) -> bool:
    try:
        pattern = re.compile(spec["matches"])
    except re.error:
        return False
    return any(spec.get("node") in (None, item.get("node")) and pattern.search(item.get("command", ""))
               for item in design.get("script", []) if isinstance(item, dict))


DESIGN_CHECKS = {"node": _design_node, "nic": _design_nic, "link": _design_link,
                 "port_forward": _design_port_forward, "script": _design_script}


# -- run checks --------------------------------------------------------------------------------

def _events(run: RunRecord, kind: str, node: str | None = None, has: dict | None = None,
            text_contains: str | None = None) -> list[dict]:
    return [e for e in run.events
            if e.get("kind") == kind and node in (None, e.get("node")) and _has(e, has)
            and (text_contains is None or text_contains in e.get("text", ""))]


def _facts(run: RunRecord, kind: str, node: str | None = None, has: dict | None = None) -> list[dict]:
    return [f for f in run.facts if f.get("kind") == kind and node in (None, f.get("node")) and _has(f, has)]


def _run_event(run: RunRecord, spec: dict) -> bool:
    return len(_events(run, spec["kind"], spec.get("node"), spec.get("has"), spec.get("text_contains"))) >= spec.get("min", 1)


def _run_fact(run: RunRecord, spec: dict) -> bool:
    return any(all(isinstance(f.get(k), (int, float)) and f[k] >= v for k, v in spec.get("at_least", {}).items())
               for f in _facts(run, spec["kind"], spec.get("node"), spec.get("has")))


def _run_leased(run: RunRecord, spec: dict) -> bool:
    for f in _facts(run, "dhcp", spec.get("node")):
        if "address" not in spec or f.get("address", "").split("/")[0] == spec["address"].split("/")[0]:
            return True
    return False


def _run_ping(run: RunRecord, spec: dict) -> bool:
    has = {"dst": spec["dst"]} if "dst" in spec else None
    return any(f.get("received", 0) >= 1 for f in _facts(run, "ping", spec.get("node"), has))


def _run_nat(run: RunRecord, spec: dict) -> bool:
    has = {"protocol": spec["protocol"]} if "protocol" in spec else None
    return bool(_events(run, "nat.mapping-created", spec.get("node"), has))


def _run_forward(run: RunRecord, spec: dict) -> bool:
    wanted = f"port forward '{spec['rule']}'" if "rule" in spec else None
    return bool(_events(run, "nat.forward-hit", spec.get("node"), None, wanted))


def _run_http(run: RunRecord, spec: dict) -> bool:
    return any(f.get("http_status") == 200 and spec.get("url_contains", "") in f.get("line", "")
               for f in _facts(run, "curl", spec.get("node")))


def _run_restored(run: RunRecord, spec: dict) -> bool:
    has = {"op": "restore"}
    if "name" in spec:
        has["name"] = spec["name"]
    return bool(_events(run, "vm.snapshot", spec.get("vm"), has))


def _run_container(run: RunRecord, spec: dict) -> bool:
    # A container is made on a host as one ``container.created`` event (docs/trace-events.md):
    # ``node`` is the container's node (``<host>-<name>``), ``container`` its name, ``host`` the
    # host, ``image`` the reference it was made from (``nginx:1.27``, ``images:debian/12``).
    # ``node`` may name any of the three; ``image`` matches the reference, or its repository
    # without the tag (``nginx`` matches ``nginx:1.27``).
    for e in _events(run, "container.created"):
        if spec.get("node") not in (None, e.get("node"), e.get("container"), e.get("host")):
            continue
        image = str(e.get("image", ""))
        repo, _, tag = image.rpartition(":")
        untagged = repo if repo and "/" not in tag else image
        if "image" in spec and spec["image"] not in (image, untagged):
            continue
        return True
    return False


RUN_CHECKS = {"event": _run_event, "fact": _run_fact, "leased": _run_leased, "ping_replied": _run_ping,
              "nat_connection": _run_nat, "forward_hit": _run_forward, "http_ok": _run_http,
              "snapshot_restored": _run_restored, "container_launched": _run_container}


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    points: int
    passed: bool
    hint: str | None  # only when it fails

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "points": self.points, "passed": self.passed,
                "hint": self.hint}


@dataclass(frozen=True)
class Score:
    results: tuple[CheckResult, ...]
    run_error: str | None = None

    @property
    def points(self) -> int:
        return sum(r.points for r in self.results if r.passed)

    @property
    def total(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def percent(self) -> int:
        """Whole percent, rounded down (100 only when every check passes)."""
        return 100 * self.points // self.total if self.total else 0

    def to_dict(self) -> dict[str, Any]:
        return {"percent": self.percent, "points": self.points, "total": self.total,
                "run_error": self.run_error, "checks": [r.to_dict() for r in self.results]}


def check_passes(check: dict, design: dict, run: RunRecord | None) -> bool:
    if "design" in check:
        (what, spec), = check["design"].items()
        return DESIGN_CHECKS[what](design if isinstance(design, dict) else {}, spec)
    if run is None or run.error:
        return False
    (what, spec), = check["run"].items()
    return RUN_CHECKS[what](run, spec)


def needs_run(activity: dict) -> bool:
    return any("run" in check for check in activity["checks"])


def score(activity: dict, design: dict, run: RunRecord | None = None, *, seed: int = 0) -> Score:
    """Score ``design`` against an *instantiated* activity (``documents.instantiate``).

    ``run`` is the run to judge; when it is None and some check is about the run, the design's
    own script is run (``run_design``) with ``seed``."""
    if run is None and needs_run(activity):
        run = run_design(design, seed=seed, until=activity.get("until"))
    results = tuple(
        CheckResult(c["id"], c["title"], c["points"], passed, None if passed else c["hint"])
        for c in activity["checks"] for passed in [check_passes(c, design, run)])
    return Score(results, run.error if run is not None else None)
