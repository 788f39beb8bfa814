"""designer.thumbnails: a distributed switch is drawn across the hosts it spans."""

import json
import re
from pathlib import Path

from designer.thumbnails import thumbnail_svg

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "distributed-switch.json").read_text()
)


def spans(svg: str) -> list[str]:
    return re.findall(r'<line class="thumb-link thumb-span"[^>]*/>', svg)


def test_one_dashed_line_per_member_host():
    svg = str(thumbnail_svg(EXAMPLE))
    assert len(spans(svg)) == 2
    assert all('stroke-dasharray="3 2"' in line for line in spans(svg))


def test_spans_follow_the_member_list_and_skip_unknown_hosts():
    doc = json.loads(json.dumps(EXAMPLE))
    dvs = next(n for n in doc["nodes"] if n["id"] == "dvs")
    dvs["members"] = [{"host": "hvA", "underlay": "underlay"}, {"host": "nowhere", "underlay": "x"}, "odd"]
    assert len(spans(str(thumbnail_svg(doc)))) == 1
    dvs["members"] = "not a list"
    assert spans(str(thumbnail_svg(doc))) == []


def test_a_span_ends_at_the_middle_of_its_host_box():
    doc = {
        "version": 1,
        "nodes": [
            {"id": "h", "kind": "host", "position": {"x": 0, "y": 0}},
            {"id": "vm", "kind": "vm", "host": "h", "position": {"x": 0, "y": 0}},
            {"id": "vm2", "kind": "vm", "host": "h", "position": {"x": 100, "y": 0}},
            {
                "id": "d",
                "kind": "distributed_switch",
                "vni": 1,
                "members": [{"host": "h", "underlay": "eth0"}],
                "position": {"x": 50, "y": 200},
            },
        ],
    }
    (line,) = spans(str(thumbnail_svg(doc)))
    x1 = float(re.search(r'x1="([^"]+)"', line).group(1))
    x2 = float(re.search(r'x2="([^"]+)"', line).group(1))
    # The switch sits under the middle of the box around vm (x 0) and vm2 (x 100).
    assert abs(x1 - x2) < 0.2
