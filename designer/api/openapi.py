"""OpenAPI with the real design schema: simcore's JSON Schema (draft 2020-12) is embedded as
`components.schemas.DesignDocument` and every field marked as a design document refers to it.
OpenAPI 3.1 schemas are 2020-12, so the schema embeds unchanged except for its own `$ref`s,
which are re-rooted (`#/$defs/x` -> `#/components/schemas/DesignDocument/$defs/x`) because they
resolve against the OpenAPI document once embedded."""

from __future__ import annotations

import copy
from typing import Any

from ninja import NinjaAPI

from designer.api.schemas import DOCUMENT_MARK

COMPONENT = "DesignDocument"
ROOT = f"#/components/schemas/{COMPONENT}"


def _reroot(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                out[key] = ROOT + value[1:]
            else:
                out[key] = _reroot(value)
        return out
    if isinstance(node, list):
        return [_reroot(v) for v in node]
    return node


def design_component() -> dict:
    try:
        from simcore.design import load_schema

        schema = copy.deepcopy(load_schema())
    except ImportError:  # simcore not installed: document an object, validation still runs
        return {"type": "object"}
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    return _reroot(schema)


def _mark_documents(node: Any) -> Any:
    """Replace pydantic's `{type: object}` for marked fields by a reference to the component."""
    if isinstance(node, dict):
        if node.get(DOCUMENT_MARK):
            kept = {k: v for k, v in node.items() if k in ("title", "description", "default")}
            if "anyOf" in node:  # optional: `document | null`
                return {**kept, "anyOf": [{"$ref": ROOT}, {"type": "null"}]}
            return {**kept, "$ref": ROOT}
        return {k: _mark_documents(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_mark_documents(v) for v in node]
    return node


class DesignerAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # Built once per prefix: the operations and the design schema are fixed at start-up, and
        # building costs ~0.5 s (the permission matrix alone asks nine times).
        cache = self.__dict__.setdefault("_openapi_cache", {})
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        if key not in cache:
            cache[key] = self._build_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return copy.deepcopy(cache[key])

    def _build_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        patched = _mark_documents(dict(schema))
        components = patched.setdefault("components", {})
        components.setdefault("schemas", {})[COMPONENT] = design_component()
        schema.clear()
        schema.update(patched)
        return schema
