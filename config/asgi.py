"""ASGI entry point (Daphne): HTTP goes to Django; websockets pass the exact origin check, then
session/auth middleware, then designer.routing. The composition is tested as a whole
(tests/web/test_websocket_origin.py), since that is what a browser reaches."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything imports models (consumers, auth middleware).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from config.origin import ExactOriginValidator  # noqa: E402
from designer.routing import websocket_urlpatterns  # noqa: E402

if os.environ.get("DESIGNER_WARM_VALIDATION", "1") == "1":  # the tests' own process sets it to 0
    from designer import offload  # noqa: E402

    offload.warm_soon()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": ExactOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
            settings.ALLOWED_ORIGINS,
            settings.ALLOWED_HOSTS,
        ),
    }
)
