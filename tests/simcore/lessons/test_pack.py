"""The whole shipped pack runs: every lesson's script runs and shows what its steps point at;
every activity's reference solution scores 100% and its starting design 0%, for several students."""

import json
import re

import pytest

from simcore.lessons import instantiate, pack, run_design, score

SHIPPED = pack.load()


def test_sections_follow_the_lecture_and_each_has_a_lesson_or_says_why_not():
    assert SHIPPED.problems == []
    names = [s["section"] for s in SHIPPED.sections]
    assert len(names) == len(set(names))
    for s in SHIPPED.sections:
        assert ("lesson" in s) != ("missing" in s), s
    order = [s["section"] for s in SHIPPED.sections if "lesson" in s]
    assert order.index("Virtual Switches - NAT connection") < order.index("NAT and services forwarding")
    assert len(SHIPPED.ordered_lessons()) == len(order) >= 8


@pytest.mark.parametrize("lesson_id", sorted(SHIPPED.lessons))
def test_every_lesson_runs_and_its_steps_show_what_they_say(lesson_id):
    lesson = SHIPPED.lessons[lesson_id]
    last = max(s["at"] for s in lesson["steps"])
    run = run_design(lesson["design"], until=max(last, max((i["at"] for i in lesson["design"]["script"]), default=0)) + 30)
    assert run.error is None
    assert run.events
    S = 1_000_000_000
    steps = lesson["steps"]
    for i, step in enumerate(steps):
        look = step.get("look", {})
        if "event" not in look:
            continue
        # the event the step points at happens between its moment and the next step's
        start = round(step["at"] * S)
        end = round(steps[i + 1]["at"] * S) if i + 1 < len(steps) and steps[i + 1]["at"] > step["at"] else None
        matching = [e for e in run.events if e["kind"] == look["event"] and look.get("node") in (None, e.get("node"))
                    and start <= e["t"] and (end is None or e["t"] < end)]
        assert matching, f"{lesson_id} steps[{i}]: no {look['event']} event on {look.get('node')} at {step['at']} s"
    # the Markdown texts name only backticked ids that the design has (a typo would mislead)
    ids = {n["id"] for n in lesson["design"]["nodes"]}
    for step in lesson["steps"]:
        for name in re.findall(r"`([a-z][a-zA-Z0-9]*)`", step["text"] + step.get("do", "") + step.get("expect", "")):
            if name.isalpha() and name not in {"dhclient", "lscpu", "savestate", "conntrack", "poweroff", "cat", "rm", "curl", "lsblk", "nproc"}:
                assert name in ids, f"{lesson_id}: `{name}` is not a node of the design"


@pytest.mark.parametrize("activity_id", sorted(SHIPPED.activities))
@pytest.mark.parametrize("student", ["0", "alice", "student-17"])
def test_reference_scores_100_and_start_scores_0(activity_id, student):
    act = instantiate(SHIPPED.activities[activity_id], student)
    assert "{{" not in json.dumps(act)
    best = score(act, act["solution"])
    assert best.run_error is None
    assert [r.id for r in best.results if not r.passed] == []
    assert best.percent == 100
    assert score(act, act["start"]).percent == 0


def test_lessons_and_activities_point_at_each_other():
    for lesson in SHIPPED.lessons.values():
        if "activity" in lesson:
            assert SHIPPED.activities[lesson["activity"]]["lesson"] in SHIPPED.lessons


def test_the_container_sections_have_lessons_and_the_docker_activity_scores_each_part():
    by_section = {s["section"]: s for s in SHIPPED.sections}
    for name in ("Operating systems virtualization", "Containers", "Containers and image files",
                 "Containers (same kernel, host interaction)", "Hardware simulation",
                 "Virtual Devices - Disks, CD/DVD and console"):
        assert "lesson" in by_section[name], name
    act = instantiate(SHIPPED.activities["docker-publish"], "alice")
    sol = act["solution"]
    # the container runs and is published, but nobody fetches the page: half the points
    half = dict(sol, script=sol["script"][:1])
    result = score(act, half)
    assert [(r.id, r.passed) for r in result.results] == [
        ("container", True), ("publish", True), ("forward", False), ("page", False)]
    assert result.percent == 50
    # a neighbour's port: the container runs, but the checks want this student's port
    other = instantiate(SHIPPED.activities["docker-publish"], "bob")
    assert other["solution"]["script"] != sol["script"]
    assert score(act, other["solution"]).percent == 25
