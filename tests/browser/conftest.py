"""A live Daphne in a subprocess and Debian's Chromium driven by Playwright, for `browser` tests.

pytest's `live_server` has no websockets, so the app runs as it does in production: Daphne serving
`config.asgi:application`, here on a free local port and a FILE SQLite database made and migrated
for this session. The browser tests always use that SQLite file and the in-memory channel layer,
also in CI's PostgreSQL pass (DATABASE_URL and REDIS_URL are dropped from the subprocess): they
check pages and the bundle, while the database doors are covered on both backends by tests/web.

Playwright cannot download its own browser here; it launches `/usr/bin/chromium` (`make test` installs
Debian's `chromium` through `.ci/system-packages`). A missing bundle fails the tests with the fix ("run npm run build") instead
of skipping them silently.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "dist" / "editor.js"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(base_url: str, database: Path) -> dict[str, str]:
    """The subprocess environment: this session's SQLite file, origins matching the port."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        ALLOWED_HOSTS="127.0.0.1",
        # Exact origin for CSRF and websockets (config.settings: ALLOWED_ORIGINS).
        ALLOWED_ORIGINS=base_url,
        PORT=base_url.rsplit(":", 1)[1],
        # DEBUG on: WhiteNoise serves static/ through the finders, so no collectstatic into the
        # shared STATIC_ROOT; plain http on loopback needs cookies that are not Secure.
        DEBUG="1",
        SECURE_COOKIES="0",
        # Every test signs up its own users from 127.0.0.1: more than the 50 an hour one address gets.
        DESIGNER_SIGNUPS_PER_HOUR="100000",
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Daphne exited with {process.returncode} before answering:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except urllib.error.HTTPError as error:
            pytest.fail(f"Daphne answered {url} with {error.code}:\n{log.read_text()}")
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"Daphne did not answer {url} within {START_TIMEOUT_S:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_url(tmp_path_factory) -> str:
    if not BUNDLE.exists():
        pytest.fail(f"{BUNDLE.relative_to(ROOT)} is missing: run npm run build (or make setup)")
    workdir = tmp_path_factory.mktemp("browser-server")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = server_env(base_url, workdir / "db.sqlite3")
    python = sys.executable
    done = subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        pytest.fail(f"manage.py migrate failed:\n{done.stdout}\n{done.stderr}")
    log = workdir / "daphne.log"
    daphne = Path(python).with_name("daphne")
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(base_url + "/", process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop current while it lives, and Django's
    # ORM refuses to run under one; tearing it down with the module keeps tests/web unaffected.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/system-packages` (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, live_url):
    """Factory of isolated browser contexts (own cookies = own person); all closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
