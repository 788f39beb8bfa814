"""Answers are bounded at every door: a document with a flood of problems gets the first
MAX_PROBLEMS of them and a count of the rest, never an answer the size of the flood."""

import io
import json

import pytest
from channels.db import database_sync_to_async
from django.db import connections
from webhelpers import example_document

from designer.models import Design
from simcore.design.problems import MAX_PROBLEMS

pytestmark = pytest.mark.django_db
ANSWER_BOUND = 64 * 1024


def flood(n: int) -> dict:
    doc = {"version": 1, "name": "flood", "nodes": [], "links": []}
    for i in range(n):
        doc[f"k{i:06d}"] = 1
    return doc


def test_validate_with_500000_unknown_keys_answers_in_64_kb_and_counts_the_rest(client):
    body = json.dumps(flood(500_000))
    assert len(body) > 5_900_000
    response = client.post("/api/validate", data=body, content_type="application/json")
    assert response.status_code == 200
    assert len(response.content) <= ANSWER_BOUND
    answer = response.json()
    assert answer["ok"] is False
    assert len(answer["problems"]) == MAX_PROBLEMS
    assert answer["problems"][0] == {"code": "schema.unknown_field", "path": "k000000",
                                     "msg": "unknown field 'k000000'", "severity": "error", "objects": []}
    assert answer["more_problems"] == 500_000 - MAX_PROBLEMS == 499_950


def test_a_valid_document_has_nothing_more(client):
    response = client.post("/api/validate", data=json.dumps(example_document()), content_type="application/json")
    answer = response.json()
    assert (answer["ok"], answer["problems"], answer["more_problems"], answer["more_checks"]) == (True, [], 0, 0)


def test_create_update_and_import_list_the_first_problems_and_count_the_rest(world):
    client = world.client("owner")
    bad = example_document()
    for i in range(3000):
        bad[f"x{i:04d}"] = i
    before = Design.objects.count()
    created = client.post("/api/designs", data=json.dumps({"name": "big", "document": bad}),
                          content_type="application/json")
    assert created.status_code == 422
    answer = created.json()
    assert len(created.content) <= ANSWER_BOUND
    assert len(answer["problems"]) == MAX_PROBLEMS and answer["more_problems"] == 3000 - MAX_PROBLEMS
    assert "3,000 problems; the first 50 are listed" in answer["msg"]

    updated = client.put(f"/api/designs/{world.design.pk}", data=json.dumps(
        {"base_version": world.design.version, "document": bad}), content_type="application/json")
    assert updated.status_code == 422
    assert updated.json()["more_problems"] == 3000 - MAX_PROBLEMS

    upload = io.BytesIO(json.dumps(bad).encode())
    upload.name = "big.json"
    imported = client.post("/api/designs/import", {"file": upload})
    assert imported.status_code == 422
    assert imported.json()["more_problems"] == 3000 - MAX_PROBLEMS
    assert Design.objects.count() == before


def test_an_oversized_body_is_refused_before_parsing(client):
    from designer.limits import MAX_BODY_BYTES

    body = b'{"pad": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
    response = client.post("/api/validate", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"


def test_anonymous_validation_is_rate_limited_per_address(client, settings, django_user_model):
    settings.DESIGNER_RATE_LIMITS = {**settings.DESIGNER_RATE_LIMITS, "validate_anon": (2, 60)}
    body = json.dumps(example_document())
    codes = [client.post("/api/validate", data=body, content_type="application/json").status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.post("/api/validate", data=body, content_type="application/json")
    assert refused.json()["code"] == "rate_limited.validate_anon" and "Retry-After" in refused
    # A signed-in user has no such limit (writes and imports have theirs).
    user = django_user_model.objects.create_user("v", password="pw-long-enough-123")
    client.force_login(user)
    assert client.post("/api/validate", data=body, content_type="application/json").status_code == 200


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_websocket_message_with_many_unknown_fields_gets_a_bounded_error():
    from test_websocket import open_as

    try:
        _world, comm, connected = await open_as("owner")
        assert connected
        await comm.receive_json_from()  # hello
        message = {"type": "ping", **{f"f{i:04d}": 1 for i in range(3000)}}
        await comm.send_to(text_data=json.dumps(message))
        answer = await comm.receive_json_from()
        assert answer["code"] == "ws.invalid_fields"
        assert len(answer["problems"]) == MAX_PROBLEMS
        assert answer["more_problems"] == 3000 - MAX_PROBLEMS
        await comm.disconnect()
    finally:
        await database_sync_to_async(connections.close_all)()


def test_a_served_process_starts_its_validation_worker_in_the_background(monkeypatch):
    """config/asgi.py calls warm_soon: the pool gets a task a moment after the server starts, so the
    first big validation does not wait for a worker to import Django."""
    import threading

    from designer import offload

    asked = threading.Event()

    class Pool:
        def submit(self, fn, *args):
            assert fn is offload._ready
            asked.set()

            class Done:
                def result(self, timeout=None):
                    return fn()
            return Done()

    monkeypatch.setattr(offload, "_get_pool", lambda: Pool())
    offload.warm_soon(0)
    assert asked.wait(5)


def test_big_validations_run_only_on_cpu_time_the_server_leaves():
    """The validation worker is SCHED_IDLE (Linux): while pages and sockets want the CPU, they
    get it first (bench/validate.py measures `GET /` during three floods)."""
    import os

    from designer import offload

    policy, _niceness = offload._get_pool().submit(offload._scheduling).result(timeout=120)
    assert policy == os.SCHED_IDLE


def test_a_big_validation_the_busy_server_never_got_to_is_answered_503_with_retry_after(client, monkeypatch):
    from designer import offload

    class Pool:
        def submit(self, fn, *args):
            class Waiting:
                def result(self, timeout=None):
                    assert timeout == offload.WAIT_S
                    raise TimeoutError
            return Waiting()

    monkeypatch.setattr(offload, "_get_pool", lambda: Pool())
    before = offload._waiting
    response = client.post("/api/validate", data=json.dumps(flood(100_000)), content_type="application/json")
    assert response.status_code == 503
    assert response.json()["code"] == "server.busy" and "too busy" in response.json()["msg"]
    assert response["Retry-After"] == "60"
    assert offload._waiting == before  # its place in the queue is given back
