"""Project configuration: settings from the environment, URLs, and the ASGI/WSGI entry points.

`config.settings` is the development/test default (SQLite, in-memory channel layer, DEBUG on
unless `DEBUG=0`); `config.settings_production` forces the deployment settings on top of it and
refuses to start without `SECRET_KEY` and `ALLOWED_HOSTS`.
"""
