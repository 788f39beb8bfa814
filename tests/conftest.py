"""Shared fixtures: users, a design, share links and a Django test client per role (the helpers
themselves are in tests/web/webhelpers.py, importable from any test as `webhelpers`)."""

import os
import sys
import uuid
from pathlib import Path

# The test process imports config.asgi for its sockets: no validation pool is started for it (nor
# for the Daphnes the browser tests start, which inherit the variable); bench/validate.py's warms.
os.environ.setdefault("DESIGNER_WARM_VALIDATION", "0")

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))

from webhelpers import World, build_world, example_document  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """PBKDF2 costs ~0.2 s per user; tests create hundreds (Django's own test advice)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture
def document() -> dict:
    return example_document()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit counters live in the cache (Redis in CI, shared with the channel layer): every
    web test counts in its own namespace instead of flushing the cache."""
    if "web" not in request.path.parts:
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.DESIGNER_RATELIMIT_NAMESPACE = f"test-{uuid.uuid4().hex}"
    yield


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def owner_client(world):
    return world.client("owner")
