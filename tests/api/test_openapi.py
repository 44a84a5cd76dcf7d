"""The OpenAPI description: it loads, lists every route, documents errors and the token."""

from __future__ import annotations

from fastapi.testclient import TestClient

ROUTES = {
    ("post", "/api/auth/login"), ("post", "/api/auth/logout"), ("get", "/api/me"),
    ("get", "/api/residents/{pid}"), ("get", "/api/areas/{code}/residents"),
    ("post", "/api/import/{kind}"), ("post", "/api/users"),
    ("post", "/api/users/{username}/tokens"), ("delete", "/api/tokens/{token_id}"),
    ("get", "/api/audit/verify"), ("get", "/api/health"),
}


def test_the_openapi_document_lists_the_routes(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "jointcheck"
    found = {(method, path) for path, item in document["paths"].items() for method in item}
    assert found >= ROUTES
    login = document["paths"]["/api/auth/login"]["post"]
    assert {"200", "400", "401", "422"} <= set(login["responses"])
    error_ref = login["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
    assert error_ref.endswith("/ErrorBody")
    read = document["paths"]["/api/residents/{pid}"]["get"]
    assert {"200", "401", "403", "404"} <= set(read["responses"])
    assert read["security"] == [{"HTTPBearer": []}]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    upload = document["paths"]["/api/import/{kind}"]["post"]
    assert "413" in upload["responses"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_docs_and_the_health_check(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/api/health").json()["status"] == "ok"
