"""The OpenAPI document embeds simcore's design schema, and every reference in it resolves."""

import json

import pytest
from jsonschema import Draft202012Validator
from webhelpers import example_document

from simcore.design import load_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi(client):
    answer = client.get("/api/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def resolve(document, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_every_reference_resolves(openapi):
    found = sorted(set(refs(openapi)))
    assert "#/components/schemas/DesignDocument" in found
    for ref in found:
        resolve(openapi, ref)


def test_design_document_component_is_the_simcore_schema(openapi):
    component = openapi["components"]["schemas"]["DesignDocument"]
    schema = load_schema()
    assert component["required"] == schema["required"]
    assert sorted(component["properties"]) == sorted(schema["properties"])
    assert "$id" not in component and "$schema" not in component


def test_embedded_schema_validates_like_the_original(openapi):
    """Validating through the embedded component gives the same verdict as simcore's schema."""
    embedded = {**openapi, "$ref": "#/components/schemas/DesignDocument"}
    validator = Draft202012Validator(embedded)
    good = example_document()
    bad = {**example_document(), "nodes": [{"id": "9bad", "kind": "vm"}]}
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors(bad)) != []


@pytest.mark.parametrize(
    "schema_name, field",
    [("DesignOut", "document"), ("DesignUpdateIn", "document"), ("DesignCreateIn", "document"), ("RevisionOut", "document")],
)
def test_document_fields_refer_to_the_component(openapi, schema_name, field):
    text = json.dumps(openapi["components"]["schemas"][schema_name]["properties"][field])
    assert '"$ref": "#/components/schemas/DesignDocument"' in text


def test_docs_page_uses_local_assets(client):
    answer = client.get("/api/docs")
    assert answer.status_code == 200
    assert b"cdn.jsdelivr" not in answer.content
    assert b"/static/ninja/swagger-ui-bundle.js" in answer.content
