"""Talking to the Corbado emulator in tests: its credentials, a settable clock, envelope checks."""

import re

import httpx

PROJECT_ID = "pro-7815296293940881620"
API_SECRET = "corbado1_emulatorSecret"
AUTH = (PROJECT_ID, API_SECRET)
NOW = 1_753_208_773
# The spec's required members (genericRsp, requestData, errorRsp.error of its common.yml).
GENERIC_RSP = {"httpStatusCode", "message", "requestData", "runtime"}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> int:
        return self.now


def assert_generic(response: httpx.Response, status: int) -> dict[str, object]:
    """The body is a full `genericRsp` for `status`; returns it."""
    assert response.status_code == status
    body: dict[str, object] = response.json()
    assert body.keys() >= GENERIC_RSP
    assert body["httpStatusCode"] == status
    assert isinstance(body["message"], str)
    assert body["message"]
    request_data = body["requestData"]
    assert isinstance(request_data, dict)
    assert re.fullmatch(r"req-\d+", request_data["requestID"])
    assert isinstance(body["runtime"], float)
    return body


def assert_envelope(response: httpx.Response, status: int, error_type: str) -> dict[str, object]:
    """The body is a full `errorRsp` of `error_type`; returns its `error`."""
    body = assert_generic(response, status)
    assert body.keys() == GENERIC_RSP | {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert error["type"] == error_type
    return error


def validation_fields(response: httpx.Response) -> set[str]:
    error = assert_envelope(response, 400, "validation_error")
    problems = error["validation"]
    assert isinstance(problems, list)
    assert all(isinstance(p["field"], str) and p["message"] for p in problems)
    return {p["field"] for p in problems}


async def passkey_login(emulator: httpx.AsyncClient, identifier: str) -> str:
    response = await emulator.post("/_emulator/passkeyLogin", json={"identifier": identifier})
    assert response.status_code == 200
    signed: str = response.json()["signedPasskeyData"]
    return signed


async def verify(emulator: httpx.AsyncClient, signed: str, username: str) -> str:
    response = await emulator.post(
        "/passkey/verifySignedData",
        json={"signedPasskeyData": signed, "username": username},
        auth=AUTH,
    )
    assert response.status_code == 200
    result: str = response.json()["verificationResult"]
    return result
