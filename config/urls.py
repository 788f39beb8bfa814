"""URLs: the JSON API at /api/ (django-ninja, OpenAPI at /api/docs and /api/openapi.json),
the admin, and the designer's pages. Every pattern has a name (the permission matrix test walks
this URLconf and fails on a pattern it has no expectations for)."""

from django.contrib import admin
from django.urls import include, path

from designer.api import api

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("designer.urls")),
]
