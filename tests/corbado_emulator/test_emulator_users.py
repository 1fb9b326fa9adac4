"""UserCreate/Get, IdentifierCreate/Update/Delete, CredentialList/Delete over plain HTTP: the
spec's bodies exactly, validation, and what each deletion does to a login."""

import re
import uuid
from typing import Any

import httpx
import pytest
from jose import jwt

from tests.corbado_emulator.emulator_support import (
    AUTH,
    NOW,
    assert_envelope,
    assert_generic,
    passkey_login,
    validation_fields,
    verify,
)

# The Backend API spec's members (user, identifier, credential, aaguidDetails).
USER_REQUIRED = {"userID", "status", "updated", "updatedMs"}
CREDENTIAL = {
    "id", "credentialID", "attestationType", "transport", "backupEligible", "backupState",
    "authenticatorAAGUID", "aaguidDetails", "sourceOS", "sourceBrowser", "lastUsed",
    "lastUsedMs", "created", "createdMs", "status", "tags",
}  # fmt: skip


def unique() -> str:
    return f"jane-{uuid.uuid4().hex}@doe.com"


async def new_user(emulator: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await emulator.post("/users", json={"status": "active", **body}, auth=AUTH)
    assert response.status_code == 200, response.text
    user: dict[str, Any] = response.json()
    return user


async def new_identifier(
    emulator: httpx.AsyncClient, user_id: str, value: str, status: str = "primary"
) -> httpx.Response:
    body = {"identifierType": "email", "identifierValue": value, "status": status}
    return await emulator.post(f"/users/{user_id}/identifiers", json=body, auth=AUTH)


async def credentials(emulator: httpx.AsyncClient, user_id: str) -> dict[str, Any]:
    response = await emulator.get(f"/users/{user_id}/credentials", auth=AUTH)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_user_has_the_spec_shape(emulator: httpx.AsyncClient) -> None:
    created = await new_user(emulator, fullName="Jane Doe", explicitWebauthnID="jane-1")
    read = (await emulator.get(f"/users/{created['userID']}", auth=AUTH)).json()

    assert re.fullmatch(r"usr-\d+", created["userID"])
    assert created == read
    assert created.keys() == USER_REQUIRED | {"fullName", "explicitWebauthnID"}
    assert (created["fullName"], created["explicitWebauthnID"]) == ("Jane Doe", "jane-1")
    assert created["status"] == "active"
    assert created["updated"] == "2025-07-22T18:26:13"
    assert created["updatedMs"] == NOW * 1000


async def test_optional_user_members_are_left_out(emulator: httpx.AsyncClient) -> None:
    assert (await new_user(emulator, status="pending")).keys() == USER_REQUIRED


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"status"}),
        ({"status": "gone"}, {"status"}),
        ({"status": "active", "fullName": 1}, {"fullName"}),
        ({"status": "active", "explicitWebauthnID": []}, {"explicitWebauthnID"}),
    ],
)
async def test_user_create_is_validated(
    emulator: httpx.AsyncClient, body: dict[str, object], fields: set[str]
) -> None:
    response = await emulator.post("/users", json=body, auth=AUTH)

    assert validation_fields(response) == fields


async def test_an_identifier_has_the_spec_shape(emulator: httpx.AsyncClient) -> None:
    user = await new_user(emulator)
    value = unique()

    response = await new_identifier(emulator, user["userID"], value, "pending")

    assert response.status_code == 200, response.text
    body = response.json()
    assert re.fullmatch(r"ide-\d+", body.pop("identifierID"))
    assert body == {"type": "email", "value": value, "status": "pending", "userID": user["userID"]}


def identifier_body(**changes: object) -> dict[str, object]:
    return {"identifierType": "email", "identifierValue": "j@x", "status": "primary", **changes}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"identifierType", "identifierValue", "status"}),
        (identifier_body(identifierType="fax"), {"identifierType"}),
        (identifier_body(identifierValue=" "), {"identifierValue"}),
        (identifier_body(status="ok"), {"status"}),
    ],
)
async def test_identifier_create_is_validated(
    emulator: httpx.AsyncClient, body: dict[str, object], fields: set[str]
) -> None:
    user = await new_user(emulator)

    response = await emulator.post(f"/users/{user['userID']}/identifiers", json=body, auth=AUTH)

    assert validation_fields(response) == fields


async def test_an_identifier_value_belongs_to_one_user(emulator: httpx.AsyncClient) -> None:
    jane, john = await new_user(emulator), await new_user(emulator)
    value = unique()
    assert (await new_identifier(emulator, jane["userID"], value)).status_code == 200

    response = await new_identifier(emulator, john["userID"], value)

    assert validation_fields(response) == {"identifierValue"}


async def test_identifier_operations_on_an_unknown_user_or_identifier_are_not_found(
    emulator: httpx.AsyncClient,
) -> None:
    jane, john = await new_user(emulator), await new_user(emulator)
    janes = (await new_identifier(emulator, jane["userID"], unique())).json()
    johns_path = f"/users/{john['userID']}/identifiers/{janes['identifierID']}"

    responses = [
        await new_identifier(emulator, "usr-1", unique()),
        await emulator.patch(johns_path, json={"status": "verified"}, auth=AUTH),
        await emulator.delete(johns_path, auth=AUTH),
        await emulator.delete(f"/users/{jane['userID']}/identifiers/ide-1", auth=AUTH),
    ]

    for response in responses:
        assert_envelope(response, 404, "not_found")


async def test_identifier_update_needs_a_status(emulator: httpx.AsyncClient) -> None:
    user = await new_user(emulator)
    identifier = (await new_identifier(emulator, user["userID"], unique())).json()
    path = f"/users/{user['userID']}/identifiers/{identifier['identifierID']}"

    response = await emulator.patch(path, json={"status": "banned"}, auth=AUTH)

    assert validation_fields(response) == {"status"}


async def test_deleting_the_identifier_ends_logins_under_it(emulator: httpx.AsyncClient) -> None:
    value = unique()
    signed = await passkey_login(emulator, value)
    claims = jwt.get_unverified_claims(signed)
    listed = await emulator.get(
        "/identifiers", params={"filter[]": f"userID:eq:{claims['sub']}"}, auth=AUTH
    )
    [identifier] = listed.json()["identifiers"]

    response = await emulator.delete(
        f"/users/{claims['sub']}/identifiers/{identifier['identifierID']}", auth=AUTH
    )

    assert_generic(response, 200)
    assert await verify(emulator, signed, value) == "user_mismatch"


async def test_the_stand_in_credential_is_listed_like_a_passkey(
    emulator: httpx.AsyncClient,
) -> None:
    claims = jwt.get_unverified_claims(await passkey_login(emulator, unique()))

    body = await credentials(emulator, claims["sub"])

    [credential] = body["credentials"]
    assert body["paging"] == {"page": 1, "totalPages": 1, "totalItems": 1}
    assert credential.keys() == CREDENTIAL
    assert credential["id"] == claims["credential"]
    assert credential["status"] == "active"
    assert credential["created"] == "2025-07-22T18:26:13"
    assert credential["createdMs"] == NOW * 1000
    assert credential["aaguidDetails"].keys() == {"aaguid", "name", "iconLight", "iconDark"}
    assert "passkeyLogin" in credential["aaguidDetails"]["name"]


async def test_deleting_the_credential_ends_logins_with_it_until_a_new_one(
    emulator: httpx.AsyncClient,
) -> None:
    value = unique()
    signed = await passkey_login(emulator, value)
    claims = jwt.get_unverified_claims(signed)

    response = await emulator.delete(
        f"/users/{claims['sub']}/credentials/{claims['credential']}", auth=AUTH
    )
    again = jwt.get_unverified_claims(await passkey_login(emulator, value))

    assert_generic(response, 200)
    assert await verify(emulator, signed, value) == "user_mismatch"
    assert again["credential"] != claims["credential"]
    assert again["sub"] == claims["sub"]


async def test_credential_operations_of_the_wrong_user_are_not_found(
    emulator: httpx.AsyncClient,
) -> None:
    janes = jwt.get_unverified_claims(await passkey_login(emulator, unique()))
    johns = jwt.get_unverified_claims(await passkey_login(emulator, unique()))

    responses = [
        await emulator.get("/users/usr-1/credentials", auth=AUTH),
        await emulator.delete(
            f"/users/{johns['sub']}/credentials/{janes['credential']}", auth=AUTH
        ),
        await emulator.delete(f"/users/{janes['sub']}/credentials/cre-1", auth=AUTH),
    ]

    for response in responses:
        assert_envelope(response, 404, "not_found")
    assert len((await credentials(emulator, janes["sub"]))["credentials"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "created:asc"}, "sort"),
        ({"filter[]": "status:eq:active"}, "filter[]"),
        ({"page": "0"}, "page"),
        ({"pageSize": "101"}, "pageSize"),
        ({"limit": "1"}, "limit"),
    ],
)
async def test_credential_list_takes_only_paging(
    emulator: httpx.AsyncClient, query: dict[str, str], field: str
) -> None:
    claims = jwt.get_unverified_claims(await passkey_login(emulator, unique()))

    response = await emulator.get(f"/users/{claims['sub']}/credentials", params=query, auth=AUTH)

    assert validation_fields(response) == {field}


async def test_user_delete_removes_identifiers_and_passkeys(emulator: httpx.AsyncClient) -> None:
    user = await new_user(emulator)
    value = unique()
    await new_identifier(emulator, user["userID"], value)
    signed = await passkey_login(emulator, value)

    response = await emulator.delete(f"/users/{user['userID']}", auth=AUTH)

    assert_generic(response, 200)
    assert_envelope(await emulator.get(f"/users/{user['userID']}", auth=AUTH), 404, "not_found")
    assert_envelope(
        await emulator.get(f"/users/{user['userID']}/credentials", auth=AUTH), 404, "not_found"
    )
    assert await verify(emulator, signed, value) == "user_mismatch"
