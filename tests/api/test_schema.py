"""The OpenAPI schema validates, lists every endpoint of the router, and documents errors with examples."""
import re

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from config.api_router import router


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_validates(schema):
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document


def test_schema_lists_every_endpoint(schema):
    paths = set(schema["paths"])
    for url in router.urls:
        route = str(url.pattern).lstrip("^").rstrip("$")
        if "\\.(?P<format>" in route:
            continue
        path = "/api/v1/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route).replace("{pk}", "{id}")
        assert path in paths, path
    for extra in ("/api/v1/hotline/events", "/api/v1/reports/figures", "/api/v1/auth/token"):
        assert extra in paths


def test_every_operation_documents_its_errors_with_examples(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (path, method)
            errors = [code for code in responses if code[0] in "45"]
            assert errors, (path, method)
            if path == "/api/v1/hotline/events":
                continue
            for code in errors:
                content = responses[code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (path, method, code)
                assert content.get("examples"), (path, method, code)


def test_schema_and_docs_are_served_without_a_cdn(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    loaded = yaml.safe_load(response.content)
    assert "/api/v1/petitions" in loaded["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"/api/schema/" in script.content
