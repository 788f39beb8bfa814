# The two commands: `make run` (set up everything, then serve on http://127.0.0.1:8000) and
# `make test` (set up everything, then run the whole suite). Both are idempotent.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
# Python comes from uv.lock through a pinned uv, bootstrapped into .uv/ with pip (no curl | sh).
UV_VERSION := 0.13.9
UV := .uv/bin/uv
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup python node bundle db system run cluster test test-postgres bench lint clean

setup: python bundle db

$(UV):
	python3 -m venv .uv
	.uv/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

python: .venv/.synced

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node: node_modules/.installed

# The front-end bundle is built from package.json at set-up and never committed.
static/dist/.built: node_modules/.installed $(shell find static/src -type f 2>/dev/null)
	npm run --silent build
	@touch $@

bundle: static/dist/.built

db: python
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0

# DEBUG is off unless asked (`make run DEBUG=1`): no tracebacks to visitors, the collected static
# files (whitenoise) rather than the finders. Off needs a SECRET_KEY (made once, kept in
# var/secret_key), the hosts and the origins; cookies stay plain-HTTP (SECURE_COOKIES=0) because
# this serves http://$(HOST):$(PORT). Each can be overridden from the environment.
DEBUG ?= 0
RUN_ENV = DEBUG=$(DEBUG) PORT=$(PORT) \
	SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(HOST),127.0.0.1,localhost,[::1]}" \
	ALLOWED_ORIGINS="$${ALLOWED_ORIGINS:-http://$(HOST):$(PORT),http://127.0.0.1:$(PORT),http://localhost:$(PORT),http://[::1]:$(PORT)}" \
	SECURE_COOKIES="$${SECURE_COOKIES:-0}"

var/secret_key:
	@mkdir -p var
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: setup var/secret_key
	$(RUN_ENV) $(PY) manage.py load_examples
	$(RUN_ENV) $(PY) manage.py ensure_demo_teacher
	@echo "Serving on http://$(HOST):$(PORT)/ (DEBUG=$(DEBUG))"
	$(RUN_ENV) .venv/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

# N Daphne processes behind ONE port (docs/websocket-protocol.md, "Several server processes"):
# needs REDIS_URL and a PostgreSQL DATABASE_URL (designer/cluster.py refuses otherwise).
N ?= 3
cluster: setup
	$(PY) manage.py load_examples
	PORT=$(PORT) $(PY) -m designer.cluster -n $(N) -b $(HOST) -p $(PORT)

# Debian's Chromium and tshark, which the suite drives: installed when missing (apt-get as root or
# through a sudo without a prompt); otherwise one line names the command and no test runs.
system:
	@bash .ci/system-packages

test: setup system
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite against PostgreSQL and Redis (what .ci/run does second).
test-postgres: setup system
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(PY) -m pytest $(PYTEST_ARGS)

bench: python
	$(PY) bench/engine.py

lint: python
	.venv/bin/ruff check .

clean:
	rm -rf .venv .uv node_modules static/dist staticfiles var
