"""Deployment settings: `DJANGO_SETTINGS_MODULE=config.settings_production`.

Everything of `config.settings`, with DEBUG forced off (so SECRET_KEY and ALLOWED_HOSTS must be
set) and every `manage.py check --deploy` setting on. Served behind a TLS-terminating proxy that
sets `X-Forwarded-Proto`.
"""

import os

os.environ["DEBUG"] = "0"

from config.settings import *  # noqa: E402,F403
from config.settings import BASE_DIR, env_bool  # noqa: E402

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATIC_ROOT = BASE_DIR / "staticfiles"
