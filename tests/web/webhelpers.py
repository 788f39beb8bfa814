"""Helpers for web tests: users, a design, share links and a Django test client per role.
(Fixtures wrapping them are in tests/conftest.py.)

Roles (the permission matrix's vocabulary): owner, editor, viewer (members), link_viewer,
link_editor, revoked_link, expired_link (anonymous sessions holding a share-link token),
stranger (signed in, no access), anonymous.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "internal-switch.json"
ROLES = ("owner", "editor", "viewer", "link_viewer", "link_editor", "revoked_link", "expired_link",
         "stranger", "anonymous")
PASSWORD = "correct-horse-battery-9"


def example_document() -> dict:
    return json.loads(EXAMPLE.read_text())


def make_user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=username, password=PASSWORD)


def make_design(owner, *, name: str = "Lab 1", document: dict | None = None):
    from designer.actions import do_create_design

    return do_create_design(owner, name=name, description="A lab", document=copy.deepcopy(document or example_document()))


def client_holding_link(token: str, *, client=None, enforce_csrf: bool = False):
    """An anonymous (or given) client whose session holds `token`, as after opening /s/<token>/."""
    from django.test import Client

    from designer.access import SESSION_KEY

    client = client or Client(enforce_csrf_checks=enforce_csrf)
    session = client.session
    session[SESSION_KEY] = [token]
    session.save()
    return client


@dataclass
class World:
    design: object
    users: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)

    def client(self, role: str, *, enforce_csrf: bool = False):
        from django.test import Client

        if role in ("owner", "editor", "viewer", "stranger"):
            client = Client(enforce_csrf_checks=enforce_csrf)
            client.force_login(self.users[role])
            return client
        if role in ("link_viewer", "link_editor", "revoked_link", "expired_link"):
            return client_holding_link(self.links[role].token, enforce_csrf=enforce_csrf)
        if role == "anonymous":
            return Client(enforce_csrf_checks=enforce_csrf)
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")


def build_world() -> World:
    from django.utils import timezone

    from designer.access import Actor
    from designer.actions import do_add_member, do_create_share_link
    from designer.models import ShareLink

    users = {name: make_user(name) for name in ("owner", "editor", "viewer", "stranger")}
    design = make_design(users["owner"])
    owner = Actor(users["owner"])
    do_add_member(owner, design, users["editor"], "editor")
    do_add_member(owner, design, users["viewer"], "viewer")
    links = {
        "link_viewer": do_create_share_link(owner, design, role="viewer"),
        "link_editor": do_create_share_link(owner, design, role="editor"),
        "revoked_link": do_create_share_link(owner, design, role="editor"),
        "expired_link": ShareLink.objects.create(design=design, role="editor", created_by=users["owner"],
                                                 expires_at=timezone.now() - dt.timedelta(minutes=1)),
    }
    links["revoked_link"].revoked_at = timezone.now()
    links["revoked_link"].save()
    return World(design=design, users=users, links=links)




def forget_live_state() -> None:
    """Before a websocket test: nothing left by an earlier test's event loop, which is gone.

    The relay's sockets belong to that loop, and so may the channel layer: channels-redis counts
    the coroutines receiving and keeps one receive lock, so a receive still pending when its loop
    ended leaves the lock held and the next loop fails with "bound to a different event loop".
    Each test gets a channel layer of its own."""
    from channels.layers import channel_layers

    from designer.simulation.relay import RELAY

    RELAY.reset()
    channel_layers.backends.clear()


async def stop_live_state() -> None:
    """After a websocket test: its runs stopped, its sockets and database connections let go."""
    from channels.db import database_sync_to_async
    from django.db import connections

    from designer import consumers
    from designer.simulation.registry import REGISTRY
    from designer.simulation.relay import RELAY

    await REGISTRY.stop_all()
    RELAY.reset()
    consumers._SOCKETS.clear()
    await database_sync_to_async(connections.close_all)()
