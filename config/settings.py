"""Settings read from the environment.

Variables (all optional in development):

- `DEBUG` — `1`/`0`; default on, because the default deployment is a laptop or a classroom
  (`make run`). Deployments use `DJANGO_SETTINGS_MODULE=config.settings_production`, which forces
  it off and turns on every `check --deploy` setting.
- `SECRET_KEY` — required when DEBUG is off; a fixed, clearly unsafe key is used otherwise.
- `ALLOWED_HOSTS` — comma-separated; `*` is refused (it also switches off the websocket origin
  check: docs/traps.md, "The origin check is host-only"). Default in DEBUG: 127.0.0.1,
  localhost, [::1].
- `ALLOWED_ORIGINS` — comma-separated full origins (`scheme://host:port`) allowed to open
  websockets and to make unsafe requests (CSRF_TRUSTED_ORIGINS). Default in DEBUG:
  http://127.0.0.1:$PORT, http://localhost:$PORT, http://[::1]:$PORT with `PORT` (default 8000).
- `DATABASE_URL` — dj-database-url; default SQLite at `var/db.sqlite3` (WAL, IMMEDIATE, busy
  timeout: Django's defaults lost 262 of 500 concurrent writes to "database is locked").
- `REDIS_URL` — channels-redis channel layer and a Redis cache (rate limits shared by every
  process); default in-memory layer and local-memory cache.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1 or 0.")


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-only-never-deploy-this-key-0123456789abcdef"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, e.g. "
            "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or (["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS contains '*': name the hosts this site is served on (comma-separated), "
        "e.g. ALLOWED_HOSTS=designer.example.org. '*' disables Host header and websocket origin checks."
    )
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty: set ALLOWED_HOSTS=your.host.name (comma-separated).")

PORT = os.environ.get("PORT", "8000")


def _default_origins() -> list[str]:
    if DEBUG:
        return [f"http://{host}:{PORT}" for host in ("127.0.0.1", "localhost", "[::1]")]
    return [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS]


# Full origins, compared exactly (scheme, host and port) by config.origin.ExactOriginValidator.
ALLOWED_ORIGINS = env_list("ALLOWED_ORIGINS") or _default_origins()
CSRF_TRUSTED_ORIGINS = list(ALLOWED_ORIGINS)

INSTALLED_APPS = [
    "daphne",  # first: its runserver replaces Django's (ASGI, websockets)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ninja",  # serves Swagger UI from our static files, not a CDN
    "axes",  # the log-in throttle (failures per account and address), below
    "designer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "designer.limits.VisitorSessionMiddleware",  # after sessions: an anonymous visitor gets one
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out log-in with its page
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        (BASE_DIR / "var").mkdir(exist_ok=True)
        url = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
    # Health checks: a connection dropped by the server is replaced before the request uses it
    # (without them the first request after the drop fails).
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # Django's defaults lost 262 of 500 concurrent writes to "database is locked"; with these
        # settings none failed. WAL lets readers run beside the writer, IMMEDIATE takes the write
        # lock at BEGIN (no deadlocking lock upgrade), and the timeout makes writers queue.
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not ":memory:": tests with threads need every connection to see one database.
        (BASE_DIR / "var").mkdir(exist_ok=True)
        # TEST_SQLITE_NAME lets two test runs in one tree keep apart (they would destroy each
        # other's database otherwise).
        db["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_NAME") or str(BASE_DIR / "var" / "test.sqlite3")}
        db["CONN_MAX_AGE"] = 60  # as PostgreSQL: reopening a connection per websocket message was a third of its cost
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 caps its async pool at 100 connections.
                # redis-py 8 also times reads out after 5 s by default, exactly the 5 s channels-redis
                # blocks in BZPOPMIN: under load the read times out and the consumer dies (its socket
                # closes). A longer read timeout than the block (scale-out, docs/design.md).
                "hosts": [{"address": REDIS_URL, "max_connections": 200, "socket_timeout": 15}],
                # Default capacity 100 silently drops group messages (the in-memory layer delivered
                # 100 of 150): events are numbered and gaps filled from the run's ring buffer too.
                "capacity": 1000,
                # Members of killed processes linger until this expires (default 24 h);
                # consumers re-join on every connect.
                "group_expiry": 3600,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "netdesigner",
        }
    }
    # Sessions read through the shared cache, written to both (Django's cached_db): a socket
    # reads its session afresh on every message (access.actor_from_scope), which was a
    # PostgreSQL query per message. Only with Redis: every process sees the same cache, and a
    # logout or a new link is written through it.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "netdesigner"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The log-in throttle is django-axes: it counts FAILED log-ins per account and client address
# together (a guesser elsewhere never locks the right password out, a class sharing one demo
# account from one address is not locked by a typo: a success starts the count again), in the
# database (every process sees it). Its backend refuses a locked pair before the password hash is
# checked; authenticate() must be given the request (Django's forms do; the test client's
# `login()` does not, use `force_login`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)  # after the last failed attempt
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "designer.pages.accounts.username_for_throttle"
AXES_CLIENT_IP_CALLABLE = "designer.limits.login_address"  # REMOTE_ADDR, as every other limit
AXES_LOCKOUT_CALLABLE = "designer.pages.accounts.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # no row per successful log-in
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Requests: a design is at most 8 MiB serialised and an import file at most 10 MiB; the body
# cap sits just above so that those limits answer with their own clear errors first.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024 + 64 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Cookies and headers. Secure cookies and HSTS need HTTPS: settings_production turns them on.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): scripts only from our own files, never inline (JSON
# data goes in `json_script` blocks, which are not run); no style attributes. <style> elements
# are allowed because xterm.js writes its terminal's sizes and theme into ones it creates (they
# carry no nonce, and their text changes with the window, so no hash fits): docs/design.md.
# The API's Swagger page (/api/docs) is ninja's own template with an inline script: excluded.
# 'unsafe-eval': the editor checks each field against the design schema with ajv, which compiles
# validators with `new Function`; without it no field check runs (an edit was silently not made).
# Inline scripts stay refused. Compiling ajv's validators at build time (its standalone code) would
# let this go: docs/design.md, "Bounded answers and the doors' hardening".
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs", "/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_EVAL],
        "style-src": [SELF],
        "style-src-elem": [SELF, UNSAFE_INLINE],
        "style-src-attr": [NONE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Rate limits: name -> (requests, window in seconds). Tests override these with `settings`.
DESIGNER_RATE_LIMITS = {
    "import": (10, 90),
    "write": (300, 60),
    # POST /api/validate without an account, per client address (docs/limits.md).
    "validate_anon": (30, 60),
    # New accounts per client address: a class of 50 behind one NAT signs up within the hour.
    # `DESIGNER_SIGNUPS_PER_HOUR` changes it (the browser suite signs up hundreds from 127.0.0.1).
    "signup": (int(os.environ.get("DESIGNER_SIGNUPS_PER_HOUR", "50")), 3600),
}
DESIGNER_TRASH_DAYS = 30
# Flow control of the design websocket: (messages, bytes) a socket may have unacknowledged before
# it is closed with 4008 (designer/consumers.py). `DESIGNER_WS_UNACKED=100,8388608` lowers it
# (tests/scaleout does, to stall a viewer quickly).
DESIGNER_WS_UNACKED = tuple(int(x) for x in os.environ.get("DESIGNER_WS_UNACKED", "1000,8388608").split(",")[:2])

NINJA_PAGINATION_PER_PAGE = 100

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
