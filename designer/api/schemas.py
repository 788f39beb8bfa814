"""Request and response shapes of the JSON API (pydantic, through django-ninja).

A field marked `DOCUMENT` is a design document: in the OpenAPI output it becomes a reference to
`#/components/schemas/DesignDocument`, which is simcore's design schema embedded unchanged
(designer.api.openapi), so clients and schemathesis see the real contract.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema

DOCUMENT_MARK = "x-design-document"
DOCUMENT = {DOCUMENT_MARK: True}

StrictInt = Annotated[int, Field(strict=True)]


class ProblemOut(Schema):
    code: str
    path: str = ""
    msg: str
    severity: str | None = None
    objects: list[str] | None = None


class ErrorOut(Schema):
    code: str
    msg: str
    problems: list[ProblemOut] = []
    more_problems: int | None = None
    current_version: int | None = None
    retry_after: int | None = None


class DesignSummaryOut(Schema):
    id: int
    name: str
    description: str
    version: int
    owner: str
    role: str
    is_example: bool
    example_slug: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None


class DesignOut(DesignSummaryOut):
    document: dict[str, Any] = Field(json_schema_extra=DOCUMENT)


class DesignCreateIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    document: dict[str, Any] | None = Field(None, json_schema_extra=DOCUMENT)


class DesignUpdateIn(Schema):
    base_version: StrictInt = Field(ge=1, le=2**31 - 1, description="The version the client started from.")
    document: dict[str, Any] | None = Field(None, json_schema_extra=DOCUMENT)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)


class RevisionSummaryOut(Schema):
    number: int
    name: str
    author: str | None
    created_at: dt.datetime
    note: str


class RevisionOut(RevisionSummaryOut):
    description: str
    document: dict[str, Any] = Field(json_schema_extra=DOCUMENT)


class LinkIn(Schema):
    role: Literal["viewer", "editor"]
    expires_at: dt.datetime | None = None


class LinkOut(Schema):
    id: int
    role: str
    token: str
    url: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool


class ValidateOut(Schema):
    ok: bool
    problems: list[ProblemOut]
    checks: list[ProblemOut]
    more_problems: int = 0
    more_checks: int = 0
