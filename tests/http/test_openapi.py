"""The OpenAPI document: operation ids, request schemas, errors and Bearer exactly where needed."""

import difflib
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema_rs import Draft202012Validator

from entrypoints.cli import main
from tests.http.conftest import Api

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
RATE_LIMITED = {
    "register",
    "login",
    "refresh",
    "completeLogin",
    "createConnectToken",
    "requestEmailVerification",
    "verifyEmail",
    "requestRecovery",
    "completeRecovery",
}
CALLS_CORBADO = {"createConnectToken", "completeLogin", "completeRecovery"}

PROTECTED = {
    "logout",
    "me",
    "createConnectToken",
    "listSessions",
    "endSession",
    "passkeyDeleted",
    "deleteAccount",
    "requestEmailVerification",
}
WITH_BODY = {
    "register",
    "login",
    "createConnectToken",
    "completeLogin",
    "passkeyDeleted",
    "verifyEmail",
    "requestRecovery",
    "completeRecovery",
}


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
        "listSessions",
        "endSession",
        "passkeyDeleted",
        "deleteAccount",
        "revocations",
        "requestEmailVerification",
        "verifyEmail",
        "requestRecovery",
        "completeRecovery",
    }


def test_bearer_is_required_exactly_on_protected_operations(document: dict[str, Any]) -> None:
    assert "security" not in document
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerAuth"]["type"] == "http"
    assert schemes["BearerAuth"]["scheme"] == "bearer"
    assert schemes["BearerAuth"]["bearerFormat"] == "JWT"
    for operation_id, operation in operations(document).items():
        expected: list[dict[str, list[str]]] | None = (
            [{"BearerAuth": []}] if operation_id in PROTECTED else None
        )
        if operation_id == "revocations":
            expected = [{"RevocationFeedSecret": []}]
        assert operation.get("security") == expected, operation_id
        if operation_id in PROTECTED:
            assert "401" in operation["responses"]


def test_operations_with_bodies_document_them_and_their_400(document: dict[str, Any]) -> None:
    for operation_id, operation in operations(document).items():
        if operation_id in WITH_BODY:
            assert operation["requestBody"]["required"] is True, operation_id
            assert "400" in operation["responses"], operation_id


@pytest.mark.parametrize(
    ("operation_id", "path"), [("login", "/auth/login"), ("completeLogin", "/auth/completeLogin")]
)
def test_operations_with_bodies_document_the_415_they_answer(
    api: Api, document: dict[str, Any], operation_id: str, path: str
) -> None:
    for each_id, operation in operations(document).items():
        assert ("415" in operation["responses"]) == ("requestBody" in operation), each_id
    unsupported = operations(document)[operation_id]["responses"]["415"]
    (example,) = unsupported["content"]["application/json"]["examples"].values()
    answer = api.client.post(path, content=b"{}", headers={"Content-Type": "text/plain"})
    assert answer.status_code == 415
    assert {**example["value"], "details": []} == answer.json()


def test_error_responses_use_the_error_schema(document: dict[str, Any]) -> None:
    for operation in operations(document).values():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].split("/")[-1] in {"ErrorResponse", "PasskeyErrorResponse"}


def component(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return found


def test_every_operation_has_a_summary_a_description_and_declared_tags(
    document: dict[str, Any],
) -> None:
    declared = {tag["name"]: tag.get("description") for tag in document["tags"]}
    assert all(declared.values()), "every tag has a description"
    for operation_id, operation in operations(document).items():
        assert operation.get("summary"), operation_id
        assert operation.get("description"), operation_id
        assert operation.get("tags"), operation_id
        assert set(operation["tags"]) <= set(declared), operation_id
        for status, response in operation["responses"].items():
            assert not response["description"].startswith("Request fulfilled"), (
                f"{operation_id} {status}: describe the answer (response_description=...)"
            )


def test_request_bodies_are_closed_and_their_examples_are_valid(document: dict[str, Any]) -> None:
    for operation_id, operation in operations(document).items():
        if "requestBody" not in operation:
            continue
        schema = component(
            document, operation["requestBody"]["content"]["application/json"]["schema"]
        )
        assert schema["additionalProperties"] is False, operation_id
        assert schema.get("examples"), f"{operation_id}: take the body through json_body()"
        validator = Draft202012Validator({**schema, "components": document["components"]})
        for example in schema["examples"]:
            validator.validate(example)
        # A member the struct does not know is refused, as the document now says.
        assert not validator.is_valid({**schema["examples"][0], "unknownMember": 1})


def test_error_responses_name_their_codes_with_an_example_each(document: dict[str, Any]) -> None:
    for operation_id, operation in operations(document).items():
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            examples = response["content"]["application/json"].get("examples", {})
            assert examples, f"{operation_id} {status}"
            for example in examples.values():
                assert f"`{example['value']['error']}`" in response["description"]


def test_rate_limited_and_upstream_operations_say_so(document: dict[str, Any]) -> None:
    found = operations(document)
    for operation_id in RATE_LIMITED:
        responses = found[operation_id]["responses"]
        assert "429" in responses, operation_id
        assert "Retry-After" in responses["429"]["headers"]
    for operation_id in CALLS_CORBADO:
        assert {"502", "503", "504"} <= set(found[operation_id]["responses"]), operation_id
    for operation_id in PROTECTED:
        challenge = found[operation_id]["responses"]["401"]["headers"]["WWW-Authenticate"]
        assert challenge["required"] is True


@pytest.mark.parametrize("operation_id", ["logout", "refresh"])
def test_an_optional_body_is_documented_as_optional(
    document: dict[str, Any], operation_id: str
) -> None:
    body = operations(document)[operation_id]["requestBody"]
    assert body["required"] is False
    schema = body["content"]["application/json"]["schema"]
    assert "oneOf" not in schema, "absent, or an object; never null"
    assert component(document, schema)["examples"]
    assert "400" in operations(document)[operation_id]["responses"]


BROWSER_TRANSPORT = {
    "register",
    "login",
    "completeLogin",
    "refresh",
    "logout",
    "completeRecovery",
}


def test_the_browser_transport_is_documented_where_it_applies(document: dict[str, Any]) -> None:
    for operation_id, operation in operations(document).items():
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        names = {parameter["name"] for parameter in headers}
        assert ("Session-Transport" in names) == (operation_id in BROWSER_TRANSPORT), operation_id
        if operation_id not in BROWSER_TRANSPORT:
            continue
        (header,) = headers
        assert header["required"] is False
        assert component(document, header["schema"])["enum"] == ["cookie"]
        forbidden = operation["responses"]["403"]
        assert "`origin_not_allowed`" in forbidden["description"]
        if operation_id != "register":
            success = operation["responses"]["204" if operation_id == "logout" else "200"]
            assert "__Host-connect_refresh" in str(success["headers"]["Set-Cookie"])
    refused = operations(document)["refresh"]["responses"]["401"]["headers"]["Set-Cookie"]
    assert "Max-Age=0" in refused["description"]
    deleted = operations(document)["deleteAccount"]["responses"]["204"]
    assert "Max-Age=0" in str(deleted["headers"]["Set-Cookie"])
    assert "content" not in deleted, "a 204 has no body"
    for name in ("TokenPairResponse", "LoginResponse", "CompleteLoginResponse"):
        schema = document["components"]["schemas"][name]
        assert "refreshToken" not in schema["required"], "absent in the browser transport"
        assert schema["properties"]["refreshToken"]["type"] == "string", "never null"


def test_committed_document_matches_the_code(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.json"
    assert main(["openapi", "--output", str(generated)]) == 0
    fresh = generated.read_text(encoding="utf-8")
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if fresh != committed:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    "docs/openapi.json (committed)",
                    "the code's document",
                )
            )[:60]
        )
        pytest.fail(
            "docs/openapi.json differs from the document the code serves. Regenerate it with\n"
            "    .venv/bin/connect-backend openapi --output docs/openapi.json\n"
            "and commit it (clients are generated from it).\n" + diff
        )
    assert json.loads(fresh)["openapi"].startswith("3.1")
