"""Settings from the environment, checked in subprocesses (settings are read once per process):
`check --deploy` clean under production settings, refusals with the fix spelled out, SQLite
tuned against "database is locked", Redis when REDIS_URL is set."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings_production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "designer.example.org",
}


def run(args, env_changes, *, unset=("DATABASE_URL", "REDIS_URL", "DEBUG", "ALLOWED_HOSTS", "SECRET_KEY",
                                     "ALLOWED_ORIGINS", "DJANGO_SETTINGS_MODULE", "TEST_SQLITE_NAME")):
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_changes)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def settings_json(env_changes, expression: str):
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({expression}, default=str))")
    result = run(["-c", code], {"DJANGO_SETTINGS_MODULE": "config.settings", **env_changes})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_under_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_fails_on_development_settings():
    # The same check on the development defaults finds problems: the test above is not vacuous.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {"DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on


@pytest.mark.parametrize(
    "env, message",
    [
        ({**PRODUCTION, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS contains '*'"),
        ({**PRODUCTION, "ALLOWED_HOSTS": "designer.example.org,*"}, "ALLOWED_HOSTS contains '*'"),
        ({**PRODUCTION, "SECRET_KEY": ""}, "SECRET_KEY is not set."),
        ({k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}, "ALLOWED_HOSTS is empty"),
        ({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
    ],
)
def test_misconfiguration_is_refused_with_the_fix(env, message):
    module = env.get("DJANGO_SETTINGS_MODULE", "config.settings")
    result = run(["-c", f"import {module}"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.fixture(scope="module")
def development():
    """The development settings, read once in one subprocess (PORT moves the default origins)."""
    return settings_json({"PORT": "8123"}, '{"db": s.DATABASES["default"], "layers": s.CHANNEL_LAYERS, '
                                           '"origins": s.ALLOWED_ORIGINS, "csrf": s.CSRF_TRUSTED_ORIGINS, '
                                           '"apps": s.INSTALLED_APPS}')


@pytest.fixture(scope="module")
def scale_out():
    return settings_json({"DATABASE_URL": "postgres://u:p@db.example:5433/designs",
                          "REDIS_URL": "redis://cache.example:6379/2"},
                         '{"db": s.DATABASES["default"], "layers": s.CHANNEL_LAYERS, "caches": s.CACHES}')


def test_sqlite_is_tuned_for_concurrent_writers(development):
    db = development["db"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"].endswith("var/db.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["TEST"]["NAME"].endswith("var/test.sqlite3")


def test_default_is_in_memory_layer(development):
    assert development["layers"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_origins_follow_port_in_development(development):
    expected = ["http://127.0.0.1:8123", "http://localhost:8123", "http://[::1]:8123"]
    assert (development["origins"], development["csrf"]) == (expected, expected)


def test_daphne_is_the_first_app(development):
    assert development["apps"][0] == "daphne"


def test_postgres_from_database_url(scale_out):
    db = scale_out["db"]
    assert (db["ENGINE"], db["HOST"], db["PORT"], db["NAME"]) == ("django.db.backends.postgresql", "db.example", 5433, "designs")
    assert db["CONN_HEALTH_CHECKS"] is True


def test_redis_url_selects_channels_redis_with_bounds(scale_out):
    layers, cache = scale_out["layers"], scale_out["caches"]
    config = layers["default"]["CONFIG"]
    assert layers["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    # socket_timeout above channels-redis's 5 s BZPOPMIN block (redis-py 8 defaults to 5 s: docs/design.md)
    assert config["hosts"] == [{"address": "redis://cache.example:6379/2", "max_connections": 200,
                                "socket_timeout": 15}]
    assert (config["capacity"], config["group_expiry"]) == (1000, 3600)
    assert cache["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_production_origins_are_https_hosts():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.ALLOWED_ORIGINS)"
    result = run(["-c", code], PRODUCTION)
    assert result.stdout.strip() == "['https://designer.example.org']"
