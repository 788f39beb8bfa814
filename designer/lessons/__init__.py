"""Lessons, activities and students' attempts on the server (docs/lessons.md).

The documents and their checks are ``simcore.lessons`` (pure); this package keeps who works on
which activity (``models.Attempt``: a Design owned by the student), renders the Markdown safely
(``markdown.render``) and serves the pages (``views``).
"""
