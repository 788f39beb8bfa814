"""Websocket URLs (mounted by config.asgi behind the exact origin check and auth middleware)."""

from django.urls import path

from designer.consumers import DesignConsumer

websocket_urlpatterns = [
    path("ws/designs/<int:design_id>/", DesignConsumer.as_asgi(), name="ws_design"),
]
