"""The messages a browser sends on the design websocket: ONE table, one row per type.

A row says everything the server needs about a type:

- its fields (a closed JSON schema: an unknown field is an error, as is a typo in a name);
- the access it needs (`designer.access.Need`), checked on every message by the consumer with
  `access_design(actor, design, need)`, the function the HTTP doors use; a role too weak for it
  gets the row's `refusal` error, and a socket whose actor can no longer see the design is closed;
- who handles it, by Channels' naming convention (type `a.b` -> method `a_b`): `CONSUMER`, a
  method of `designer.consumers.DesignConsumer`, or `WORKER`, a command of
  `designer.simulation.worker.RunWorker`, reached through the design's run in whichever process
  hosts it, and acknowledged with `{"type": "ack", "for": type, "data": ...}`;
- an example body (tests/web/test_ws_matrix.py sends it as every role).

`validate(message)` returns the message or raises `DesignerError`: an unknown type is
`ws.unknown_type`; fields that do not match are `ws.invalid_fields` with one problem per field
(`{code, path, msg}`, the path written `speed`, `t`). docs/websocket-protocol.md is the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from designer.access import Need
from designer.errors import DesignerError

CONSUMER, WORKER = "consumer", "worker"
MAX_LINE = 1024
SPEED = {"type": "number", "minimum": 0.1, "maximum": 100}
NODE = {"type": "string", "minLength": 1, "maxLength": 64}
SEQ = {"type": "integer", "minimum": 0, "maximum": 2**53}
# Optional on every message: echoed in the ack or error it causes, so a client can match them.
REF = {"type": ["string", "integer"], "maxLength": 64, "minimum": -(2**53), "maximum": 2**53}

REFUSALS = {
    "run": ("forbidden.run", "running the simulation is for the design's owner and editors"),
    "edit": ("forbidden.edit", "editing the design is for its owner and editors"),
    "console": ("forbidden.console",
                "console access is for the design's owner and editors (console access means admin access)"),
    "present": ("forbidden.present",
                "bringing everyone to your view and holding it are for the design's owner and editors"),
}


@dataclass(frozen=True)
class MessageType:
    type: str
    need: Need | None  # None: no access check (the message reveals and changes nothing; events.ack)
    by: str  # CONSUMER or WORKER
    fields: dict[str, dict] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    example: dict[str, Any] = field(default_factory=dict)
    refusal: str | None = None  # the REFUSALS entry a role below `need` gets (needs above VIEW)
    # The handler checks `need` itself with `access.access_for_socket`, in the database call that
    # does the work (design.op: the sequencer's commit, before it takes the row lock), instead of
    # the consumer checking it in a thread call of its own first.
    access_in_handler: bool = False

    @property
    def handler(self) -> str:
        return self.type.replace(".", "_")

    @property
    def schema(self) -> dict:
        return {"type": "object", "additionalProperties": False, "required": ["type", *self.required],
                "properties": {"type": {"type": "string"}, "ref": REF, **self.fields}}

    def refused(self) -> DesignerError:
        code, msg = REFUSALS[self.refusal]
        return DesignerError(msg, code=code, status=403)


def _edit(type_: str, by: str, refusal: str = "run", **kwargs: Any) -> MessageType:
    return MessageType(type_, Need.EDIT, by, refusal=refusal, **kwargs)


_ROWS = (
    MessageType("ping", Need.VIEW, CONSUMER),
    MessageType("run.state", Need.VIEW, CONSUMER),
    MessageType("events.fetch", Need.VIEW, CONSUMER, {"after_seq": SEQ, "limit": {"type": "integer", "minimum": 1,
                                                                                "maximum": 500}},
                ("after_seq",), {"after_seq": 0}),
    MessageType("event.detail", Need.VIEW, CONSUMER, {"seq": {**SEQ, "minimum": 1}}, ("seq",), {"seq": 1}),
    # A private look back before this page joined the run: the tables its viewers held at instant
    # `t` (seconds), answered to this socket alone; it changes nothing (consumers.tables_at).
    MessageType("tables.at", Need.VIEW, CONSUMER, {"t": {"type": "number", "minimum": 0, "maximum": 10**7}},
                ("t",), {"t": 0}),
    # Flow control: "I have received everything up to here" (consumers.MAX_UNACKED_*). Sent twice
    # a second by every viewer; it only resets this socket's counters, so it skips the access check.
    MessageType("events.ack", None, CONSUMER, {"seq": SEQ}, ("seq",), {"seq": 0}),
    _edit("run.start", CONSUMER, fields={"seed": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                                         "speed": SPEED, "paused": {"type": "boolean"}},
          example={"paused": True}),
    _edit("run.pause", WORKER),
    _edit("run.resume", WORKER),
    _edit("run.step", WORKER),
    _edit("run.speed", WORKER, fields={"speed": SPEED}, required=("speed",), example={"speed": 2}),
    _edit("run.seek", WORKER, fields={"t": {"type": "number", "minimum": 0, "maximum": 10**7}}, required=("t",),
          example={"t": 1.5}),
    _edit("run.reset", WORKER),
    _edit("run.stop", WORKER),
    _edit("console.run", WORKER, "console", fields={"node": NODE, "line": {"type": "string", "maxLength": MAX_LINE}},
          required=("node", "line"), example={"node": "vm1", "line": "ip addr"}),
    _edit("console.interrupt", WORKER, "console", fields={"node": NODE}, required=("node",),
          example={"node": "vm1"}),
    # A VM's power control, hardware change, snapshot or clone (VBoxManage's actions: power,
    # modifyvm..., snapshot {op, name, description, live}, clonevm {name, mode, snapshot, link,
    # keep_macs}); params are flat scalars, each action's own checked by the network's door
    # (simcore.network.Network.check_vm_action); the worker refuses an illegal one with
    # VirtualBox's sentence before it enters the action log.
    _edit("run.vm", WORKER, fields={"node": NODE, "action": {"type": "string", "minLength": 1, "maxLength": 32},
                                    "params": {"type": "object", "maxProperties": 16,
                                               "additionalProperties": {"type": ["string", "integer", "boolean"],
                                                                        "maxLength": 1024}}},
          required=("node", "action"), example={"node": "vm1", "action": "pause"}),
    # A physical host's power: shutdown, reboot, boot (its containers, VMs and links follow).
    _edit("run.host", WORKER, fields={"node": NODE, "action": {"enum": ["shutdown", "reboot", "boot"]}},
          required=("node", "action"), example={"node": "hv", "action": "reboot"}),
    # A container made during the run, as a design node the editor can add to the design.
    _edit("run.keep", WORKER, fields={"node": NODE}, required=("node",), example={"node": "hv-web"}),
)

# Co-editing and presence (designer/coedit.py). A change's operations are checked in detail by
# `coeditops.check_change` (their path in each problem), then against the document.
_CLIENT = {"type": "string", "minLength": 1, "maxLength": 40}
_POINT = {"type": ["object", "null"], "additionalProperties": False, "required": ["x", "y"],
          "properties": {"x": {"type": "number", "minimum": -1e7, "maximum": 1e7},
                         "y": {"type": "number", "minimum": -1e7, "maximum": 1e7}}}
_COEDIT_ROWS = (
    _edit("design.op", CONSUMER, "edit", access_in_handler=True,
          fields={"client": _CLIENT, "change": {"type": "string", "minLength": 1, "maxLength": 64}, "base": SEQ,
                  "ops": {"type": "array", "maxItems": 5000, "items": {"type": "object"}}},
          required=("client", "change", "ops"),
          example={"client": "c-matrix", "change": "1", "base": 0,
                   "ops": [{"op": "field", "key": "description", "before": None, "after": "Edited together"}]}),
    MessageType("design.sync", Need.VIEW, CONSUMER, {"after": SEQ}, ("after",), {"after": 0}),
    _edit("design.revision", CONSUMER, "edit", fields={"note": {"type": "string", "maxLength": 200}},
          example={"note": "before the lab"}),
    # Presence also carries the person's view state (static/src/live/viewstate.js) so that others
    # can follow it (static/src/live/follow.js): the canvas size with the viewport, the picked
    # event, the live tables' tab and node, the console in view, whom this person follows and the
    # instant of a private look back (seconds; null: the run as it is).
    MessageType("presence", Need.VIEW, CONSUMER, {
        "cursor": _POINT,
        "selection": {"type": "array", "maxItems": 200, "items": NODE},
        "viewport": {"type": ["object", "null"], "additionalProperties": False, "required": ["x", "y", "zoom"],
                     "properties": {"x": {"type": "number", "minimum": -1e7, "maximum": 1e7},
                                    "y": {"type": "number", "minimum": -1e7, "maximum": 1e7},
                                    "zoom": {"type": "number", "minimum": 0.001, "maximum": 100},
                                    "w": {"type": "number", "minimum": 1, "maximum": 1e5},
                                    "h": {"type": "number", "minimum": 1, "maximum": 1e5}}},
        "tab": {"type": ["string", "null"], "maxLength": 32},
        "picked": {**SEQ, "type": ["integer", "null"]},
        "tables": {"type": ["object", "null"], "additionalProperties": False,
                   "properties": {"tab": {"type": ["string", "null"], "maxLength": 32},
                                  "node": {**NODE, "type": ["string", "null"]}}},
        "console": {**NODE, "type": ["string", "null"]},
        "following": {"type": ["string", "null"], "pattern": "^[0-9a-f]{12}$"},
        "at": {"type": ["number", "null"], "minimum": 0, "maximum": 10**7}},
        (), {"cursor": {"x": 10, "y": 20}, "selection": ["vm1"], "picked": 3, "tables": {"tab": "arp", "node": "vm1"}}),
    # Follow-the-teacher (docs/design.md, "Following a presenter"): every other socket of the design
    # starts following the sender; the sender holds the view of those following it (or lets go).
    MessageType("follow.bring", Need.EDIT, CONSUMER, refusal="present"),
    MessageType("follow.hold", Need.EDIT, CONSUMER, {"on": {"type": "boolean"}}, ("on",), {"on": True},
                refusal="present"),
)
_ROWS = _ROWS + _COEDIT_ROWS

MESSAGES: dict[str, MessageType] = {row.type: row for row in _ROWS}
_VALIDATORS = {kind: Draft202012Validator(row.schema) for kind, row in MESSAGES.items()}


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
    schema = MESSAGES[kind].schema
    problems = []
    for error in sorted(validator.iter_errors(message), key=lambda e: (_path(e), e.validator)):
        if error.validator == "additionalProperties":
            for name in sorted(set(message) - set(schema["properties"])):
                problems.append({"code": "schema.additionalProperties", "path": name,
                                 "msg": f"unknown field {name[:40]!r} for {kind}"})
            continue
        if error.validator == "required":
            for name in [name for name in schema["required"] if name not in message]:
                problems.append({"code": "schema.required", "path": name, "msg": f"missing required field {name!r}"})
            continue
        problems.append({"code": f"schema.{error.validator}", "path": _path(error), "msg": error.message[:200]})
    if problems:
        raise DesignerError(f"The {kind} message does not match its schema (see problems).",
                            code="ws.invalid_fields", problems=problems)
    return message


def fields_of(message: dict) -> dict:
    """What a WORKER row's handler gets: the message without `type` and `ref`."""
    return {k: v for k, v in message.items() if k not in ("type", "ref")}


# The class overview socket (`/ws/classes/<id>/`, designer/lessons/live.py): the class's teacher
# only, checked at connect and again before every push. It takes no client message, so it has no
# row above; what it pushes (group `class.<id>`, docs/websocket-protocol.md):
CLASS_PUSHES = ("class.hello", "class.completion", "class.changed")
