"""What a name may not hold: control characters and the invisible characters that change the
direction text is shown in.

A name (a design's, a node's, a port-forwarding rule's) is shown on the canvas, in lists, in
file names and in the console. C0 controls (U+0000-U+001F, with tab and newline), DEL and the C1
controls (U+0007F-U+009F) can move a terminal's cursor or hide text; the bidirectional marks and
overrides (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) make "exe.txt" read as "txt.exe" (the
"Trojan Source" trick). They are refused with the character and its place, never silently
dropped, so what a user typed is what everyone sees.
"""

from __future__ import annotations

import re
import unicodedata

# One class, written for both Python's `re` and ECMA-262 (the schema's `pattern`, ajv).
FORBIDDEN_CLASS = r"\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069"
FORBIDDEN = re.compile(f"[{FORBIDDEN_CLASS}]")
# The schema's pattern for a name: anything but the characters above.
NAME_PATTERN = f"^[^{FORBIDDEN_CLASS}]*$"

_NAMES = {
    0x09: "TAB", 0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x00: "NULL",
    0x07: "BELL", 0x08: "BACKSPACE", 0x7F: "DELETE", 0x9B: "CONTROL SEQUENCE INTRODUCER",
}


def describe_character(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``; a control character without a Unicode name gets
    its common one, else "a control character"."""
    code = ord(char)
    name = _NAMES.get(code) or unicodedata.name(char, "") or (
        "a C1 control character" if 0x80 <= code <= 0x9F else "a control character")
    return f"U+{code:04X} ({name})"


def forbidden_character(text: str) -> tuple[int, str] | None:
    """``(position counted from 1, character)`` of the first forbidden character, or None."""
    found = FORBIDDEN.search(text)
    return (found.start() + 1, found.group()) if found else None


def name_problem(text: str) -> str | None:
    """The sentence for a name holding a forbidden character, or None when it holds none."""
    found = forbidden_character(text)
    if found is None:
        return None
    position, char = found
    return (f"has {describe_character(char)} at position {position}: names cannot hold control or "
            "text-direction characters")
