"""designer.thumbnails: the inline SVG is drawn from the document, and never raises on odd input."""

import json
import re
from pathlib import Path

import pytest

from designer.thumbnails import MAX_NODES, thumbnail_svg

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "examples" / "internal-switch.json").read_text())


def count(svg: str, tag: str, cls: str) -> int:
    return len(re.findall(rf'<{tag} class="[^"]*\b{cls}\b', svg))


def test_example_draws_one_host_box_four_marks_and_three_links():
    svg = str(thumbnail_svg(EXAMPLE, title="Internal switch"))
    assert count(svg, "rect", "thumb-host") == 1
    assert count(svg, "rect", "thumb-vm") == 3
    assert count(svg, "polygon", "thumb-vswitch") == 1
    assert count(svg, "line", "thumb-link") == 3
    assert 'aria-label="Thumbnail of Internal switch"' in svg


def test_positions_decide_where_marks_go():
    left = {"version": 1, "nodes": [{"id": "a", "kind": "internet", "position": {"x": 0, "y": 0}},
                                     {"id": "b", "kind": "internet", "position": {"x": 100, "y": 0}}]}
    svg = str(thumbnail_svg(left))
    xs = [float(x) for x in re.findall(r'<circle [^>]*cx="([\d.]+)"', svg)]
    assert xs == sorted(xs) and xs[0] < 40 and xs[1] > 120


def test_host_box_encloses_its_vms():
    svg = str(thumbnail_svg(EXAMPLE))
    x, y, w, h = (float(v) for v in re.search(r'class="thumb-host" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg).groups())
    for vx, vy in re.findall(r'class="thumb-node thumb-vm" x="([\d.]+)" y="([\d.]+)"', svg):
        assert x <= float(vx) and float(vx) + 6 <= x + w
        assert y <= float(vy) and float(vy) + 6 <= y + h


@pytest.mark.parametrize(
    "document, marks",
    [
        (None, 0),
        ([], 0),
        ({"nodes": "x"}, 0),
        ({"nodes": [1, "a", None, {"kind": "vm"}]}, 0),
        ({"nodes": [{"id": "a", "kind": "vm", "position": {"x": "1", "y": None}}]}, 1),
        ({"nodes": [{"id": "a", "kind": "internet", "position": {"x": float("nan"), "y": 1}}]}, 1),
        ({"nodes": [{"id": "a", "kind": "vm", "host": "ghost"}], "links": [{"a": {"node": "a"}, "b": {"node": "ghost"}}, 7]}, 1),
        ({"nodes": [{"id": "a", "kind": 5}], "links": {"a": 1}}, 1),
    ],
)
def test_odd_documents_never_raise(document, marks):
    svg = str(thumbnail_svg(document))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert count(svg, "(?:rect|circle|polygon)", "thumb-node") == marks
    assert ("empty design" in svg) == (marks == 0)


def test_names_are_escaped():
    svg = str(thumbnail_svg({"nodes": [{"id": "a", "kind": '"><script>'}]}, title="<b>&"))
    assert "<script>" not in svg and "<b>" not in svg
    assert 'aria-label="Thumbnail of &lt;b&gt;&amp;"' in svg


def test_huge_designs_are_capped():
    doc = {"nodes": [{"id": f"n{i}", "kind": "internet", "position": {"x": i, "y": i}} for i in range(5000)]}
    assert count(str(thumbnail_svg(doc)), "circle", "thumb-node") == MAX_NODES


def test_same_document_same_picture():
    doc = {"nodes": [{"id": f"n{i}", "kind": "vm"} for i in range(7)]}
    assert str(thumbnail_svg(doc)) == str(thumbnail_svg(json.loads(json.dumps(doc))))
