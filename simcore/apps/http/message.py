"""HTTP/1.1 message heads (RFC 9112 §2-§5): split a byte buffer into a start line and fields."""

from __future__ import annotations

from dataclasses import dataclass

MAX_HEAD = 8192  # bytes of start line + fields we accept (nginx's default large_client_header_buffers is 8k)
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class HttpError(ValueError):
    """A message that is not valid HTTP/1.1; the text says which part."""


@dataclass(frozen=True, slots=True)
class HttpHead:
    start: str  # the request line or the status line
    fields: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        """The first value of field ``name`` (field names are case-insensitive, RFC 9110 §5.1)."""
        lname = name.lower()
        for key, value in self.fields:
            if key.lower() == lname:
                return value
        return None


def split_head(buf: bytes) -> tuple[HttpHead, int] | None:
    """``(head, length of the head in bytes)`` once ``buf`` holds a whole head, else None.

    RFC 9112 §2.2: lines end with CRLF; a bare LF is accepted as a line end as most servers do."""
    end = buf.find(b"\r\n\r\n")
    size = end + 4
    if end < 0:
        end = buf.find(b"\n\n")
        size = end + 2
    if end < 0:
        if len(buf) > MAX_HEAD:
            raise HttpError(f"head longer than {MAX_HEAD} bytes")
        return None
    if end > MAX_HEAD:
        raise HttpError(f"head longer than {MAX_HEAD} bytes")
    lines = buf[:end].replace(b"\r\n", b"\n").split(b"\n")
    try:
        start = lines[0].decode("ascii")
    except UnicodeDecodeError:
        raise HttpError("start line is not ASCII") from None
    fields = []
    for raw in lines[1:]:
        name, colon, value = raw.partition(b":")
        # RFC 9112 §5.1: no whitespace between the field name and the colon.
        if not colon or not name or any(c not in _TOKEN for c in name):
            raise HttpError(f"bad header line {raw[:40]!r}")
        fields.append((name.decode("ascii"), value.strip(b" \t").decode("latin-1")))
    return HttpHead(start, tuple(fields)), size
