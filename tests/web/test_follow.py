"""Following a presenter over the real design websocket (docs/design.md, "Following a presenter";
docs/websocket-protocol.md, `presence`, `follow.bring`, `follow.hold`): a viewer's presence carries
its view state, merged field by field and relayed whole; a socket's first presence learns who is
already there; "bring everyone" reaches every other socket and not its sender; a hold shows in the
holder's presence; a viewer may present and follow but not bring or hold; nothing is stored.
"""

from __future__ import annotations

import pytest
from test_coedit import close, connect, stored
from test_coedit import world as world  # the fixture

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

VIEW = {"viewport": {"x": 12.5, "y": -4, "zoom": 1.25, "w": 800, "h": 600}, "selection": ["vm1"], "picked": 7,
        "tables": {"tab": "arp", "node": "vm1"}, "console": "vm2", "following": None, "at": None}


async def test_presence_carries_the_view_state_merged_and_relayed_whole(world):
    owner, viewer = await connect(world, "owner", "a"), await connect(world, "viewer", "b")
    before = await stored(world)
    await owner.comm.send_json_to({"type": "presence", **VIEW})
    # The viewer's first presence asks who is there: the owner's whole view state comes back.
    await viewer.comm.send_json_to({"type": "presence", "following": None})
    there = await viewer.until(lambda m: m["type"] == "presence" and m["name"] == "owner")
    assert {k: there[k] for k in VIEW} == VIEW
    # A later message with one field keeps the others.
    await owner.comm.send_json_to({"type": "presence", "picked": 9})
    got = await viewer.until(lambda m: m["type"] == "presence" and m.get("picked") == 9)
    assert got["viewport"] == VIEW["viewport"] and got["tables"] == VIEW["tables"] and got["console"] == "vm2"
    following = await owner.until(lambda m: m["type"] == "presence" and m["name"] == "viewer")
    await viewer.comm.send_json_to({"type": "presence", "following": got["peer"], "at": 2.5})
    seen = await owner.until(lambda m: m["type"] == "presence" and m.get("following"))
    assert (seen["peer"], seen["following"], seen["at"]) == (following["peer"], got["peer"], 2.5)
    assert await stored(world) == before
    await close(owner, viewer)


async def test_bring_everyone_and_hold_are_for_owners_and_editors(world):
    owner, editor, viewer = (await connect(world, "owner", "a"), await connect(world, "editor", "b"),
                             await connect(world, "viewer", "c"))
    await owner.comm.send_json_to({"type": "presence", **VIEW})
    await owner.comm.send_json_to({"type": "follow.bring", "ref": "b"})
    assert (await owner.until(lambda m: m["type"] == "ack"))["data"]["peer"]
    for peer in (editor, viewer):
        brought = await peer.until(lambda m: m["type"] == "follow.brought")
        assert brought["name"] == "owner"
    assert not [m for m in owner.inbox if m["type"] == "follow.brought"]  # never told to follow itself

    await owner.comm.send_json_to({"type": "follow.hold", "on": True, "ref": "h"})
    held = await viewer.until(lambda m: m["type"] == "presence" and m.get("holding") is True)
    assert held["peer"] == brought["peer"] and held["viewport"] == VIEW["viewport"]
    await owner.comm.send_json_to({"type": "follow.hold", "on": False})
    await viewer.until(lambda m: m["type"] == "presence" and m.get("holding") is False)

    # A viewer presents and follows, but neither brings nor holds.
    for kind, fields in (("follow.bring", {}), ("follow.hold", {"on": True})):
        await viewer.comm.send_json_to({"type": kind, **fields, "ref": kind})
        error = await viewer.until(lambda m: m["type"] == "error")
        assert (error["code"], error["ref"]) == ("forbidden.present", kind)
    # A viewer cannot slip a hold into its presence either (the schema is closed).
    await viewer.comm.send_json_to({"type": "presence", "holding": True, "ref": "p"})
    error = await viewer.until(lambda m: m["type"] == "error")
    assert error["code"] == "ws.invalid_fields" and error["problems"][0]["path"] == "holding"
    await close(owner, editor, viewer)
