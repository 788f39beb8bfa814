"""The API's one authentication: Django's session cookie, optional. Returns the `Actor` (never
None, so anonymous callers reach the operation, which decides with `access_design`), after the
CSRF check for unsafe methods — also for anonymous sessions, which may hold an editor link."""

from __future__ import annotations

from django.conf import settings
from ninja.security import APIKeyCookie

from designer.access import Actor, actor_from_request


class ActorAuth(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request, key: str | None) -> Actor:
        # `key` (the session id) is already resolved into request.user/session by middleware.
        return actor_from_request(request)
