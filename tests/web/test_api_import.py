"""Import and export: a table of malformed files, each with its error and nothing saved; foreign
ownership/sharing fields never take effect; the round trip export -> import keeps the document."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from webhelpers import example_document

from designer.models import Design, Membership, Revision, ShareLink

pytestmark = pytest.mark.django_db


def upload(client, raw: bytes, filename="lab.json"):
    return client.post("/api/designs/import", data={"file": SimpleUploadedFile(filename, raw)})


def doc_bytes(**changes) -> bytes:
    doc = example_document()
    doc.update(changes)
    return json.dumps(doc).encode()


def too_many_nodes() -> bytes:
    nodes = [{"id": f"n{i}", "kind": "lan_switch"} for i in range(10_001)]
    return json.dumps({"version": 1, "nodes": nodes}).encode()


MALFORMED = [
    # (case, bytes, status, code, msg)
    ("empty file", b"", 400, "json.invalid", None),
    ("not JSON", b"{", 400, "json.invalid", None),
    ("NaN", b'{"version": 1, "nodes": [], "x": NaN}', 400, "json.invalid", None),
    ("Infinity", b'{"version": 1, "nodes": [], "x": -Infinity}', 400, "json.invalid", None),
    ("duplicate keys", b'{"version": 1, "version": 1, "nodes": []}', 400, "json.invalid", None),
    ("deep nesting", b'{"version": 1, "nodes": [], "x": ' + b"[" * 40 + b"]" * 40 + b"}", 400, "json.invalid", None),
    ("huge integer", b'{"version": 1, "nodes": [], "x": 9007199254740993}', 400, "json.invalid", None),
    ("NUL character", b'{"version": 1, "nodes": [], "name": "a\\u0000b"}', 400, "json.invalid", None),
    ("lone surrogate", b'{"version": 1, "nodes": [], "name": "\\udc00"}', 400, "json.invalid", None),
    ("not UTF-8", b'{"version": 1, "name": "\xff\xfe", "nodes": []}', 400, "json.encoding", "The body is not UTF-8 text (byte 24)."),
    ("an array", b"[1, 2, 3]", 422, "import.not_a_design", "An imported file holds one design document: a JSON object."),
    ("a string", b'"design"', 422, "import.not_a_design", "An imported file holds one design document: a JSON object."),
    ("no nodes", b'{"version": 1}', 422, "design.invalid", None),
    ("wrong version", doc_bytes(version=2), 422, "design.invalid", None),
    ("unknown field", doc_bytes(colour="red"), 422, "design.invalid", None),
    ("link to unknown node", doc_bytes(links=[{"id": "l1", "a": {"node": "ghost", "nic": "eth0"}, "b": {"node": "intnet"}}]),
     422, "design.invalid", None),
    ("10,001 nodes", too_many_nodes(), 413, "design.too_many_nodes", "A design has at most 10,000 nodes; this one has 10,001."),
    ("over 10 MiB", b" " * (10 * 1024 * 1024 + 1), 413, "import.too_large", "An imported file is at most 10 MiB; this one is 10.0 MiB."),
]


@pytest.mark.parametrize("case, raw, status, code, msg", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_import_is_refused_and_nothing_saved(world, case, raw, status, code, msg):
    before = (Design.objects.count(), Revision.objects.count())
    answer = upload(world.client("stranger"), raw)
    assert answer.status_code == status, answer.content[:300]
    body = answer.json()
    assert body["code"] == code
    if msg is not None:
        assert body["msg"] == msg
    assert (Design.objects.count(), Revision.objects.count()) == before


def test_schema_problems_are_listed_with_paths(world):
    raw = doc_bytes(nodes=[{"id": "vm1", "kind": "vm", "nics": [{"name": "eth0", "mac": "zz"}]}])
    body = upload(world.client("stranger"), raw).json()
    assert body["code"] == "design.invalid"
    paths = [p["path"] for p in body["problems"]]
    assert "nodes[0].nics[0].mac" in paths
    assert all(set(p) >= {"code", "path", "msg"} for p in body["problems"])


def test_missing_file_field_is_422(world):
    answer = world.client("stranger").post("/api/designs/import", data={})
    assert answer.status_code == 422
    assert answer.json()["code"] == "request.invalid"


def test_foreign_ownership_and_sharing_fields_never_take_effect(world):
    owner = world.users["owner"]
    raw = doc_bytes(owner="owner", owner_id=owner.pk, is_example=True, share_links=[{"token": "x", "role": "editor"}],
                    members=[{"user": "owner", "role": "editor"}], permissions={"everyone": "edit"}, id=world.design.pk)
    answer = upload(world.client("stranger"), raw)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["owner"], body["role"], body["is_example"]) == ("stranger", "owner", False)
    design = Design.objects.get(pk=body["id"])
    assert design.pk != world.design.pk
    assert not ShareLink.objects.filter(design=design).exists()
    assert not Membership.objects.filter(design=design).exists()
    for field in ("owner", "owner_id", "is_example", "share_links", "members", "permissions", "id"):
        assert field not in design.document
    assert design.revisions.get().note == (
        "Imported from lab (ignored: id, is_example, members, owner, owner_id, permissions, share_links)")
    # ... and the owner named in the file cannot see it.
    assert world.client("owner").get(f"/api/designs/{design.pk}").status_code == 404


def test_name_from_filename_when_the_document_has_none(world):
    doc = example_document()
    del doc["name"]
    answer = upload(world.client("stranger"), json.dumps(doc).encode(), filename="../../My Lab.json")
    assert answer.json()["name"] == "My Lab"


def test_export_then_import_round_trip(world):
    client = world.client("owner")
    exported = client.get(f"/api/designs/{world.design.pk}/export").content
    answer = upload(client, exported, filename="lab-1.json")
    assert answer.status_code == 201
    copy = Design.objects.get(pk=answer.json()["id"])
    assert copy.document == Design.objects.get(pk=world.design.pk).document


def test_byte_order_mark_is_accepted(world):
    answer = upload(world.client("owner"), b"\xef\xbb\xbf" + doc_bytes())
    assert answer.status_code == 201


def test_ten_imports_per_90_seconds(world):
    client = world.client("stranger")
    for _ in range(10):
        assert upload(client, doc_bytes()).status_code == 201
    before = Design.objects.count()
    answer = upload(client, doc_bytes())
    assert answer.status_code == 429
    body = answer.json()
    assert body["code"] == "rate_limited.import"
    assert body["msg"].startswith("Too many imports: at most 10 per 90 seconds. Try again in ")
    assert 1 <= int(answer["Retry-After"]) <= 90
    assert Design.objects.count() == before
    # Another user is not affected.
    assert upload(world.client("viewer"), doc_bytes()).status_code == 201
