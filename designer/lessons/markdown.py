"""Lesson texts are Markdown, rendered on the server with markdown-it-py (CommonMark, a pinned
and well-kept parser) with raw HTML OFF: a ``<script>`` in a lesson comes out as text, and links
with ``javascript:`` and similar schemes are not made (markdown-it's validateLink)."""

from __future__ import annotations

from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render(text: str | None) -> SafeString:
    return mark_safe(_parser().render(text or ""))  # noqa: S308 (html is off: the output is escaped)
