"""The OpenAPI document: operation ids, request schemas, errors and Bearer exactly where needed."""

from typing import Any

import pytest

from tests.http.conftest import Api

PROTECTED = {"logout", "me", "createConnectToken"}
WITH_BODY = {"register", "login", "refresh", "createConnectToken", "completeLogin"}


@pytest.fixture
def document(api: Api) -> dict[str, Any]:
    response = api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for path in document["paths"].values()
        for operation in path.values()
    }


def test_every_interface_operation_is_documented_with_an_operation_id(
    document: dict[str, Any],
) -> None:
    assert document["openapi"].startswith("3.1")
    assert set(operations(document)) == {
        "register",
        "login",
        "refresh",
        "logout",
        "me",
        "createConnectToken",
        "completeLogin",
        "jwks",
        "healthz",
        "readyz",
    }


def test_bearer_is_required_exactly_on_protected_operations(document: dict[str, Any]) -> None:
    assert "security" not in document
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    for operation_id, operation in operations(document).items():
        expected: list[dict[str, list[str]]] | None = (
            [{"BearerAuth": []}] if operation_id in PROTECTED else None
        )
        assert operation.get("security") == expected, operation_id
        if operation_id in PROTECTED:
            assert "401" in operation["responses"]


def test_operations_with_bodies_document_them_and_their_400(document: dict[str, Any]) -> None:
    for operation_id, operation in operations(document).items():
        if operation_id in WITH_BODY:
            assert operation["requestBody"]["required"] is True, operation_id
            assert "400" in operation["responses"], operation_id


def test_error_responses_use_the_error_schema(document: dict[str, Any]) -> None:
    for operation in operations(document).values():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].split("/")[-1] in {"ErrorResponse", "PasskeyErrorResponse"}
