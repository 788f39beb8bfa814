"""Strict JSON at every door: API bodies, import files and websocket frames are parsed by
`simcore.design.strictjson` (one strict parser for the whole project), which refuses NaN and
Infinity, duplicate keys, nesting deeper than 32, integers beyond ±2^53, lone surrogates and
`\\u0000`. PostgreSQL rejects `\\u0000`, NaN and lone surrogates where SQLite stores them, so
without this the same input would break only in scale-out.
"""

from __future__ import annotations

from typing import Any

from ninja.parser import Parser

from designer.errors import BadJSON


def parse_json(raw: bytes | str) -> Any:
    """Parse `raw` strictly; raise BadJSON with the parser's sentence."""
    return parse_json_measured(raw)[0]


def parse_json_measured(raw: bytes | str) -> tuple[Any, int]:
    """`parse_json`, and a bound on the value's serialised size (`limits.serialise`): the
    body's UTF-8 length plus 24 bytes per float (the only value that can grow when written
    again; `strictjson.loads_counting_floats`). A door that knows its body can then skip
    serialising a big document only to measure it."""
    from simcore.design.strictjson import StrictJSONError, loads_counting_floats

    if isinstance(raw, bytes | bytearray):
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a UTF-8 byte-order mark, as some editors write: not an error
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadJSON(f"The body is not UTF-8 text (byte {exc.start}).", code="json.encoding") from None
    try:
        value, floats = loads_counting_floats(raw)
        return value, len(raw.encode("utf-8")) + 24 * floats
    except StrictJSONError as exc:
        raise BadJSON(f"Not acceptable JSON: {getattr(exc, 'msg', None) or exc}") from None
    except RecursionError:  # belt and braces: the parser bounds depth itself
        raise BadJSON("Not acceptable JSON: nested too deep.") from None


class StrictJSONParser(Parser):
    """django-ninja's body parser, strict. ninja wraps parser exceptions in HttpError(400); the
    API's handler finds our BadJSON as the cause and answers with its code and sentence."""

    def parse_body(self, request) -> Any:
        from designer.limits import check_body_size

        check_body_size(request)
        return parse_json(request.body)
