"""load(): strict parsing plus validation, every problem carried by DesignError."""

from __future__ import annotations

import json

import pytest
from design_samples import EXAMPLE, example

from simcore.design import KINDS, DesignError, Problem, load


def test_load_a_path_text_and_bytes_alike():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert load(EXAMPLE) == load(str(EXAMPLE)) == load(text) == load(text.encode()) == example()


@pytest.mark.parametrize(
    ("source", "problems"),
    [
        (
            '{"version": 1,\n "nodes": [],\n "nodes": []}',
            [Problem("json.invalid", "nodes", "line 3 column 2: duplicate key 'nodes'")],
        ),
        (
            '{"version": NaN, "nodes": []}',
            [Problem("json.invalid", "version", "line 1 column 13: NaN is not allowed in JSON")],
        ),
        (
            b'{"version": 1, "nodes": [], "name": "\xc0"}',
            [Problem("json.invalid", "", "not UTF-8: byte 0xc0 at offset 37")],
        ),
        ("[1, 2]", [Problem("schema.type", "", "must be an object, not an array")]),
        (
            '{"version": 1, "nodes": [{"id": "pc", "kind": "pc"}], "script": [{"at": 0, "node": "x", "command": "ls"}]}',
            [
                Problem("schema.enum", "nodes[0].kind", "must be one of: " + ", ".join(KINDS)),
                Problem("ref.unknown_node", "script[0].node", "unknown node 'x'", objects=("x",)),
            ],
        ),
    ],
    ids=["duplicate-key", "nan", "not-utf8", "not-an-object", "schema-and-ref"],
)
def test_load_raises_design_error_with_every_problem(source, problems):
    with pytest.raises(DesignError) as caught:
        load(source)
    assert caught.value.problems == problems


def test_design_error_summary_names_the_first_problem_and_counts_the_rest():
    error = DesignError([Problem("a.b", "nodes[0].id", "first"), Problem("a.c", "", "second")])
    assert str(error) == "invalid design: nodes[0].id: first (and 1 more)"


def test_missing_file_is_a_problem_not_a_traceback(tmp_path):
    with pytest.raises(DesignError) as caught:
        load(tmp_path / "nope.json")
    assert [p.to_dict() for p in caught.value.problems] == [
        {
            "code": "io.unreadable",
            "path": "",
            "msg": f"cannot read {tmp_path / 'nope.json'}: No such file or directory",
            "severity": "error",
            "objects": [],
        }
    ]


def test_problem_severity_is_checked():
    with pytest.raises(ValueError, match="Problem severity must be one of error, warning, info: 'fatal'"):
        Problem("x.y", "", "m", severity="fatal")


def test_load_returns_the_document_as_written():
    doc = load(json.dumps({"version": 1, "nodes": [{"id": "pc", "kind": "outside_host"}]}))
    assert doc == {"version": 1, "nodes": [{"id": "pc", "kind": "outside_host"}]}
