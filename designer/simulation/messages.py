"""Incoming websocket messages: one schema per type, validated here and nowhere else.

`validate(message)` returns the message or raises `DesignerError`: an unknown type is
`ws.unknown_type`; fields that do not match are `ws.invalid_fields` with one problem per field
(`{code, path, msg}`, the path written `speed`, `t`). Every object is closed: a typo is an error.
`NEEDS` says which role each type needs; `forbidden()` is the error a weaker role gets.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from designer.access import Need
from designer.errors import DesignerError

MAX_LINE = 1024
SPEED = {"type": "number", "minimum": 0.1, "maximum": 100}
NODE = {"type": "string", "minLength": 1, "maxLength": 64}
# Optional on every message: echoed in the ack or error it causes, so a client can match them.
REF = {"type": ["string", "integer"], "maxLength": 64, "minimum": -(2**53), "maximum": 2**53}


def _message(properties: dict | None = None, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "additionalProperties": False, "required": ["type", *required],
            "properties": {"type": {"type": "string"}, "ref": REF, **(properties or {})}}


SCHEMAS: dict[str, dict] = {
    "ping": _message(),
    "run.state": _message(),
    "run.start": _message({"seed": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}, "speed": SPEED,
                           "paused": {"type": "boolean"}}),
    "run.pause": _message(),
    "run.resume": _message(),
    "run.step": _message(),
    "run.speed": _message({"speed": SPEED}, ("speed",)),
    "run.seek": _message({"t": {"type": "number", "minimum": 0, "maximum": 10**7}}, ("t",)),
    "run.reset": _message(),
    "run.stop": _message(),
    "events.fetch": _message({"after_seq": {"type": "integer", "minimum": 0, "maximum": 2**53},
                              "limit": {"type": "integer", "minimum": 1, "maximum": 500}}, ("after_seq",)),
    "event.detail": _message({"seq": {"type": "integer", "minimum": 1, "maximum": 2**53}}, ("seq",)),
    # Flow control: "I have received everything up to here" (consumers.MAX_UNACKED_*).
    "events.ack": _message({"seq": {"type": "integer", "minimum": 0, "maximum": 2**53}}, ("seq",)),
    "console.run": _message({"node": NODE, "line": {"type": "string", "maxLength": MAX_LINE}}, ("node", "line")),
    "console.interrupt": _message({"node": NODE}, ("node",)),
}

NEEDS: dict[str, Need] = {kind: Need.VIEW for kind in SCHEMAS}
NEEDS.update({kind: Need.EDIT for kind in ("run.start", "run.pause", "run.resume", "run.step", "run.speed",
                                           "run.seek", "run.reset", "run.stop", "console.run",
                                           "console.interrupt")})

_VALIDATORS = {kind: Draft202012Validator(schema) for kind, schema in SCHEMAS.items()}


def _path(error) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate(message: Any) -> dict:
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise DesignerError('A message is a JSON object with a "type".', code="ws.invalid")
    kind = message["type"]
    validator = _VALIDATORS.get(kind)
    if validator is None:
        raise DesignerError(f"Unknown message type {kind[:40]!r}.", code="ws.unknown_type")
    problems = []
    for error in sorted(validator.iter_errors(message), key=lambda e: (_path(e), e.validator)):
        path = _path(error)
        if error.validator == "additionalProperties":
            extra = sorted(set(message) - set(SCHEMAS[kind]["properties"]))
            for name in extra:
                problems.append({"code": "schema.additionalProperties", "path": name,
                                 "msg": f"unknown field {name[:40]!r} for {kind}"})
            continue
        if error.validator == "required":
            missing = [name for name in SCHEMAS[kind]["required"] if name not in message]
            for name in missing:
                problems.append({"code": "schema.required", "path": name, "msg": f"missing required field {name!r}"})
            continue
        problems.append({"code": f"schema.{error.validator}", "path": path, "msg": error.message[:200]})
    if problems:
        raise DesignerError(f"The {kind} message does not match its schema (see problems).",
                            code="ws.invalid_fields", problems=problems)
    return message


FORBIDDEN = {
    "console": ("forbidden.console",
                "console access is for the design's owner and editors (console access means admin access)"),
    "run": ("forbidden.run", "running the simulation is for the design's owner and editors"),
}


def forbidden(kind: str) -> DesignerError:
    code, msg = FORBIDDEN["console" if kind.startswith("console.") else "run"]
    return DesignerError(msg, code=code, status=403)
