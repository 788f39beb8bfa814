"""Co-editing's operations, pure (no database, no Channels): checking a change at the door,
applying it to the stored document with last-writer-wins merging, the invariants an accepted
change must keep, and the canonical operations every replica applies.

A change is a list of the editor model's operations (static/src/model/diff.js; `null` stands for
"key absent"):

    {op: "insert",  coll, index, prev, value}    nodes/links: after the element with id prev
    {op: "remove",  coll, index, prev, value}
    {op: "update",  coll, id, before, after}     top-level keys of one node or link
    {op: "replace", coll, index, before, after}  one capture or script step
    {op: "field",   key, before, after}          a top-level field

`merge_apply(doc, ops)` applies one change to what is stored now, which may differ from what its
sender saw (docs/design.md, "Co-editing"): an update sets the keys it names, merging dictionaries
key by key and lists of named objects by name where someone else changed the value meanwhile (the
same leaf: the later change wins); an update or removal of an object that is gone is skipped and
noted; an insert of an id that is taken gets the next free id (and fresh MACs where they would
collide). `canonical(a, b)` is what the server broadcasts: the diff of the stored document before
and after, in diff.js's shape, so every replica applies exactly what the server did.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from designer.errors import DesignerError, Invalid
from simcore.design import derive_mac

OP_KINDS = ("insert", "remove", "update", "replace", "field")
KEYED = ("nodes", "links")
UNKEYED = ("captures", "script")
MAX_OPS = 5000
_ID = re.compile(r"^(.*?)([0-9]{1,9})$")
_ABSENT = object()


# ---------------------------------------------------------------- equality (JSON's, not Python's)


def same(a: Any, b: Any) -> bool:
    """JSON equality: `True` is not `1` (Python says it is), `1` is `1.0` (JSON cannot tell)."""
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


# ---------------------------------------------------------------- the door


def check_change(ops: Any) -> list[dict]:
    """The problems of a change's shape (`{code, path, msg}`, path `ops[3].coll`); [] when fine.
    What the operations do to the document is checked after applying them (`invariants`)."""
    if not isinstance(ops, list):
        return [{"code": "op.type", "path": "ops", "msg": "a change is a list of operations"}]
    if len(ops) > MAX_OPS:
        return [{"code": "op.too_many", "path": "ops", "msg": f"at most {MAX_OPS} operations in one change"}]
    problems = []
    for i, op in enumerate(ops):
        where = f"ops[{i}]"

        def bad(field: str, msg: str, where=where) -> None:
            problems.append({"code": "op.invalid", "path": f"{where}.{field}" if field else where, "msg": msg})

        if not isinstance(op, dict) or op.get("op") not in OP_KINDS:
            bad("op", f"an operation is an object whose op is one of {', '.join(OP_KINDS)}")
            continue
        kind = op["op"]
        allowed = {"field": {"key", "before", "after"}, "update": {"coll", "id", "before", "after"},
                   "replace": {"coll", "index", "before", "after"}}.get(kind, {"coll", "index", "prev", "value"})
        for extra in sorted(set(op) - allowed - {"op"}):
            bad(extra, f"unknown field {extra[:40]!r} for a {kind} operation")
        if kind == "field":
            if not isinstance(op.get("key"), str) or not 0 < len(op["key"]) <= 64:
                bad("key", "the top-level field's name (text, 1-64 characters)")
            elif op["key"] in KEYED and not isinstance(op.get("after"), list):
                bad("after", f"{op['key']} is a list")
            continue
        coll = op.get("coll")
        keyed = coll in KEYED
        if kind == "update":
            if not keyed:
                bad("coll", "an update names nodes or links")
            if not isinstance(op.get("id"), str) or not op["id"]:
                bad("id", "the id of the node or link to update")
            if not isinstance(op.get("after"), dict) or not op["after"]:
                bad("after", "the keys to set (an object, null removes a key)")
            elif "id" in op["after"]:
                bad("after", "an id never changes")
            if "before" in op and not isinstance(op["before"], dict):
                bad("before", "the keys as they were (an object)")
            continue
        if kind == "replace":
            if coll not in UNKEYED:
                bad("coll", "a replace names captures or script")
            if not isinstance(op.get("index"), int) or isinstance(op.get("index"), bool) or op["index"] < 0:
                bad("index", "a position (integer >= 0)")
            for side in ("before", "after"):
                if not isinstance(op.get(side), dict):
                    bad(side, "a capture or script step (an object)")
            continue
        if coll not in KEYED + UNKEYED:
            bad("coll", f"one of {', '.join(KEYED + UNKEYED)}")
            continue
        if not isinstance(op.get("index"), int) or isinstance(op.get("index"), bool) or op["index"] < 0:
            bad("index", "a position (integer >= 0)")
        value = op.get("value")
        if not isinstance(value, dict):
            bad("value", "the element (an object)")
        elif keyed and (not isinstance(value.get("id"), str) or not value["id"]):
            bad("value", "a node or link has a text id")
        if op.get("prev") is not None and not isinstance(op["prev"], str):
            bad("prev", "the id of the element before, or null")
    return problems


# ---------------------------------------------------------------- applying with merging


def merge3(base: Any, mine: Any, current: Any) -> Any:
    """`mine` (what a change sets, having seen `base`) over `current` (what is stored now).
    Untouched by others: mine. Objects: key by key. Lists of named objects: by name. Else mine."""
    if base is _ABSENT or same(current, base):
        return mine
    if same(mine, base):
        return current
    if isinstance(mine, dict) and isinstance(base, dict) and isinstance(current, dict):
        out = {}
        for key in list(current) + [k for k in mine if k not in current]:
            value = merge3(base.get(key, _ABSENT), mine.get(key, _ABSENT), current.get(key, _ABSENT))
            if value is not _ABSENT:
                out[key] = value
        return out
    if isinstance(mine, list) and isinstance(base, list) and isinstance(current, list):
        key = _list_key(base, mine, current)
        if key is not None:
            return _merge_named(key, base, mine, current)
    return mine


def _list_key(*lists: list) -> str | None:
    for key in ("name", "id"):
        if all(isinstance(x, dict) and isinstance(x.get(key), str) for lst in lists for x in lst) and all(
                len({x[key] for x in lst}) == len(lst) for lst in lists):
            return key
    return None


def _merge_named(key: str, base: list, mine: list, current: list) -> list:
    b = {x[key]: x for x in base}
    m = {x[key]: x for x in mine}
    out = []
    for item in current:
        name = item[key]
        if name in b and name not in m:
            continue  # removed by this change: a removal wins
        if name in m:
            merged = merge3(b.get(name, _ABSENT), m[name], item)
            if merged is not _ABSENT:
                out.append(merged)
        else:
            out.append(item)  # someone else's
    have = {x[key] for x in out}
    for i, item in enumerate(mine):
        if item[key] in have or item[key] in b:
            continue  # kept above, or removed by someone else meanwhile: stays removed
        after = mine[i - 1][key] if i else None
        at = next((j + 1 for j, x in enumerate(out) if x[key] == after), 0 if after is None else len(out))
        out.insert(at, item)
        have.add(item[key])
    return out


def _locate(items: list, index: int, value: Any) -> int:
    if index < len(items) and same(items[index], value):
        return index
    return next((i for i, item in enumerate(items) if same(item, value)), -1)


def _fresh_id(old: str, taken: set[str]) -> str:
    m = _ID.match(old)
    prefix = m.group(1) if m else old
    pattern = re.compile("^" + re.escape(prefix) + "([0-9]{1,9})$")
    n = max([int(p.group(1)) for t in taken if (p := pattern.match(t))] + [1]) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _rename(value: Any, renames: dict[str, str]) -> Any:
    """`value` with every id in `renames` renamed (names and descriptions are text, left alone)."""
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [_rename(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in ("name", "description", "label", "text") else _rename(v, renames))
                for k, v in value.items()}
    return value


def effective_mac(node: dict, nic: dict) -> str:
    mac = nic.get("mac")
    return mac.lower() if isinstance(mac, str) else derive_mac(node["id"], nic.get("name", ""), node.get("kind", ""))


def _fresh_mac(node: dict, nic_name: str, used: set[str]) -> str:
    kind = node.get("kind", "")
    mac = derive_mac(node["id"], nic_name, kind)
    attempt = 1
    while mac in used:  # the editor's freshMac (static/src/model/mac.js), the same sequence
        digest = hashlib.sha256(f"netdesigner-fresh-mac\0{node['id']}\0{nic_name}\0{attempt}".encode()).digest()
        mac = ("08:00:27:" + ":".join(f"{b:02x}" for b in digest[:3])) if kind == "vm" else \
            "02:" + ":".join(f"{b:02x}" for b in digest[:5])
        attempt += 1
    return mac


def _unclash_macs(node: dict, others: list[dict]) -> dict:
    nics = node.get("nics")
    if not isinstance(nics, list):
        return node
    used = {effective_mac(o, n) for o in others if o is not node and isinstance(o.get("nics"), list)
            for n in o["nics"] if isinstance(n, dict)}
    out = []
    for nic in nics:
        if isinstance(nic, dict) and effective_mac(node, nic) in used:
            nic = {**nic, "mac": _fresh_mac(node, nic.get("name", ""), used)}
        if isinstance(nic, dict):
            used.add(effective_mac(node, nic))
        out.append(nic)
    return {**node, "nics": out}


def merge_apply(doc: dict, ops: list[dict], renames: dict[str, str] | None = None
                ) -> tuple[dict, list[str], dict[str, str]]:
    """(new document, notes for the sender, ids renamed by this change). `doc` is not changed;
    untouched nodes and links are shared with it. `renames` (ids this client's earlier changes
    got renamed to) are applied to the operations first."""
    renames = dict(renames or {})
    made: dict[str, str] = {}
    out = dict(doc)
    copied: set[str] = set()
    notes: list[str] = []

    def coll(name: str) -> list:
        if name not in copied:
            out[name] = list(out[name]) if isinstance(out.get(name), list) else []
            copied.add(name)
        return out[name]

    for op in ops:
        if renames:
            op = _rename(op, renames)
        kind = op["op"]
        if kind == "field":
            if op.get("after") is None:
                out.pop(op["key"], None)
            else:
                out[op["key"]] = op["after"]
            copied.discard(op["key"])
            continue
        items = coll(op["coll"])
        keyed = op["coll"] in KEYED
        what = "node" if op["coll"] == "nodes" else "link"
        if kind == "insert":
            value = op["value"]
            if keyed:
                at_id = next((i for i, item in enumerate(items) if item.get("id") == value["id"]), -1)
                if at_id >= 0:
                    # Taken, even by an equal object: two people adding "the next VM" with a
                    # host selected make equal ones, and both want theirs. (A change sent twice
                    # is recognised by its id before it gets here.)
                    new_id = _fresh_id(value["id"], {item.get("id") for item in items})
                    renames[value["id"]] = made[value["id"]] = new_id
                    notes.append(f"{value['id']} was taken meanwhile: yours is {new_id}")
                    value = _rename(value, {value["id"]: new_id})
                if op["coll"] == "nodes":
                    value = _unclash_macs(value, items)
                at = min(op.get("index", len(items)), len(items))
                if op.get("prev") is not None:
                    prev = next((i for i, item in enumerate(items) if item.get("id") == op["prev"]), -1)
                    if prev >= 0:
                        at = prev + 1
                items.insert(at, value)
            else:
                if op["coll"] == "captures" and any(same(item, value) for item in items):
                    continue
                items.insert(min(op.get("index", len(items)), len(items)), value)
        elif kind == "remove":
            value = op["value"]
            at = (next((i for i, item in enumerate(items) if item.get("id") == value["id"]), -1) if keyed
                  else _locate(items, op.get("index", 0), value))
            if at >= 0:
                del items[at]
            elif keyed:
                notes.append(f"{what} {value['id']} was already deleted")
        elif kind == "update":
            at = next((i for i, item in enumerate(items) if item.get("id") == op["id"]), -1)
            if at < 0:
                notes.append(f"{what} {op['id']} was deleted meanwhile: not changed")
                continue
            current = dict(items[at])
            before = op.get("before") or {}
            for key, value in op["after"].items():
                base = before.get(key)
                merged = merge3(_ABSENT if base is None else base, _ABSENT if value is None else value,
                                current.get(key, _ABSENT))
                if merged is _ABSENT:
                    current.pop(key, None)
                else:
                    current[key] = merged
            items[at] = current
        elif kind == "replace":
            at = _locate(items, op["index"], op["before"])
            if at >= 0:
                items[at] = op["after"]
            else:
                notes.append(f"{op['coll']} entry changed meanwhile: not replaced")
    return out, notes, made


# ---------------------------------------------------------------- invariants beyond the schema


def mac_owners(doc: dict, only: set[str] | None = None) -> dict[str, list[str]]:
    """Each MAC of the document's NICs (of those in `only`, when given) -> "node nic" owning it."""
    owners: dict[str, list[str]] = {}
    for node in doc.get("nodes") or []:
        if isinstance(node, dict) and isinstance(node.get("nics"), list) and isinstance(node.get("id"), str):
            for nic in node["nics"]:
                if isinstance(nic, dict) and isinstance(nic.get("name"), str):
                    mac = effective_mac(node, nic)
                    if only is None or mac in only:
                        owners.setdefault(mac, []).append(f"{node['id']} {nic['name']}")
    return owners


def new_shared_macs(old: dict, new: dict) -> DesignerError | None:
    """A change may not make a MAC that was unique shared (a design that already has a shared one
    keeps it: the design checks warn about it). `new` was made from `old` by `merge_apply`: a
    node it did not touch is the same object with the same MACs, so only the touched nodes' MACs
    can have become shared."""
    kept = {id(node) for node in old.get("nodes") or []}
    touched = [node for node in new.get("nodes") or [] if id(node) not in kept]
    macs = set(mac_owners({"nodes": touched}))
    if not macs:
        return None
    before = {mac for mac, owners in mac_owners(old, macs).items() if len(owners) > 1}
    for mac, owners in mac_owners(new, macs).items():
        if len(owners) > 1 and mac not in before:
            return Invalid(f"MAC address {mac} would be on both {owners[0]} and {owners[1]}.",
                           problems=[{"code": "ref.duplicate_mac", "path": "", "msg": f"{mac} on {', '.join(owners)}"}])
    return None


# ---------------------------------------------------------------- canonical operations


def _props_diff(a: dict, b: dict) -> tuple[dict, dict] | None:
    before, after = {}, {}
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if key in a and key in b and same(x, y):
            continue
        before[key], after[key] = x, y
    return (before, after) if after else None


def _keyed(coll: str, a: list, b: list) -> list[dict] | None:
    ops: list[dict] = []
    in_b = {item["id"]: i for i, item in enumerate(b)}
    in_a = {item["id"]: i for i, item in enumerate(a)}
    for i in range(len(a) - 1, -1, -1):
        if a[i]["id"] not in in_b:
            ops.append({"op": "remove", "coll": coll, "index": i, "prev": a[i - 1]["id"] if i else None, "value": a[i]})
    if [x["id"] for x in a if x["id"] in in_b] != [x["id"] for x in b if x["id"] in in_a]:
        return None
    for item in a:
        j = in_b.get(item["id"])
        if j is None or b[j] is item:
            continue
        change = _props_diff(item, b[j])
        if change:
            ops.append({"op": "update", "coll": coll, "id": item["id"], "before": change[0], "after": change[1]})
    for j, item in enumerate(b):
        if item["id"] not in in_a:
            ops.append({"op": "insert", "coll": coll, "index": j, "prev": b[j - 1]["id"] if j else None, "value": item})
    return ops


def canonical(a: dict, b: dict) -> list[dict]:
    """The operations that turn stored document `a` into `b`, as diff.js writes them: nodes and
    links by id (insert, remove, update), everything else a whole top-level field."""
    ops: list[dict] = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x is y or (key in a and key in b and same(x, y)):
            continue
        if key in KEYED and isinstance(x, list) and isinstance(y, list) and all(
                isinstance(i, dict) and isinstance(i.get("id"), str) for i in x + y):
            found = _keyed(key, x, y)
            if found is not None:
                ops.extend(found)
                continue
        ops.append({"op": "field", "key": key, "before": x, "after": y})
    return ops


def ops_text(changes: list[dict]) -> str:
    return json.dumps({"type": "design.ops", "changes": changes}, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))


def ops_event(changes: list[dict]) -> dict:
    """The group event that carries accepted changes, serialised once for every socket."""
    return {"type": "design.ops", "first": changes[0]["seq"], "last": changes[-1]["seq"], "text": ops_text(changes)}
