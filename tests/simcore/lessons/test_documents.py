"""Lesson and activity documents: the schema, the embedded designs, references and variants."""

import copy
import json
import subprocess
import sys

import pytest

from simcore.lessons import draw, instantiate, pack, substitute, validate


@pytest.fixture(scope="module")
def shipped():
    return pack.load()


def codes(doc):
    return [(p.code, p.path) for p in validate(doc)]


def test_the_pack_documents_are_valid(shipped):
    assert shipped.problems == []
    assert shipped.lessons and shipped.activities


def test_not_a_lesson_document():
    assert codes([]) == [("lesson.kind", "kind")]
    assert codes({"kind": "design"}) == [("lesson.kind", "kind")]


def test_schema_problems_name_the_path(shipped):
    lesson = copy.deepcopy(shipped.lessons["nat-connection"])
    lesson["steps"][1]["look"]["colour"] = "red"
    del lesson["steps"][0]["title"]
    found = codes(lesson)
    assert ("lesson.schema", "steps[0]") in found
    assert ("lesson.schema", "steps[1].look") in found
    assert any("colour" in p.msg for p in validate(lesson))


def test_the_embedded_design_is_validated_with_its_path(shipped):
    lesson = copy.deepcopy(shipped.lessons["nat-connection"])
    lesson["design"]["nodes"][0]["kind"] = "toaster"
    found = validate(lesson)
    assert found and all(p.path.startswith("design.nodes[0]") for p in found)


def test_a_step_looks_at_nodes_the_design_has(shipped):
    lesson = copy.deepcopy(shipped.lessons["nat-connection"])
    lesson["steps"][0]["look"]["node"] = "nobody"
    lesson["steps"][2]["at"] = 0.5
    assert codes(lesson) == [("lesson.unknown_node", "steps[0].look.node"), ("lesson.step_order", "steps[2].at")]


def test_a_check_is_on_the_design_or_the_run_not_both(shipped):
    act = copy.deepcopy(shipped.activities["nat-network"])
    act["checks"][0]["run"] = {"leased": {}}
    assert ("lesson.schema", "checks[0]") in codes(act)
    act["checks"][0] = {"id": "x", "title": "x", "points": 1, "hint": "h", "run": {"teleported": {}}}
    assert ("lesson.schema", "checks[0].run") in codes(act)


def test_activity_references(shipped):
    act = copy.deepcopy(shipped.activities["nat-network"])
    act["checks"][1]["id"] = act["checks"][0]["id"]
    act["instructions"] += " {{colour}}"
    act["variables"]["out_octet"] = {"int": [9, 3]}
    assert sorted(codes(act)) == [("lesson.duplicate_check", "checks[1].id"),
                                  ("lesson.unknown_variable", "variables"),
                                  ("lesson.variable_range", "variables.out_octet.int")]


def test_a_starting_design_that_is_not_a_design_is_refused(shipped):
    act = copy.deepcopy(shipped.activities["port-forward"])
    act["start"]["links"][0]["a"]["node"] = "ghost"
    assert any(p.path.startswith("start.links[0]") for p in validate(act))


def test_substitute_keeps_the_type_of_a_whole_placeholder():
    values = {"port": 8123, "name": "web"}
    assert substitute({"p": "{{port}}", "url": "http://x:{{port}}/", "n": ["{{name}}", 3]}, values) == \
        {"p": 8123, "url": "http://x:8123/", "n": ["web", 3]}
    assert substitute("{{other}}", values) == "{{other}}"


def test_variants_differ_between_students_and_repeat_for_one(shipped):
    act = shipped.activities["port-forward"]
    ports = {draw(act, f"student-{i}")["port"] for i in range(30)}
    assert len(ports) > 20
    assert draw(act, "student-3") == draw(act, "student-3")
    concrete = instantiate(act, "student-3")
    port = concrete["values"]["port"]
    assert f":{port}/" in json.dumps(concrete["solution"]["script"])
    assert "{{" not in json.dumps(concrete)


def test_variants_do_not_depend_on_the_hash_seed(shipped):
    code = ("from simcore.lessons import pack, draw; a = pack.load().activities; "
            "print([draw(a[k], 'alice') for k in sorted(a)])")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin"}).stdout for seed in ("1", "2")}
    assert len(outs) == 1


def test_the_command_line_door(tmp_path, shipped):
    import io

    from simcore.lessons.__main__ import main
    good = tmp_path / "a.json"
    good.write_text(json.dumps(shipped.activities["nat-network"]))
    bad = tmp_path / "b.json"
    lesson = copy.deepcopy(shipped.lessons["bridge-mode"])
    lesson["steps"][0]["look"]["node"] = "nobody"
    bad.write_text(json.dumps(lesson))
    broken = tmp_path / "c.json"
    broken.write_text('{"kind": "lesson",')
    out = io.StringIO()
    assert main(["check", "--score", str(good)], out) == 0
    assert "solution 100%, start 0%" in out.getvalue()
    out = io.StringIO()
    assert main(["check", str(bad)], out) == 1
    assert "steps[0].look.node: the design has no node 'nobody' [lesson.unknown_node]" in out.getvalue()
    out = io.StringIO()
    assert main(["check", str(broken), str(tmp_path / "none.json")], out) == 2
    assert "not JSON" in out.getvalue() and "cannot read" in out.getvalue()
    # a pack lesson names its example; the command line checks it with the example inline
    out = io.StringIO()
    assert main(["check", str(pack.PACK_DIR / "containers-docker.json")], out) == 0, out.getvalue()
    assert "ok (lesson)" in out.getvalue()
    unknown = tmp_path / "d.json"
    unknown.write_text(json.dumps(dict(shipped.lessons["bridge-mode"], design="example:../nope")))
    out = io.StringIO()
    assert main(["check", str(unknown)], out) == 1
    assert "design: there is no example named '../nope' in examples/" in out.getvalue()
