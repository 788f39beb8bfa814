"""What schema.json tells the editor and the engine besides validation, and the check of it.

The schema is the one place where a node kind and a service kind are described. Standard JSON
Schema annotations say what they can:

- ``title`` / ``description`` of ``$defs/kind_<id>``: the palette's label and tooltip;
- ``required`` containing ``host``: the kind must be placed (a VM cannot exist outside a host);
- a ``nics`` property: the kind has NICs (an IP stack). A kind without one is a switch: a link
  end on it names no NIC, it grows a port per link;
- ``default`` on a property: what ``normalized()`` fills when the field is absent (and what the
  properties panel shows as the field's placeholder);
- ``default`` on a ``$defs/service_<id>`` itself: the value a new service of that kind starts as
  in the editor (its ``kind`` and every required field), so "Add a service" never saves an
  invalid list.

The rest are keywords of our own on each ``$defs/kind_<id>``, with the ``x-`` prefix: OpenAPI
reserves it for extensions (the schema is embedded in the OpenAPI document), jsonschema ignores
keywords it does not know, and the browser declares them to ajv, which runs in strict mode
(``SCHEMA_KEYWORDS`` in static/src/model/kinds.js):

- ``x-id-prefix``: new nodes are named ``<prefix>1``, ``<prefix>2``... ("ct" for containers);
- ``x-icon``: the palette icon's name (drawn in static/src/editor/icons.js);
- ``x-placed-on``: the kinds this kind's ``host`` field may name, ``[]`` for a kind with no
  ``host`` field;
- ``x-panel``: the properties panel's fields, in order, after the always-first Name: scalar
  fields, object fields (drawn as a group of their scalar fields) and the panel's list sections
  (NICs, routes, services, members, port forwards).

And one on a property with an ``enum`` (a host's ``platform`` and ``hypervisor_type``, a NIC's
``mode``):

- ``x-choices``: one entry per enum value, in the enum's order: ``{"value", "title",
  "description"}`` (the friendly name the select shows and the sentence or two shown under it when
  chosen), plus facts of that choice (a platform's ``types`` and ``debated``, type 2's
  ``host_os_mb``). ``simcore/design/platforms.py`` and static/src/editor/platforms.js read them.

``annotation_problems(schema)`` lists, one sentence each, what a kind or a service lacks for the
editor and the engine; ``simcore.design.kinds`` refuses to build ``KINDS`` from a schema with any.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator

from simcore.design.schema_errors import DesignValidator

KEYWORDS = ("x-id-prefix", "x-icon", "x-placed-on", "x-panel")

# Properties the panel never lists: the id and kind are fixed, Name is always its first field,
# and the position and the host are set on the canvas (a drag, a drop onto a host).
PANEL_FIXED = ("id", "kind", "name", "position", "host")

_STACK_FIELDS = ("routes", "ip_forward", "services")

# A prefix must start a valid id (a letter) and leave room for the number.
_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
_ICON = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def kind_ids(schema: dict) -> list[str]:
    """The node kinds, in the schema's (and the palette's) order."""
    return list(schema["$defs"]["node"]["properties"]["kind"]["enum"])


def service_ids(schema: dict) -> list[str]:
    """The service kinds, in the schema's order."""
    return list(schema["$defs"]["service"]["properties"]["kind"]["enum"])


def resolve(schema: dict, prop: Any) -> Any:
    """A property schema with its local ``$ref`` followed; its own keywords win over the target's."""
    if isinstance(prop, dict) and isinstance(prop.get("$ref"), str) and prop["$ref"].startswith("#/$defs/"):
        target = schema["$defs"].get(prop["$ref"].removeprefix("#/$defs/"), {})
        return {**resolve(schema, target), **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop


def property_defaults(schema: dict, obj: dict) -> dict[str, Any]:
    """``{property: default}`` for the properties of object schema ``obj`` that have one."""
    out = {}
    for key, prop in obj.get("properties", {}).items():
        prop = resolve(schema, prop)
        if isinstance(prop, dict) and "default" in prop:
            out[key] = prop["default"]
    return out


def annotation_problems(schema: dict) -> list[str]:
    """What a kind or a service of ``schema`` lacks for the editor and the engine; [] when nothing."""
    try:
        kinds, services = kind_ids(schema), service_ids(schema)
    except (KeyError, TypeError):
        return ["no node kind enum at $defs/node/properties/kind, or no service kind enum at $defs/service/properties/kind"]
    problems = [
        f"kind '{kind}' is listed twice in $defs/node/properties/kind/enum"
        for i, kind in enumerate(kinds)
        if kind in kinds[:i]
    ]
    prefixes: dict[str, str] = {}
    for kind in dict.fromkeys(kinds):
        problems.extend(_kind_problems(schema, kind, kinds, prefixes))
    for service in services:
        problems.extend(_service_problems(schema, service))
    problems.extend(_choices_problems(schema))
    return problems


def _choices_problems(schema: dict) -> list[str]:
    """Every ``x-choices`` of a kind's or a NIC's property lists its enum, each with a title and a sentence."""
    out = []
    owners = {name: d for name, d in schema["$defs"].items() if name.startswith("kind_") or name == "nic"}
    for name, owner in owners.items():
        for key, prop in (owner.get("properties") or {}).items():
            if not isinstance(prop, dict) or "x-choices" not in prop:
                continue
            where = f"$defs/{name}/properties/{key}/x-choices"
            found = prop["x-choices"]
            if not isinstance(found, list) or not all(isinstance(c, dict) for c in found):
                out.append(f"{where} is not a list of objects")
                continue
            if [c.get("value") for c in found] != prop.get("enum"):
                out.append(f"{where} does not list the enum {prop.get('enum')!r} in order")
            for c in found:
                for field in ("title", "description"):
                    if not isinstance(c.get(field), str) or not c[field].strip():
                        out.append(f"{where} entry {c.get('value')!r} has no {field}")
    return out


def _kind_problems(schema: dict, kind: str, kinds: list[str], prefixes: dict[str, str]) -> list[str]:
    where = f"$defs/kind_{kind}"
    spec = schema["$defs"].get(f"kind_{kind}")
    if not isinstance(spec, dict) or not isinstance(spec.get("properties"), dict):
        return [f"kind '{kind}' has no {where} with properties"]
    props = spec["properties"]
    out = []
    for key in ("title", "description"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            out.append(f"{where} has no {key} (the palette's {'label' if key == 'title' else 'tooltip'})")
    if "nics" in props:
        # The engine gives every kind with NICs an IP stack: routes, forwarding and services too.
        lacking = [key for key in _STACK_FIELDS if key not in props]
        if lacking:
            out.append(f"{where} has 'nics' but not {', '.join(repr(k) for k in lacking)}")
    missing = [key for key in KEYWORDS if key not in spec]
    out.extend(f"{where} has no {key}" for key in missing)
    prefix = spec.get("x-id-prefix")
    if "x-id-prefix" not in missing:
        if not isinstance(prefix, str) or not _PREFIX.match(prefix):
            out.append(f"{where}/x-id-prefix {prefix!r} is not a letter then up to 39 letters, digits, '-' or '_'")
        elif prefix in prefixes:
            out.append(f"{where}/x-id-prefix '{prefix}' is also kind '{prefixes[prefix]}''s prefix")
        else:
            prefixes[prefix] = kind
    icon = spec.get("x-icon")
    if "x-icon" not in missing and (not isinstance(icon, str) or not _ICON.match(icon)):
        out.append(f"{where}/x-icon {icon!r} is not an icon name (lower case letters, digits, '-', '_')")
    if "x-placed-on" not in missing:
        out.extend(_placement_problems(spec, where, kinds))
    if "x-panel" not in missing:
        out.extend(_panel_problems(schema, spec, where))
    return out


def _placement_problems(spec: dict, where: str, kinds: list[str]) -> list[str]:
    targets = spec["x-placed-on"]
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        return [f"{where}/x-placed-on is not a list of kind names"]
    out = [f"{where}/x-placed-on names '{t}', which is not a node kind" for t in targets if t not in kinds]
    if len(set(targets)) != len(targets):
        out.append(f"{where}/x-placed-on names a kind twice")
    has_host = "host" in spec["properties"]
    if bool(targets) != has_host:
        out.append(
            f"{where}/x-placed-on is {targets} but the kind {'has' if has_host else 'has no'} 'host' field"
        )
    return out


def _panel_problems(schema: dict, spec: dict, where: str) -> list[str]:
    panel = spec["x-panel"]
    if not isinstance(panel, list) or not all(isinstance(key, str) for key in panel):
        return [f"{where}/x-panel is not a list of property names"]
    props = spec["properties"]
    out = []
    for key in panel:
        if key not in props:
            out.append(f"{where}/x-panel names '{key}', which is not a property of the kind")
        elif key in PANEL_FIXED:
            out.append(f"{where}/x-panel names '{key}', which the panel does not list (set elsewhere)")
    if len(set(panel)) != len(panel):
        out.append(f"{where}/x-panel names a property twice")
    unlisted = [key for key in props if key not in panel and key not in PANEL_FIXED]
    if unlisted:
        out.append(f"{where}/x-panel leaves out {', '.join(repr(k) for k in unlisted)}: the panel could not edit them")
    return out


def _service_problems(schema: dict, service: str) -> list[str]:
    where = f"$defs/service_{service}"
    spec = schema["$defs"].get(f"service_{service}")
    if not isinstance(spec, dict) or not isinstance(spec.get("properties"), dict):
        return [f"service kind '{service}' has no {where} with properties"]
    out = []
    for key in ("title", "description"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            out.append(f"{where} has no {key}")
    new = spec.get("default")
    if not isinstance(new, dict):
        out.append(f"{where} has no default (what a new {service} service starts as)")
    else:
        if new.get("kind") != service:
            out.append(f"{where}/default has kind {new.get('kind')!r}, not '{service}'")
        lacking = [key for key in spec.get("required", []) if key not in new]
        if lacking:
            out.append(f"{where}/default lacks the required {', '.join(repr(k) for k in lacking)}")
        elif new.get("kind") == service and not _valid(schema, "#/$defs/service", new):
            out.append(f"{where}/default is not a valid {service} service")
    for key, value in property_defaults(schema, spec).items():
        if not _valid(schema, f"#/$defs/service_{service}/properties/{key}", value):
            out.append(f"{where}/properties/{key}/default {value!r} is not a valid value of the field")
    return out


def _valid(schema: dict, ref: str, value: Any) -> bool:
    wrapper = {"$schema": schema.get("$schema"), "$defs": schema["$defs"], "$ref": ref}
    return DesignValidator(wrapper, format_checker=Draft202012Validator.FORMAT_CHECKER).is_valid(value)
