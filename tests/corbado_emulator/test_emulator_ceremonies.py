"""The emulator as a passkey relying party: registration and login ceremonies end to end, with
a software authenticator, and every way an answer or a connect token must be refused."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jose import jwt
from litestar import Litestar
from litestar.testing import TestClient

from corbado_emulator import create_emulator_app
from corbado_emulator.challenges import CHALLENGE_LIFETIME_S
from tests.corbado_emulator.emulator_support import (
    API_SECRET,
    AUTH,
    PROJECT_ID,
    Clock,
    assert_envelope,
    validation_fields,
)
from tests.support.authenticator import SoftAuthenticator, b64url
from tests.support.ceremonies import Frontend

BASE = "http://emulator.test"


@pytest.fixture
def client(app: Litestar, clock: Clock) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=app, base_url=BASE) as test_client:
        yield test_client


@pytest.fixture
def frontend(client: TestClient[Litestar]) -> Frontend:
    return Frontend(client)


def unique() -> str:
    return f"jane-{uuid.uuid4().hex}@doe.com"


def token(client: httpx.Client, identifier: str, kind: str = "passkey-append", **extra: Any) -> str:
    data = {"identifier": identifier, "displayName": "Jane Doe"}
    response = client.post(
        "/v2/connectTokens", json={"type": kind, "data": data, **extra}, auth=AUTH
    )
    assert response.status_code == 200, response.text
    secret: str = response.json()["secret"]
    return secret


def registered(frontend: Frontend, identifier: str) -> SoftAuthenticator:
    """An authenticator holding one passkey registered for `identifier`."""
    authenticator = SoftAuthenticator()
    response = frontend.append(authenticator, token(frontend.http, identifier))
    assert response.status_code == 200, response.text
    return authenticator


def user_of(client: httpx.Client, identifier: str) -> str:
    response = client.get(
        "/v2/identifiers", params={"filter[]": f"identifierValue:eq:{identifier}"}, auth=AUTH
    )
    [found] = response.json()["identifiers"]
    user_id: str = found["userID"]
    return user_id


def passkeys(client: httpx.Client, identifier: str) -> list[dict[str, Any]]:
    response = client.get(f"/v2/users/{user_of(client, identifier)}/credentials", auth=AUTH)
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()["credentials"]
    return listed


def verify(client: httpx.Client, signed: str, username: str) -> str:
    response = client.post(
        "/v2/passkey/verifySignedData",
        json={"signedPasskeyData": signed, "username": username},
        auth=AUTH,
    )
    assert response.status_code == 200, response.text
    result: str = response.json()["verificationResult"]
    return result


def refused(response: httpx.Response, because: str) -> None:
    error = assert_envelope(response, 400, "passkey_refused")
    assert error == {"type": "passkey_refused"}
    assert because in response.json()["message"], response.json()["message"]


# The journeys ----------------------------------------------------------------------------------


def test_a_registration_then_a_login_by_identifier(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    authenticator = SoftAuthenticator()

    appended = frontend.append(authenticator, token(client, identifier))
    login = frontend.login(authenticator, identifier)

    assert appended.status_code == 200, appended.text
    [passkey] = passkeys(client, identifier)
    authenticator_model = {
        "name": f"Authenticator {passkey['authenticatorAAGUID']}",
        "iconLight": "",
        "iconDark": "",
    }
    assert appended.json() == {
        "passkeyOperation": {
            "operationType": "append",
            "identifierValue": identifier,
            "identifierType": "email",
            "ceremonyType": "local",
            "aaguidDetails": authenticator_model,
        }
    }
    assert login.status_code == 200, login.text
    body = login.json()
    assert body["passkeyOperation"] == {
        **appended.json()["passkeyOperation"],
        "operationType": "verify",
    }
    assert body["signedPasskeyData"] == body["session"]
    assert body["fallbackOperationError"] == {"initFallback": False}
    claims = jwt.get_unverified_claims(body["session"])
    assert claims["credential"] == passkey["id"]
    assert claims["webauthnId"] == identifier
    assert claims["sub"] == user_of(client, identifier)
    assert verify(client, body["session"], identifier) == "success"


def test_a_discoverable_login_finds_the_user_by_its_passkey(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)

    options = frontend.login_options(None)
    login = frontend.finish_login(authenticator.get(options))

    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"
    assert login.status_code == 200, login.text
    claims = jwt.get_unverified_claims(login.json()["session"])
    assert claims["webauthnId"] == identifier
    assert claims["sub"] == user_of(client, identifier)
    assert verify(client, login.json()["session"], identifier) == "success"


def test_registration_options_ask_for_a_discoverable_verified_passkey_for_localhost(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    first = registered(frontend, identifier)

    options = frontend.append_options(token(client, identifier))

    assert options["rp"] == {"id": "localhost", "name": "Corbado emulator"}
    assert options["user"]["name"] == identifier
    assert options["user"]["displayName"] == "Jane Doe"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    [excluded] = options["excludeCredentials"]
    assert excluded["id"] == b64url(next(iter(first.credentials)))


def test_a_second_passkey_is_listed_and_both_log_in(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    laptop = registered(frontend, identifier)
    phone = SoftAuthenticator()
    assert frontend.append(phone, token(client, identifier)).status_code == 200

    listed = passkeys(client, identifier)

    assert len(listed) == 2
    for authenticator in (laptop, phone):
        assert frontend.login(authenticator, identifier).status_code == 200


def test_passkeys_survive_a_restart_with_a_state_file(tmp_path: Path, clock: Clock) -> None:
    state = tmp_path / "emulator.json"
    identifier = unique()
    first = create_emulator_app(PROJECT_ID, API_SECRET, clock, state_path=state)
    with TestClient(app=first, base_url=BASE) as client:
        authenticator = registered(Frontend(client), identifier)
        assert Frontend(client).login(authenticator, identifier).status_code == 200

    again = create_emulator_app(PROJECT_ID, API_SECRET, clock, state_path=state)
    with TestClient(app=again, base_url=BASE) as client:
        login = Frontend(client).login(authenticator, identifier)
        replayed_counter = Frontend(client).login(authenticator, identifier, counter=1)

    assert login.status_code == 200, login.text
    refused(replayed_counter, "sign count")


def test_a_state_file_that_is_not_the_emulators_is_named(tmp_path: Path) -> None:
    state = tmp_path / "emulator.json"
    state.write_text('{"version": 99, "users": [], "identifiers": [], "credentials": []}')

    with pytest.raises(ValueError, match="delete it to start over"):
        create_emulator_app(PROJECT_ID, API_SECRET, state_path=state)


# Refusals: the answer --------------------------------------------------------------------------


def test_registration_without_user_verification_is_refused(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()

    response = frontend.append(SoftAuthenticator(), token(client, identifier), user_verified=False)

    refused(response, "User verification is required")
    assert passkeys(client, identifier) == []


def test_login_without_user_verification_is_refused(frontend: Frontend) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)

    refused(frontend.login(authenticator, identifier, user_verified=False), "User verification")


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:8000",
        "https://evil.example",
        "http://localhost.evil.example:8000",
        "http://localhost:8000/",
        "http://user@localhost:8000",
        "ftp://localhost",
    ],
)
def test_a_wrong_origin_is_refused(
    client: TestClient[Litestar], frontend: Frontend, origin: str
) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)

    at_login = frontend.login(authenticator, identifier, origin=origin)
    at_registration = frontend.append(SoftAuthenticator(), token(client, identifier), origin=origin)

    refused(at_login, "origin")
    refused(at_registration, "origin")


@pytest.mark.parametrize("origin", ["http://localhost", "https://localhost:5173"])
def test_any_localhost_origin_is_accepted_by_default(frontend: Frontend, origin: str) -> None:
    identifier = unique()
    authenticator = SoftAuthenticator(origin=origin)
    assert frontend.append(authenticator, token(frontend.http, identifier)).status_code == 200

    assert frontend.login(authenticator, identifier).status_code == 200


def test_pinned_origins_refuse_every_other(clock: Clock) -> None:
    app = create_emulator_app(PROJECT_ID, API_SECRET, clock, origins=["http://localhost:9000"])
    with TestClient(app=app, base_url=BASE) as client:
        frontend = Frontend(client)
        pinned = SoftAuthenticator(origin="http://localhost:9000")
        other = SoftAuthenticator(origin="http://localhost:8000")

        assert frontend.append(pinned, token(client, "jane@doe.com")).status_code == 200
        refused(frontend.append(other, token(client, "jane@doe.com")), "origin")


def test_a_wrong_rp_id_is_refused(client: TestClient[Litestar], frontend: Frontend) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)

    at_login = frontend.login(authenticator, identifier, rp_id="example.com")
    at_registration = frontend.append(
        SoftAuthenticator(), token(client, identifier), rp_id="example.com"
    )

    refused(at_login, "RP ID")
    refused(at_registration, "RP ID")


def test_a_forged_signature_is_refused(frontend: Frontend) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)

    refused(frontend.login(authenticator, identifier, forged=True), "signature")


def test_a_replayed_login_answer_finds_its_challenge_used(frontend: Frontend) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)
    answer = authenticator.get(frontend.login_options(identifier))

    assert frontend.finish_login(answer).status_code == 200
    refused(frontend.finish_login(answer), "challenge")


def test_a_replayed_registration_answer_finds_its_challenge_used(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    answer = SoftAuthenticator().create(frontend.append_options(token(client, identifier)))

    assert frontend.finish_append(answer).status_code == 200
    refused(frontend.finish_append(answer), "challenge")
    assert len(passkeys(client, identifier)) == 1


def test_a_refused_answer_uses_its_challenge_up(frontend: Frontend) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)
    options = frontend.login_options(identifier)

    refused(frontend.finish_login(authenticator.get(options, forged=True)), "signature")
    refused(frontend.finish_login(authenticator.get(options)), "challenge")


def test_a_challenge_of_one_ceremony_cannot_finish_the_other(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)
    login_challenge = frontend.login_options(identifier)
    append_options = frontend.append_options(token(client, identifier))

    as_registration = frontend.finish_append(
        SoftAuthenticator().create({**append_options, "challenge": login_challenge["challenge"]})
    )
    as_login = frontend.finish_login(
        authenticator.get({**login_challenge, "challenge": append_options["challenge"]})
    )

    refused(as_registration, "challenge")
    refused(as_login, "challenge")


def test_an_expired_challenge_is_refused(frontend: Frontend, clock: Clock) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)
    options = frontend.login_options(identifier)
    clock.now += CHALLENGE_LIFETIME_S

    refused(frontend.finish_login(authenticator.get(options)), "expired")


def test_a_counter_that_goes_backwards_is_refused(frontend: Frontend) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)
    assert frontend.login(authenticator, identifier, counter=5).status_code == 200

    refused(frontend.login(authenticator, identifier, counter=5), "sign count")
    refused(frontend.login(authenticator, identifier, counter=4), "sign count")
    assert frontend.login(authenticator, identifier, counter=6).status_code == 200


def test_an_authenticator_without_a_counter_logs_in_again_and_again(frontend: Frontend) -> None:
    identifier = unique()
    authenticator = SoftAuthenticator(counts=False)
    assert frontend.append(authenticator, token(frontend.http, identifier)).status_code == 200

    for _ in range(3):
        assert frontend.login(authenticator, identifier).status_code == 200


def test_another_users_passkey_cannot_log_in_as_this_identifier(frontend: Frontend) -> None:
    jane, john = unique(), unique()
    registered(frontend, jane)
    johns = registered(frontend, john)
    janes_options = frontend.login_options(jane)
    johns_passkey = next(iter(johns.credentials.values()))

    response = frontend.finish_login(johns.get(janes_options, credential=johns_passkey))

    refused(response, "not one of the identifier's")


def test_a_user_handle_of_another_user_is_refused(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    jane, john = unique(), unique()
    authenticator = registered(frontend, jane)
    registered(frontend, john)
    passkey = next(iter(authenticator.credentials.values()))
    passkey.user_handle = user_of(client, john).encode()

    response = frontend.login(authenticator)

    refused(response, "user handle")


def test_a_passkey_the_emulator_never_registered_is_not_found(frontend: Frontend) -> None:
    identifier = unique()
    registered(frontend, identifier)
    stranger = SoftAuthenticator()
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": "eA"}, "challenge": "eA"})

    response = frontend.finish_login(stranger.get(frontend.login_options(None)))

    assert_envelope(response, 404, "not_found")


@pytest.mark.parametrize(
    "answer",
    ["", "not json", "[]", "{}", '{"id": "x", "rawId": "x", "response": {}, "type": "public-key"}'],
)
@pytest.mark.parametrize(
    ("operation", "member"),
    [("append/finish", "attestationResponse"), ("login/finish", "assertionResponse")],
)
def test_garbage_answers_are_refused_not_failed(
    frontend: Frontend, operation: str, member: str, answer: str
) -> None:
    response = frontend.post(operation, {member: answer, "isConditionalUI": False})

    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] in ("validation_error", "passkey_refused")


_TEXT = st.text(max_size=40) | st.sampled_from(["", "AAAA", "eA", "-_", "=="])
_RESPONSE = st.fixed_dictionaries(
    {},
    optional={
        "clientDataJSON": _TEXT,
        "authenticatorData": _TEXT,
        "attestationObject": _TEXT,
        "signature": _TEXT,
        "userHandle": _TEXT | st.integers(),
        "transports": st.lists(_TEXT, max_size=2),
    },
)
_CREDENTIAL = st.fixed_dictionaries(
    {"id": _TEXT, "rawId": _TEXT, "type": st.just("public-key") | _TEXT, "response": _RESPONSE}
)


def test_no_credential_answer_makes_the_ceremonies_fail(app: Litestar) -> None:
    with TestClient(app=app, base_url=BASE) as client:
        frontend = Frontend(client)

        @given(answer=_CREDENTIAL, operation=st.sampled_from(["append", "login"]))
        @settings(max_examples=120, deadline=None)
        def check(answer: dict[str, Any], operation: str) -> None:
            member = "attestationResponse" if operation == "append" else "assertionResponse"
            response = frontend.post(f"{operation}/finish", {member: json.dumps(answer)})
            assert response.status_code in (400, 404), response.text

        check()


def test_no_garbled_part_of_a_real_answer_makes_the_ceremonies_fail(app: Litestar) -> None:
    with TestClient(app=app, base_url=BASE) as client:
        frontend = Frontend(client)
        authenticator = registered(frontend, unique())

        @given(
            operation=st.sampled_from(["append", "login"]),
            part=st.sampled_from(["clientDataJSON", "signed", "signature"]),
            garbage=st.binary(max_size=300),
        )
        @settings(max_examples=120, deadline=None)
        def check(operation: str, part: str, garbage: bytes) -> None:
            if operation == "append":
                options = frontend.append_options(token(client, unique()))
                answer = SoftAuthenticator().create(options)
                part = {"signed": "attestationObject", "signature": "attestationObject"}.get(
                    part, part
                )
            else:
                answer = authenticator.get(frontend.login_options(None))
                part = {"signed": "authenticatorData"}.get(part, part)
            answer["response"][part] = b64url(garbage)
            member = "attestationResponse" if operation == "append" else "assertionResponse"
            response = frontend.post(f"{operation}/finish", {member: json.dumps(answer)})
            assert response.status_code in (400, 404), response.text

        check()


def test_a_credential_garbled_inside_is_refused(frontend: Frontend) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)
    answer = authenticator.get(frontend.login_options(identifier))
    answer["response"]["authenticatorData"] = "AAAA"

    assert frontend.finish_login(answer).status_code == 400


# Deleted passkeys ------------------------------------------------------------------------------


def test_a_passkey_deleted_with_a_delete_token_no_longer_logs_in(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)
    options = frontend.login_options(identifier)
    [passkey] = passkeys(client, identifier)

    deleted = frontend.post(
        "manage/delete",
        {
            "connectToken": token(client, identifier, "passkey-delete"),
            "credentialID": passkey["id"],
        },
    )

    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"credentialID": passkey["id"]}
    assert_envelope(frontend.finish_login(authenticator.get(options)), 404, "not_found")
    assert_fallback(frontend, identifier, "no_passkey_available")


def test_data_minted_before_a_credential_delete_no_longer_verifies(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)
    signed = frontend.login(authenticator, identifier).json()["session"]
    [passkey] = passkeys(client, identifier)

    response = client.delete(
        f"/v2/users/{user_of(client, identifier)}/credentials/{passkey['id']}", auth=AUTH
    )

    assert response.status_code == 200
    assert verify(client, signed, identifier) == "user_mismatch"
    assert_fallback(frontend, identifier, "no_passkey_available")


def test_a_login_for_an_unknown_identifier_falls_back(frontend: Frontend) -> None:
    assert_fallback(frontend, unique(), "user_not_found")


def test_a_login_for_a_user_with_only_a_stand_in_passkey_falls_back(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    stand_in = client.post("/v2/_emulator/passkeyLogin", json={"identifier": identifier})
    assert stand_in.status_code == 200

    assert_fallback(frontend, identifier, "no_passkey_available")


def assert_fallback(frontend: Frontend, identifier: str, code: str) -> None:
    """login/start answers 200 with no options and the reason to fall back (web-core's
    `fallbackOperationError`), as Corbado does when no passkey login is possible."""
    response = frontend.post("login/start", {"identifier": identifier, "source": "text-field"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "assertionOptions": "",
        "isCDA": False,
        "fallbackOperationError": {
            "initFallback": True,
            "identifier": identifier,
            "error": {"code": code, "message": body["fallbackOperationError"]["error"]["message"]},
        },
        "preferImmediatelyAvailable": False,
    }
    assert body["fallbackOperationError"]["error"]["message"]


# Connect tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["passkey-list", "passkey-delete", "passkey-login"])
def test_only_an_append_token_appends(client: TestClient[Litestar], kind: str) -> None:
    response = Frontend(client).post(
        "append/start", {"appendTokenValue": token(client, unique(), kind)}
    )

    assert_envelope(response, 403, "invalid_connect_token")


@pytest.mark.parametrize("kind", ["passkey-append", "passkey-delete", "passkey-login"])
def test_only_a_list_token_lists(client: TestClient[Litestar], kind: str) -> None:
    response = Frontend(client).post("manage/list", {"connectToken": token(client, unique(), kind)})

    assert_envelope(response, 403, "invalid_connect_token")


@pytest.mark.parametrize("kind", ["passkey-append", "passkey-list", "passkey-login"])
def test_only_a_delete_token_deletes(
    client: TestClient[Litestar], frontend: Frontend, kind: str
) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)
    [passkey] = passkeys(client, identifier)

    response = frontend.post(
        "manage/delete",
        {"connectToken": token(client, identifier, kind), "credentialID": passkey["id"]},
    )

    assert_envelope(response, 403, "invalid_connect_token")
    assert frontend.login(authenticator, identifier).status_code == 200


def test_a_list_token_lists_the_identifiers_passkeys(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    registered(frontend, identifier)
    registered(frontend, unique())

    response = frontend.post(
        "manage/list", {"connectToken": token(client, identifier, "passkey-list")}
    )

    assert response.status_code == 200, response.text
    [listed] = response.json()["passkeys"]
    [passkey] = passkeys(client, identifier)
    assert listed["id"] == passkey["id"]
    assert listed["credentialID"] == passkey["credentialID"]
    assert listed["status"] == "active"


def test_a_delete_token_deletes_only_its_identifiers_passkeys(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    jane, john = unique(), unique()
    registered(frontend, jane)
    johns = registered(frontend, john)
    [johns_passkey] = passkeys(client, john)

    response = frontend.post(
        "manage/delete",
        {
            "connectToken": token(client, jane, "passkey-delete"),
            "credentialID": johns_passkey["id"],
        },
    )

    assert_envelope(response, 404, "not_found")
    assert frontend.login(johns, john).status_code == 200


@pytest.mark.parametrize("kind", ["passkey-append", "passkey-list"])
def test_a_connect_token_is_single_use(client: TestClient[Litestar], kind: str) -> None:
    secret = token(client, unique(), kind)
    operation, member = (
        ("append/start", "appendTokenValue")
        if kind == "passkey-append"
        else ("manage/list", "connectToken")
    )

    first = Frontend(client).post(operation, {member: secret})
    again = Frontend(client).post(operation, {member: secret})

    assert first.status_code == 200, first.text
    assert_envelope(again, 403, "invalid_connect_token")


def test_an_expired_or_deleted_token_is_refused(client: TestClient[Litestar], clock: Clock) -> None:
    expired = token(client, unique(), "passkey-list", maxLifetimeInSeconds=60)
    clock.now += 60
    deleted = client.post(
        "/v2/connectTokens",
        json={"type": "passkey-list", "data": {"identifier": unique()}},
        auth=AUTH,
    ).json()
    assert client.delete(f"/v2/connectTokens/{deleted['id']}", auth=AUTH).status_code == 200

    for secret in (expired, deleted["secret"], "ctk1_never-issued"):
        response = Frontend(client).post("manage/list", {"connectToken": secret})
        assert_envelope(response, 403, "invalid_connect_token")


def test_a_login_token_must_be_for_the_identifier(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    jane = unique()
    registered(frontend, jane)
    for_jane = token(client, jane, "passkey-login")
    for_john = token(client, unique(), "passkey-login")

    wrong = frontend.post("login/start", {"identifier": jane, "loginConnectToken": for_john})
    right = frontend.post("login/start", {"identifier": jane, "loginConnectToken": for_jane})

    assert_envelope(wrong, 403, "invalid_connect_token")
    assert right.status_code == 200, right.text


def test_a_consumed_token_can_still_be_deleted(client: TestClient[Litestar]) -> None:
    created = client.post(
        "/v2/connectTokens",
        json={"type": "passkey-list", "data": {"identifier": unique()}},
        auth=AUTH,
    ).json()
    Frontend(client).post("manage/list", {"connectToken": created["secret"]})

    assert client.delete(f"/v2/connectTokens/{created['id']}", auth=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("operation", "body", "fields"),
    [
        ("append/start", {}, {"appendTokenValue"}),
        ("append/start", {"appendTokenValue": 1}, {"appendTokenValue"}),
        ("login/start", {}, {"identifier"}),
        ("login/start", {"identifier": "j", "loginConnectToken": 7}, {"loginConnectToken"}),
        ("manage/list", {}, {"connectToken"}),
        ("manage/delete", {"connectToken": "x"}, {"credentialID"}),
        ("login/finish", {}, {"assertionResponse"}),
        ("append/finish", {"attestationResponse": None}, {"attestationResponse"}),
    ],
)
def test_ceremony_bodies_are_validated(
    client: TestClient[Litestar], operation: str, body: dict[str, object], fields: set[str]
) -> None:
    assert validation_fields(Frontend(client).post(operation, body)) == fields


def test_the_ceremonies_need_no_project_credentials_and_ignore_them(
    client: TestClient[Litestar],
) -> None:
    for headers in ({}, {"Authorization": "Basic d3Jvbmc6d3Jvbmc="}):
        response = client.post(
            "/frontendapi/v2/connect/manage/init", json={"flags": {}}, headers=headers
        )
        assert response.status_code == 200
        assert response.json()["manageAllowed"] is True
