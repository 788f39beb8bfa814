"""PostgreSQL only (CI sets DATABASE_URL): a connection dropped by the server fails no request
(CONN_HEALTH_CHECKS; without it the first request after the drop fails). Requests go through
the real WSGI handler, whose request_started signal runs the health check (Django's test client
switches that off)."""

import os

import pytest
from django.db import connection
from webhelpers import make_design, make_user
from werkzeug.test import Client as WSGIClient

from config.wsgi import application

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis")),
                       reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)"),
    pytest.mark.django_db(transaction=True),
]


def terminate_backend(pid: int) -> None:
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
                         password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def examples_request(client) -> int:
    return client.get("/api/designs?scope=examples", headers={"Host": "localhost"}).status_code


@pytest.fixture
def client():
    owner = make_user("pgowner")
    design = make_design(owner)
    design.is_example = True
    design.save()
    return WSGIClient(application)


def test_dropped_connection_fails_no_request(client):
    assert examples_request(client) == 200
    pid = backend_pid()
    terminate_backend(pid)
    assert examples_request(client) == 200
    assert backend_pid() != pid


def test_without_health_checks_the_first_request_after_a_drop_fails(client):
    """The control: the same drop with health checks off breaks a request, so the test above
    measures the setting."""
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    try:
        assert examples_request(client) == 200
        connection.health_check_enabled = False  # read at connect time: switch it off on this one
        terminate_backend(backend_pid())
        assert examples_request(client) == 500
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        connection.close()
