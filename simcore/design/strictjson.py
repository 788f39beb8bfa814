"""Strict JSON: the one parser every door uses (HTTP, websocket, import, CLI).

Python's ``json`` accepts things that later break elsewhere: ``NaN`` and ``Infinity`` (not JSON,
RFC 8259 §6), duplicate keys (the last silently wins; RFC 8259 §4 says names SHOULD be unique),
integers a browser cannot hold exactly (beyond ±2^53, RFC 8259 §6), lone surrogates and ``\\u0000``
(which PostgreSQL refuses while SQLite stores them), and nesting deep enough
to exhaust the recursion limit. ``loads`` refuses all of them and says where.

Valid input takes the fast path (the C decoder with one hook, for objects, then one walk over
the tree for what the decoder cannot refuse: depth, integers beyond ±2^53, infinite floats, NUL
and lone surrogates). Only when something is wrong does a position-aware scanner walk the text
again to name the line, column and document path of the first problem; so the cost of good
messages is paid by bad input only. (Hooks per number were tried: a Python call for each of a
500,000-number body cost a third of the parse, and the numbers' temporary strings scattered the
parsed objects in memory, which made serialising the result twice as slow.)

The fast path's decoder is orjson (twice as fast as the standard library's on a 500,000-key body;
the decoder was most of a big validation's cost). It keeps the last of duplicate keys without a
word, so duplicates are ruled out by counting instead of by a hook: in JSON text every ``:`` is a
name separator (one per member) or inside a string, and so it is in orjson's compact serialisation
of the parsed value. A dropped duplicate takes its separator and its strings with it, so when the
text has no more colons than that serialisation (about a tenth of the parse), nothing was dropped.
The count needs every colon written as itself: a text with a ``\\u003a`` escape goes the standard
way. orjson also reads integer literals beyond 64 bits as floats; a float that large sends the
text the standard way too. Whenever the proof does not hold or orjson refuses, the standard decoder
with its duplicate hook decides, so orjson never changes what is accepted, only how fast. (Counting
members and the colons of every string in the walk instead was tried: it made the walk of a
large design half as slow again.)
"""

from __future__ import annotations

import json
import math
import re
from json.decoder import scanstring

import orjson

from simcore.design.paths import format_path

MAX_DEPTH = 32
MAX_SAFE_INT = 2**53
_BEYOND_INT64 = float(2**63)  # orjson reads integer literals past 64 bits as floats
_BOM = "\ufeff"

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")
_SUSPECT = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})|[\x00\ud800-\udfff]")
_LITERALS = (("true", True), ("false", False), ("null", None))
_NOTHING_TO_CHECK = frozenset((str, bool, type(None)))
_INTS = frozenset((int,))
_NOT_JSON = ("NaN", "Infinity", "-Infinity")


class StrictJSONError(ValueError):
    """Input that is not strict JSON. ``msg`` starts with ``line L column C:`` when a place is known."""

    def __init__(
        self, msg: str, *, line: int | None = None, column: int | None = None, path: str = ""
    ) -> None:
        super().__init__(msg)
        self.msg = msg
        self.line = line
        self.column = column
        self.path = path


class _Refused(Exception):
    """Raised by the fast path's hooks; the scanner then finds the place and the words."""


def loads(text: str | bytes) -> object:
    """Parse strict JSON, or raise ``StrictJSONError`` naming the first problem and its place."""
    return loads_counting_floats(text)[0]


def loads_counting_floats(text: str | bytes) -> tuple[object, int]:
    """``loads``, and how many floats the value holds: a float is the only JSON value whose
    compact serialisation can be longer than its text (``1e15`` is ``1000000000000000.0``; Python
    writes a float in at most 24 characters), so ``len(text) + 24 * floats`` bounds it without
    serialising (``designer.limits``)."""
    if isinstance(text, bytes | bytearray):
        text = _decode(bytes(text))
    elif not isinstance(text, str):
        raise TypeError(f"strictjson.loads() takes str or bytes, not {type(text).__name__}")
    # RFC 8259 §8.1: a parser MAY ignore a byte order mark; editors on Windows still write one.
    if text.startswith(_BOM):
        text = text[1:]
    if "\\u003a" not in text and "\\u003A" not in text:
        try:
            value = orjson.loads(text)
            floats = _walk(value, _BEYOND_INT64)
            if text.count(":") == orjson.dumps(value).count(b":"):  # no member dropped
                _check_escaped_strings(value, text)
                return value, floats
        except (orjson.JSONDecodeError, _Refused):
            pass  # the standard decoder finds (or clears) what was wrong
    return _loads_standard(text)


def _loads_standard(text: str) -> tuple[object, int]:
    """The standard library's decoder, with a hook per object against duplicates: what decides
    whenever orjson's fast path cannot."""
    try:
        value = json.loads(text, object_pairs_hook=_object_without_duplicates, parse_constant=_refuse)
        floats = _walk(value)
        _check_escaped_strings(value, text)
        return value, floats
    except (_Refused, ValueError, RecursionError) as exc:  # ValueError: int() past Python's digit limit too
        _scan(text)  # raises with the place of the first problem
        # The scanner agrees with the C decoder on all JSON; if it ever does not, say what we know.
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "not strict JSON"
        raise StrictJSONError(detail) from None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StrictJSONError(f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}") from None


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refused
    return result


def _refuse(_name: str) -> object:
    raise _Refused


def _walk(value: object, limit: float = math.inf) -> int:
    """Depth, integers beyond ±2^53 and floats not below ``limit`` in size (infinity, as in
    ``1e999``; orjson's tree also past 2^63, see the module's words): what the decoders take
    without asking (raises ``_Refused``). One walk, the hot loop kept to type tests. Returns how
    many floats the value holds."""
    _check_scalar(value, limit)
    floats = 1 if type(value) is float else 0
    stack: list[tuple[object, int]] = [(value, 1)] if type(value) in (dict, list) else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _Refused
        children = item.values() if type(item) is dict else item
        # The kinds present, found by C loops: a container of strings, booleans and nulls needs
        # nothing, one of integers only a min and a max (a 500,000-key flood took a third of
        # the parse in the loop below).
        kinds = set(map(type, children))
        if kinds <= _NOTHING_TO_CHECK:
            continue
        if kinds == _INTS:
            if min(children) < -MAX_SAFE_INT or max(children) > MAX_SAFE_INT:
                raise _Refused
            continue
        for child in children:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind is int:
                if not -MAX_SAFE_INT <= child <= MAX_SAFE_INT:
                    raise _Refused
            elif kind is float:
                floats += 1
                if not -limit < child < limit:  # also NaN
                    raise _Refused
    return floats


def _check_escaped_strings(value: object, text: str) -> None:
    """NUL can only come from a `\\u0000` escape and a lone surrogate from a `\\uD8xx`-`\\uDFxx`
    escape (raw control characters are refused by the decoders), or be in a `str` given to us:
    one look at the text says whether the strings need looking at at all.
    Substring tests first (C memchr-speed, where the regex's alternation steps through every
    character of a large body); raw lone surrogates only come in a `str` that was not decoded
    from UTF-8, which is never ASCII."""
    if "\\u" in text or "\x00" in text or (not text.isascii() and _SUSPECT.search(text)):
        _check_strings(value)


def _check_scalar(value: object, limit: float) -> None:
    kind = type(value)
    if (kind is int and not -MAX_SAFE_INT <= value <= MAX_SAFE_INT) or (kind is float and not -limit < value < limit):
        raise _Refused


def _check_strings(value: object) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _BAD_CHAR.search(item):
                raise _Refused
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class _Frame:
    __slots__ = ("is_object", "keys", "index")

    def __init__(self, is_object: bool) -> None:
        self.is_object = is_object
        self.keys: set[str] = set()
        self.index = 0


def _scan(text: str) -> None:
    """Walk ``text`` keeping the line, column and path; raise at the first problem.

    Iterative (an explicit stack of frames) so that hostile nesting cannot exhaust recursion.
    """
    frames: list[_Frame] = []
    path: list[str | int] = []
    end = len(text)
    pos = _WS.match(text, 0).end()
    state = "value"

    def fail(at: int, what: str) -> StrictJSONError:
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        return StrictJSONError(
            f"line {line} column {column}: {what}", line=line, column=column, path=format_path(path)
        )

    while True:
        pos = _WS.match(text, pos).end()
        char = text[pos : pos + 1]
        if state == "value":
            if char in ("{", "["):
                if len(frames) >= MAX_DEPTH:
                    raise fail(pos, f"nested deeper than {MAX_DEPTH} levels")
                frames.append(_Frame(char == "{"))
                state = "first_key" if char == "{" else "first_item"
                pos += 1
                continue
            pos = _scan_scalar(text, pos, fail)
            state = "after_value"
        elif state == "first_item":
            if char == "]":
                frames.pop()
                pos += 1
                state = "after_value"
            else:
                path.append(0)
                state = "value"
        elif state in ("first_key", "key"):
            if state == "first_key" and char == "}":
                frames.pop()
                pos += 1
                state = "after_value"
                continue
            if char != '"':
                raise fail(pos, "expected a property name in double quotes")
            key, after = _string(text, pos, fail)
            frame = frames[-1]
            path.append(key)
            if key in frame.keys:
                raise fail(pos, f"duplicate key {_quote(key)}")
            frame.keys.add(key)
            pos = _WS.match(text, after).end()
            if text[pos : pos + 1] != ":":
                raise fail(pos, "expected ':' after a property name")
            pos += 1
            state = "value"
        else:  # after_value
            if not frames:
                if pos != end:
                    raise fail(pos, "unexpected data after the JSON value")
                return
            frame = frames[-1]
            closer = "}" if frame.is_object else "]"
            if char == ",":
                path.pop()
                pos += 1
                if frame.is_object:
                    state = "key"
                else:
                    frame.index += 1
                    path.append(frame.index)
                    state = "value"
            elif char == closer:
                path.pop()
                frames.pop()
                pos += 1
            else:
                raise fail(pos, f"expected ',' or '{closer}'")


def _scan_scalar(text: str, pos: int, fail) -> int:
    """Check one string, number or literal at ``pos``; return where it ends."""
    char = text[pos : pos + 1]
    if char == '"':
        return _string(text, pos, fail)[1]
    for word in _NOT_JSON:
        if text.startswith(word, pos):
            raise fail(pos, f"{word} is not allowed in JSON")
    for word, _value in _LITERALS:
        if text.startswith(word, pos):
            return pos + len(word)
    match = _NUMBER.match(text, pos)
    if not match:
        raise fail(
            pos, "expected a value" if pos < len(text) else "unexpected end of input, expected a value"
        )
    token = match.group()
    if match.group(1) is None and match.group(2) is None:
        if len(token) > 17 or abs(int(token)) > MAX_SAFE_INT:
            raise fail(pos, f"integer out of range (beyond ±2^53): {_short(token)}")
    elif not math.isfinite(float(token)):
        raise fail(pos, f"number out of range: {_short(token)}")
    return match.end()


def _string(text: str, pos: int, fail) -> tuple[str, int]:
    try:
        value, after = scanstring(text, pos + 1)
    except json.JSONDecodeError as exc:
        raise fail(exc.pos, _decoder_words(exc.msg)) from None
    bad = _BAD_CHAR.search(value)
    if bad:
        what = (
            "NUL character (\\u0000)"
            if bad.group() == "\x00"
            else f"lone surrogate \\u{ord(bad.group()):04x}"
        )
        raise fail(pos, f"{what} in a string")
    return value, after


def _decoder_words(msg: str) -> str:
    return {
        "Unterminated string starting at": "unterminated string",
        "Invalid control character at": "control character in a string (write it as an escape such as \\n)",
        "Invalid \\escape": "invalid escape in a string",
        "Invalid \\uXXXX escape": "invalid \\u escape in a string",
    }.get(msg, msg[:1].lower() + msg[1:])


def _quote(key: str) -> str:
    return "'" + key.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _short(token: str) -> str:
    return token if len(token) <= 30 else token[:30] + "…"
