"""Websocket URLs (mounted by config.asgi behind the exact origin check and auth middleware)."""

from django.urls import path

from designer.consumers import DesignConsumer
from designer.lessons.live import ClassOverviewConsumer

websocket_urlpatterns = [
    path("ws/designs/<int:design_id>/", DesignConsumer.as_asgi(), name="ws_design"),
    # A class's overview, pushed to its teacher (designer/lessons/live.py).
    path("ws/classes/<int:class_id>/", ClassOverviewConsumer.as_asgi(), name="ws_class"),
]
