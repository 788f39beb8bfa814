"""The tables a run's viewers were shown, kept by the run's host for look backs before a page joined
(designer/simulation/tablehistory.py, `localrun.Run.tables_kept_at`, the mailbox route of
`tables.at` from another process): rebuilt exactly as a page merged them, bounded, cut by a seek
back, cleared by a reset, and answered by the host without its worker."""

from __future__ import annotations

import asyncio

import pytest

from designer.errors import DesignerError
from designer.simulation import remote
from designer.simulation.localrun import Run
from designer.simulation.runview import table_pages
from designer.simulation.tablehistory import TablesHistory, merge_page


def pages(tables: dict, *, snapshot: bool, removed: dict | None = None) -> list[str]:
    return table_pages("r1", {"seq": 0}, tables, snapshot=snapshot, removed=removed)


def table(t: int, macs: list[str]) -> dict:
    return {"t": t, "switches": {"sw": {"fdb": [{"mac": m, "port": 1} for m in macs]}}, "nodes": {}}


def test_the_tables_of_an_instant_are_the_last_keyframe_then_its_deltas_up_to_it():
    history = TablesHistory()
    history.keyframe(0, pages(table(0, []), snapshot=True))
    history.delta(10, pages({"t": 10, "switches": {"sw": table(10, ["a"])["switches"]["sw"]}}, snapshot=False))
    history.delta(20, pages({"t": 20, "nodes": {"h1": {"arp": []}}}, snapshot=False))
    history.delta(30, pages({"t": 30}, snapshot=False, removed={"nodes": ["h1"]}))
    assert history.at(5) == table(0, [])
    assert history.at(10) == table(10, ["a"])
    assert history.at(25) == {**table(20, ["a"]), "nodes": {"h1": {"arp": []}}}
    assert history.at(30) == table(30, ["a"])
    assert history.at(10**12) == table(30, ["a"])
    assert history.kept_from() == 0
    # A seek back to 20: what came at and after it did not happen any more; its tables come next.
    history.cut(20)
    history.keyframe(20, pages(table(20, ["b"]), snapshot=True))
    assert history.at(19) == table(10, ["a"]) and history.at(25) == table(20, ["b"])


def test_a_delta_with_no_keyframe_before_it_is_not_kept():
    history = TablesHistory()
    history.delta(10, pages({"t": 10}, snapshot=False))
    assert history.at(10) is None and history.kept_from() is None and history.chars == 0


def test_the_history_is_bounded_and_says_from_when_it_keeps_the_tables():
    history = TablesHistory(limit=20_000, keyframe_min=2_000)
    macs: list[str] = []
    for t in range(0, 400):
        if t == 0 or history.wants_keyframe():
            history.keyframe(t, pages(table(t, macs), snapshot=True))
        macs = macs + [f"m{t:04d}"]
        history.delta(t + 1, pages({"t": t + 1, "switches": {"sw": table(t + 1, macs)["switches"]["sw"]}},
                                   snapshot=False))
        assert history.chars <= 20_000 or len(history.segments) == 1
        assert history.chars == sum(s.chars for s in history.segments)
    since = history.kept_from()
    assert since > 0 and history.at(since - 1) is None
    for t in (since, since + 1, 400):
        assert history.at(t)["switches"]["sw"]["fdb"] == [{"mac": f"m{i:04d}", "port": 1} for i in range(t)]


def test_a_merge_is_the_browsers():
    held = merge_page(None, {"snapshot": True, "part": 1, "tables": {"t": 1, "nodes": {"a": 1}, "nat": {}}})
    held = merge_page(held, {"snapshot": True, "part": 2, "tables": {"t": 1, "nodes": {"b": 2}}})
    assert held == {"t": 1, "nodes": {"a": 1, "b": 2}, "nat": {}}
    after = merge_page(held, {"snapshot": False, "tables": {"t": 2, "nodes": {"a": 3}}, "removed": {"nodes": ["b"]}})
    assert after == {"t": 2, "nodes": {"a": 3}, "nat": {}} and held["nodes"] == {"a": 1, "b": 2}


def fed_run() -> Run:
    """A host's run fed with what a worker sends, with no worker and no group (nothing is relayed)."""
    run = Run(1, "owner", {"run": "r1", "doc": {}}, layer=None, group="g")
    run._on_message({"kind": "seeked", "status": "paused", "t": 0, "seq": 0, "tables": table(0, []), "started": True})
    for t, macs in ((10, ["a"]), (20, ["a", "b"])):
        run._on_message({"kind": "batch", "first": 1, "last": 0, "t": t, "events": [], "full": [],
                         "tables_delta": {"t": t, "switches": table(t, macs)["switches"]}, "tables_removed": None})
    return run


def test_the_host_answers_from_what_it_relayed_and_a_seek_or_reset_rewrites_it():
    run = fed_run()
    assert run.tables_kept_at(15) == {"tables": table(10, ["a"]), "from": 0}
    with pytest.raises(DesignerError) as later:
        run.tables_kept_at(21)
    assert later.value.code == "run.not_yet"
    assert later.value.msg == "The run is at 0.000 s: 0.000 s has not happened in it yet."
    run._on_message({"kind": "seeked", "status": "paused", "t": 15, "seq": 0, "tables": table(15, ["c"])})
    assert run.tables_kept_at(15)["tables"] == table(15, ["c"])
    assert run.tables_kept_at(14)["tables"] == table(10, ["a"])
    run._on_message({"kind": "seeked", "status": "paused", "t": 0, "seq": 0, "tables": table(0, []), "reset": True})
    assert run.tables_kept_at(0) == {"tables": table(0, []), "from": 0}
    run.history.clear()
    run.history.keyframe(5, pages(table(5, []), snapshot=True))
    run.state["t"] = 5
    with pytest.raises(DesignerError) as gone:
        run.tables_kept_at(2)
    assert gone.value.code == "run.tables_gone" and "kept from 0.000 s" in gone.value.msg


def test_sockets_asking_the_same_instant_share_one_rebuild_until_a_seek_changes_the_past(monkeypatch):
    """A class following its teacher's look back asks for the same instant at once: rebuilt once
    (in a thread, one at a time per run), and again after a seek back rewrote what came after."""
    from designer.simulation import localrun

    run, rebuilt = fed_run(), []
    real = localrun.rebuild
    monkeypatch.setattr(localrun, "rebuild", lambda picked: rebuilt.append(1) or real(picked))
    run.state["t"] = 20

    async def class_asks(t: int) -> list[dict]:
        return await asyncio.gather(*(run.tables_at(t) for _ in range(5)))

    answers = asyncio.run(class_asks(15))
    assert len(rebuilt) == 1 and all(a == {"tables": table(10, ["a"]), "from": 0} for a in answers)
    assert asyncio.run(run.tables_at(20))["tables"] == table(20, ["a", "b"]) and len(rebuilt) == 2
    run._on_message({"kind": "seeked", "status": "paused", "t": 12, "seq": 0, "tables": table(12, ["c"])})
    run._on_message({"kind": "batch", "first": 1, "last": 0, "t": 20, "events": [], "full": [],
                     "tables_delta": {"t": 20, "switches": table(20, ["d"])["switches"]}, "tables_removed": None})
    run.state["t"] = 20
    assert asyncio.run(run.tables_at(20))["tables"] == table(20, ["d"]) and len(rebuilt) == 3


def test_another_process_asks_the_host_through_its_mailbox_and_the_worker_is_not_asked(monkeypatch):
    run = fed_run()

    async def no_worker(op, **fields):
        raise AssertionError(f"{op} went to the worker")

    run.request = no_worker
    pushed = []

    class Store:
        async def box_push(self, box, message):
            pushed.append((box, message))

    mailbox = remote.Mailbox()
    mailbox.local_run = lambda design_id: run if design_id == 1 else None
    message = {"type": "sim.request", "id": "p-1", "reply_to": "box:asker", "design": 1, "run": "r1",
               "op": "tables.at", "fields": {"t": 12}}
    asyncio.run(mailbox._serve(Store(), message))
    assert pushed == [("box:asker", {"type": "sim.reply", "id": "p-1", "ok": True,
                                     "data": {"tables": table(10, ["a"]), "from": 0}})]

    # The asking side: a RemoteRun forwards the same op to the host's mailbox.
    forwarded = []

    async def forward(host, design_id, run_id, op, fields, timeout):
        forwarded.append((host, design_id, run_id, op, fields))
        return {"tables": {}, "from": 0}

    monkeypatch.setattr(remote.MAILBOX, "forward", forward)
    far = remote.RemoteRun(1, "r1", {"t": 20, "seq": 0}, None, store=None, host="box:host")
    assert asyncio.run(far.tables_at(12)) == {"tables": {}, "from": 0}
    assert forwarded == [("box:host", 1, "r1", "tables.at", {"t": 12})]


def test_the_host_rebuilds_what_a_page_following_the_run_held_at_any_instant_across_seeks():
    """A real worker (in-process, a fake clock) feeding its host; a page follows every `tables` and
    `run.seeked` the host relays as the browser does (tablemodel.js mergeTables, TableHistory: a
    seek back drops what came at and after its instant). At random instants, before and after
    seeks back and forward, the host's answer is exactly what the page held then."""
    import json
    import random
    from pathlib import Path

    from designer.simulation.worker import RunWorker

    doc = json.loads((Path(__file__).resolve().parents[2] / "examples" / "nat-dhcp.json").read_text())
    run = Run(1, "user:1", {"run": "r", "doc": doc}, None, "g")
    run._outbox = asyncio.Queue()
    # A keyframe (made by the host from its own tables) every two deltas: rebuilds start from them.
    run.history.wants_keyframe = lambda: len(run.history.segments[-1].deltas) >= 2
    worker = RunWorker({"run": "r", "doc": doc, "seed": 0, "speed": 10.0}, now=0.0)
    page: list[tuple[int, dict]] = []
    held: dict | None = None

    def follow(messages) -> None:
        nonlocal held
        for m in messages:
            if m["kind"] != "reply":
                run._on_message(m)
        while not run._outbox.empty():
            msg = json.loads(run._outbox.get_nowait()["text"])
            if msg["type"] == "run.seeked":
                page[:] = [] if msg["started"] or msg["reset"] else [(t, h) for t, h in page if t < msg["t"]]
            elif msg["type"] == "tables":
                held = merge_page(held, msg)
                page.append((msg["t"], held))

    def check(rng, n=25) -> None:
        for at in sorted(rng.randrange(0, run.state["t"] + 1) for _ in range(n)) + [e[0] for e in page]:
            want = [h for t, h in page if t <= at][-1]
            assert run.tables_kept_at(at)["tables"] == want, at

    follow([{"kind": "seeked", **worker.state(), "tables": worker.start_tables, "started": True}])
    now = 0.0
    rng = random.Random(7)
    for seek in (None, 3.0, 20.0, 1.5):
        if seek is not None:
            follow(worker.handle({"op": "run.seek", "t": seek, "id": 1}, now))
        for _ in range(16):  # 8 s of the run at 10x
            now += 0.05
            follow(worker.tick(now))
        check(rng)
    assert len(page) > 3 and len(run.history.segments) > 3


@pytest.mark.skipif(not __import__("os").environ.get("REDIS_URL"), reason="the mailbox lives in Redis: needs REDIS_URL")
@pytest.mark.asyncio
async def test_through_redis_another_process_gets_the_hosts_answer_and_its_refusal(monkeypatch):
    import os
    import uuid

    from designer.simulation import store as stores

    store = stores.RedisStore(os.environ["REDIS_URL"], prefix=f"test-lookback:{uuid.uuid4().hex}")
    monkeypatch.setattr(stores, "_STORE", store)
    monkeypatch.setattr(stores, "mode", lambda: "redis")
    mailbox = remote.Mailbox()  # this process is both the host and the asker: the same route
    monkeypatch.setattr(remote, "MAILBOX", mailbox)
    run = fed_run()
    mailbox.local_run = lambda design_id: run if design_id == 1 else None
    try:
        await mailbox.ensure()
        far = remote.RemoteRun(1, "r1", {"t": 20, "seq": 0}, None, store, host=mailbox.channel)
        assert await far.tables_at(12) == {"tables": table(10, ["a"]), "from": 0}
        with pytest.raises(DesignerError) as later:
            await far.tables_at(50)
        assert later.value.code == "run.not_yet"
    finally:
        mailbox.stop()
        client = store.client()
        async for key in client.scan_iter(match=f"{store.prefix}:*"):
            await client.delete(key)
        await store.close()
