"""HttpxCorbadoConnect against a scripted Corbado (`httpx.MockTransport`): requests and faults."""

import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import httpx
import pytest

from adapters.corbado.client import USER_AGENT, HttpxCorbadoConnect, build_corbado_client
from domain.errors import CorbadoRejected, CorbadoTimeout, CorbadoUnavailable
from domain.model import ConnectTokenType, IssuedConnectToken, VerificationResult

PROJECT_ID = "pro-7815296293940881620"
API_SECRET = "corbado1_s3cr3tValueNeverLogged"
BASIC_AUTH = "Basic " + base64.b64encode(f"{PROJECT_ID}:{API_SECRET}".encode()).decode()
TOKEN_SECRET = "ctk1_sxmexzS7RFBaJSA4V4kBFPs45bkxMK"
# The spec's connectToken answer, trimmed to what we read (id, secret, expires).
TOKEN = {"id": "ctk-940364795071150919", "secret": TOKEN_SECRET, "expires": 1752749184}
SIGNED_DATA = "eyJhbGciOiJSUzI1NiJ9.eyJ3ZWJhdXRobklkIjoiamFuZSJ9.c2ln"
BODY_MARKER = "UPSTREAM-BODY-MARKER"

Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]
Connect = Callable[..., tuple[HttpxCorbadoConnect, list[httpx.Request]]]


def answer(status: int, body: object = None, *, raw: bytes | None = None) -> Handler:
    async def handler(_: httpx.Request) -> httpx.Response:
        if raw is not None:
            return httpx.Response(status, content=raw)
        return httpx.Response(status, json=body)

    return handler


def raise_(error: Exception) -> Handler:
    async def handler(_: httpx.Request) -> httpx.Response:
        raise error

    return handler


async def hang(_: httpx.Request) -> httpx.Response:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


def error_rsp(status: int, error_type: str, request_id: str = "req-123456789") -> dict[str, object]:
    return {
        "httpStatusCode": status,
        "message": BODY_MARKER,
        "requestData": {"requestID": request_id, "link": "https://corbado.test"},
        "runtime": 0.01,
        "error": {"type": error_type, "details": BODY_MARKER},
    }


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Builds an adapter on a MockTransport running `handler`; returns it and the requests."""
    async with AsyncExitStack() as stack:

        def build(
            handler: Handler, timeout_s: float = 5.0
        ) -> tuple[HttpxCorbadoConnect, list[httpx.Request]]:
            seen: list[httpx.Request] = []

            async def record(request: httpx.Request) -> httpx.Response:
                seen.append(request)
                return await handler(request)

            client = build_corbado_client(
                "https://backendapi.test/",
                PROJECT_ID,
                API_SECRET,
                timeout_s,
                transport=httpx.MockTransport(record),
            )
            stack.push_async_callback(client.aclose)
            return HttpxCorbadoConnect(client, timeout_s), seen

        yield build


async def create(corbado: HttpxCorbadoConnect) -> str:
    issued = await corbado.create_connect_token(
        ConnectTokenType.PASSKEY_APPEND, "jane@doe.com", "Jane Doe"
    )
    return issued.secret


async def verify(corbado: HttpxCorbadoConnect) -> VerificationResult:
    return await corbado.verify_signed_passkey_data(SIGNED_DATA, "jane@doe.com")


# Requests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("token_type", list(ConnectTokenType))
async def test_create_connect_token_posts_the_spec_request(
    connect: Connect, token_type: ConnectTokenType
) -> None:
    corbado, seen = connect(answer(200, TOKEN))

    issued = await corbado.create_connect_token(token_type, "jane@doe.com", "Jane Doe")

    assert issued == IssuedConnectToken("ctk-940364795071150919", TOKEN_SECRET, 1752749184)
    [request] = seen
    assert request.method == "POST"
    assert request.url == "https://backendapi.test/v2/connectTokens"
    assert request.headers["Authorization"] == BASIC_AUTH
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == USER_AGENT
    assert json.loads(request.content) == {
        "type": token_type.value,
        "data": {"identifier": "jane@doe.com", "displayName": "Jane Doe"},
    }


@pytest.mark.parametrize("result", list(VerificationResult))
async def test_verify_posts_the_spec_request_and_returns_the_verdict(
    connect: Connect, result: VerificationResult
) -> None:
    corbado, seen = connect(answer(200, {"verificationResult": result.value}))

    assert await verify(corbado) is result
    [request] = seen
    assert request.method == "POST"
    assert request.url == "https://backendapi.test/v2/passkey/verifySignedData"
    assert request.headers["Authorization"] == BASIC_AUTH
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "signedPasskeyData": SIGNED_DATA,
        "username": "jane@doe.com",
    }


async def test_text_that_utf8_cannot_encode_is_sent_escaped(connect: Connect) -> None:
    corbado, seen = connect(answer(200, {"verificationResult": "invalid_signature"}))

    result = await corbado.verify_signed_passkey_data("\ud800", "jane\udfff")

    assert result is VerificationResult.INVALID_SIGNATURE
    [request] = seen
    assert json.loads(request.content) == {"signedPasskeyData": "\ud800", "username": "jane\udfff"}


async def test_unknown_fields_in_answers_are_ignored(connect: Connect) -> None:
    corbado, _ = connect(
        answer(200, {"verificationResult": "success", "userID": "usr-1", "username": "jane"})
    )

    assert await verify(corbado) is VerificationResult.SUCCESS


async def test_any_2xx_with_a_secret_is_accepted(connect: Connect) -> None:
    corbado, _ = connect(answer(201, {"id": "ctk-1", "secret": TOKEN_SECRET, "expires": 1}))

    assert await create(corbado) == TOKEN_SECRET


def test_client_factory_builds_the_v2_base_url_and_timeouts() -> None:
    client = build_corbado_client("https://backendapi.test/", PROJECT_ID, API_SECRET, 5.0)

    assert client.base_url == "https://backendapi.test/v2/"
    assert client.timeout == httpx.Timeout(5.0, connect=3.0)
    assert client.headers["User-Agent"] == USER_AGENT


def test_client_factory_never_waits_longer_to_connect_than_in_total() -> None:
    client = build_corbado_client("https://backendapi.test", PROJECT_ID, API_SECRET, 1.5)

    assert client.base_url == "https://backendapi.test/v2/"
    assert client.timeout == httpx.Timeout(1.5, connect=1.5)


# Faults --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_server_error_is_unavailable_and_verify_is_sent_once(
    connect: Connect, status: int
) -> None:
    corbado, seen = connect(answer(status, error_rsp(status, "internal_error")))

    with pytest.raises(CorbadoUnavailable) as raised:
        await verify(corbado)

    assert raised.value.retry_later is False
    assert len(seen) == 1


async def test_a_server_error_on_connect_tokens_is_unavailable(connect: Connect) -> None:
    corbado, _ = connect(answer(500, raw=b"<html>oops</html>"))

    with pytest.raises(CorbadoUnavailable):
        await create(corbado)


async def test_rate_limiting_asks_to_retry_later(connect: Connect) -> None:
    corbado, _ = connect(answer(429, error_rsp(429, "rate_limited")))

    with pytest.raises(CorbadoUnavailable) as raised:
        await create(corbado)

    assert raised.value.retry_later is True


async def test_a_hanging_verify_times_out_after_one_request(connect: Connect) -> None:
    corbado, seen = connect(hang, timeout_s=0.05)

    with pytest.raises(CorbadoTimeout):
        await verify(corbado)

    assert len(seen) == 1


async def test_a_hanging_connect_token_call_times_out(connect: Connect) -> None:
    corbado, _ = connect(hang, timeout_s=0.05)

    with pytest.raises(CorbadoTimeout):
        await create(corbado)


async def test_an_httpx_timeout_is_a_timeout(connect: Connect) -> None:
    corbado, seen = connect(raise_(httpx.ReadTimeout("read timed out")))

    with pytest.raises(CorbadoTimeout):
        await verify(corbado)

    assert len(seen) == 1


async def test_a_refused_connection_asks_to_retry_later(connect: Connect) -> None:
    corbado, seen = connect(raise_(httpx.ConnectError("connection refused")))

    with pytest.raises(CorbadoUnavailable) as raised:
        await verify(corbado)

    assert raised.value.retry_later is True
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert len(seen) == 2


def refused_once(then: Handler) -> Handler:
    refusals: list[None] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if not refusals:
            refusals.append(None)
            raise httpx.ConnectError("connection refused")
        return await then(request)

    return handler


async def test_a_connect_token_call_whose_connection_failed_is_sent_once_more(
    connect: Connect,
) -> None:
    corbado, seen = connect(refused_once(answer(200, TOKEN)))

    assert await create(corbado) == TOKEN_SECRET

    assert len(seen) == 2
    assert seen[0].content == seen[1].content


async def test_a_verify_whose_connection_failed_is_sent_once_more(connect: Connect) -> None:
    corbado, seen = connect(refused_once(answer(200, {"verificationResult": "success"})))

    assert await verify(corbado) is VerificationResult.SUCCESS

    assert len(seen) == 2


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadError("connection reset by peer"),
        httpx.WriteError("broken pipe"),
        httpx.RemoteProtocolError("server disconnected"),
    ],
    ids=["read", "write", "protocol"],
)
async def test_a_verify_that_reached_corbado_is_never_sent_again(
    connect: Connect, error: httpx.TransportError
) -> None:
    corbado, seen = connect(raise_(error))

    with pytest.raises(CorbadoUnavailable) as raised:
        await verify(corbado)

    # Unavailable, but not "retry later": Corbado may have used the single-use data.
    assert raised.value.retry_later is False
    assert raised.value.__cause__ is error
    assert len(seen) == 1


async def test_a_redirect_is_not_followed(connect: Connect) -> None:
    async def redirect(_: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "https://elsewhere.test/"})

    corbado, seen = connect(redirect)

    with pytest.raises(CorbadoUnavailable):
        await verify(corbado)

    assert len(seen) == 1


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b'{"secret": ', b"\xff\xfe", b"[" * 5000, b'["ctk1_x"]', b"null"],
    ids=["empty", "text", "truncated", "bad-utf8", "deep", "array", "null"],
)
async def test_an_unusable_success_body_is_unavailable(connect: Connect, raw: bytes) -> None:
    corbado, _ = connect(answer(200, raw=raw))

    with pytest.raises(CorbadoUnavailable):
        await create(corbado)
    with pytest.raises(CorbadoUnavailable):
        await verify(corbado)


@pytest.mark.parametrize(
    "body",
    [
        {"id": "ctk-1", "expires": 1},
        {**TOKEN, "secret": ""},
        {**TOKEN, "secret": None},
        {**TOKEN, "secret": 42},
        {"secret": TOKEN_SECRET, "expires": 1},
        {**TOKEN, "id": ""},
        {**TOKEN, "id": "c" * 129},
        {"id": "ctk-1", "secret": TOKEN_SECRET},
        {**TOKEN, "expires": "soon"},
    ],
    ids=[
        "missing",
        "empty",
        "null",
        "number",
        "no-id",
        "empty-id",
        "overlong-id",
        "no-expiry",
        "text-expiry",
    ],
)
async def test_a_connect_token_without_a_secret_is_unavailable(
    connect: Connect, body: dict[str, object]
) -> None:
    corbado, _ = connect(answer(200, body))

    with pytest.raises(CorbadoUnavailable):
        await create(corbado)


@pytest.mark.parametrize(
    "body",
    [{"verificationResult": "maybe"}, {"verificationResult": "SUCCESS"}, {}, {"result": "success"}],
    ids=["unknown", "wrong-case", "empty", "misnamed"],
)
async def test_an_unknown_verification_result_is_unavailable(
    connect: Connect, body: dict[str, object]
) -> None:
    corbado, _ = connect(answer(200, body))

    with pytest.raises(CorbadoUnavailable):
        await verify(corbado)


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_are_rejected_with_one_loud_log_line(
    connect: Connect, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    corbado, _ = connect(answer(status, error_rsp(status, "login_error", "req-555")))

    with (
        caplog.at_level(logging.DEBUG, logger="connect_backend.corbado"),
        pytest.raises(CorbadoRejected) as raised,
    ):
        await create(corbado)

    [record] = [r for r in caplog.records if r.name == "connect_backend.corbado"]
    assert record.levelno == logging.ERROR
    line = record.getMessage()
    assert "credentials" in line
    assert "req-555" in line
    assert "login_error" in line
    for leaked in (API_SECRET, BASIC_AUTH.split()[1], BODY_MARKER):
        assert leaked not in caplog.text
        assert leaked not in str(raised.value)


async def test_a_400_on_connect_tokens_is_our_bug(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    corbado, _ = connect(answer(400, error_rsp(400, "validation_error", "req-777")))

    with (
        caplog.at_level(logging.ERROR, logger="connect_backend.corbado"),
        pytest.raises(CorbadoRejected),
    ):
        await create(corbado)

    assert "req-777" in caplog.text
    assert BODY_MARKER not in caplog.text


async def test_a_validation_error_on_verify_is_a_failed_login(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    corbado, seen = connect(answer(400, error_rsp(400, "validation_error", "req-888")))

    with caplog.at_level(logging.WARNING, logger="connect_backend.corbado"):
        result = await verify(corbado)

    assert result is VerificationResult.GENERIC_ERROR
    assert len(seen) == 1
    assert "req-888" in caplog.text
    assert SIGNED_DATA not in caplog.text
    assert BODY_MARKER not in caplog.text


@pytest.mark.parametrize(
    "handler",
    [answer(400, error_rsp(400, "invalid_json")), answer(400, raw=b"Bad Request")],
    ids=["invalid_json", "no-envelope"],
)
async def test_any_other_400_on_verify_is_our_bug(connect: Connect, handler: Handler) -> None:
    corbado, _ = connect(handler)

    with pytest.raises(CorbadoRejected):
        await verify(corbado)


@pytest.mark.parametrize("status", [404, 405, 409, 422])
async def test_other_client_errors_are_unavailable(connect: Connect, status: int) -> None:
    corbado, _ = connect(answer(status, error_rsp(status, "not_found")))

    with pytest.raises(CorbadoUnavailable) as raised:
        await verify(corbado)

    assert raised.value.retry_later is False
    assert BODY_MARKER not in str(raised.value)


async def test_a_wrongly_shaped_error_envelope_is_still_handled(connect: Connect) -> None:
    corbado, _ = connect(answer(401, {"requestData": "req-1", "error": ["login_error"]}))

    with pytest.raises(CorbadoRejected):
        await create(corbado)


async def test_upstream_values_cannot_forge_log_lines(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    corbado, _ = connect(answer(401, error_rsp(401, "login_error\n\x1b[31mforged", "req-1\nfake")))

    with (
        caplog.at_level(logging.ERROR, logger="connect_backend.corbado"),
        pytest.raises(CorbadoRejected),
    ):
        await create(corbado)

    [record] = caplog.records
    assert "\n" not in record.getMessage()
    assert "\x1b" not in record.getMessage()
    assert "req-1fake" in record.getMessage()


async def test_a_successful_call_logs_no_secret(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    corbado, _ = connect(answer(200, TOKEN))

    with caplog.at_level(logging.DEBUG):
        await create(corbado)

    for leaked in (TOKEN_SECRET, API_SECRET, BASIC_AUTH.split()[1]):
        assert leaked not in caplog.text


# Account removal -------------------------------------------------------------------------------


def identifiers(*pairs: tuple[str, str], page: int = 1, total_pages: int = 1) -> Handler:
    body = {
        "identifiers": [
            {
                "identifierID": f"ide-{n}",
                "type": "email",
                "value": value,
                "status": "primary",
                "userID": user_id,
            }
            for n, (value, user_id) in enumerate(pairs)
        ],
        "paging": {"page": page, "totalPages": total_pages, "totalItems": len(pairs)},
    }
    return answer(200, body)


async def test_deletes_go_to_the_spec_paths_with_escaped_ids(connect: Connect) -> None:
    corbado, seen = connect(answer(200, {"httpStatusCode": 200, "message": "ok"}))

    await corbado.delete_connect_token("ctk-1/../x")
    await corbado.delete_user("usr-42")

    assert [(r.method, str(r.url)) for r in seen] == [
        ("DELETE", "https://backendapi.test/v2/connectTokens/ctk-1%2F..%2Fx"),
        ("DELETE", "https://backendapi.test/v2/users/usr-42"),
    ]
    assert all(r.headers["Authorization"] == BASIC_AUTH for r in seen)


# Corbado's two ways of saying a user is not there (any more).
GONE_USER_ANSWERS = [
    answer(404, error_rsp(404, "not_found")),
    answer(
        400,
        {
            **error_rsp(400, "validation_error"),
            "error": {
                "type": "validation_error",
                "validation": [{"field": "userID", "message": "does not exist"}],
            },
        },
    ),
]
GONE_USER_IDS = ["404", "400-does-not-exist"]


@pytest.mark.parametrize("gone", GONE_USER_ANSWERS, ids=GONE_USER_IDS)
async def test_what_corbado_no_longer_has_counts_as_deleted(
    connect: Connect, gone: Handler
) -> None:
    corbado, _ = connect(gone)

    await corbado.delete_user("usr-1")
    await corbado.delete_connect_token("ctk-1")


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (answer(400, error_rsp(400, "validation_error")), CorbadoRejected),
        (answer(401, error_rsp(401, "login_error")), CorbadoRejected),
        (answer(500, error_rsp(500, "internal_error")), CorbadoUnavailable),
        (answer(429, error_rsp(429, "rate_limited")), CorbadoUnavailable),
        (hang, CorbadoTimeout),
    ],
    ids=["400", "401", "500", "429", "timeout"],
)
async def test_a_delete_corbado_did_not_confirm_raises(
    connect: Connect, handler: Handler, error: type[Exception]
) -> None:
    corbado, _ = connect(handler, timeout_s=0.05)

    with pytest.raises(error):
        await corbado.delete_user("usr-1")


async def test_users_are_found_by_the_escaped_identifier_and_exact_matches_only(
    connect: Connect,
) -> None:
    corbado, seen = connect(identifiers(("jane+x@doe.com", "usr-1"), ("other@doe.com", "usr-2")))

    found = await corbado.user_ids_for("jane+x@doe.com")

    assert found == ["usr-1"]
    [request] = seen
    assert request.method == "GET"
    assert request.url.path == "/v2/identifiers"
    assert request.url.params.get_list("filter[]") == ["identifierValue:eq:jane%2Bx%40doe.com"]
    assert request.url.params["page"] == "1"


async def test_every_page_is_read(connect: Connect) -> None:
    pages = iter(
        [
            identifiers(("jane@doe.com", "usr-1"), total_pages=2),
            identifiers(("jane@doe.com", "usr-2"), page=2, total_pages=2),
        ]
    )

    async def paged(request: httpx.Request) -> httpx.Response:
        return await next(pages)(request)

    corbado, seen = connect(paged)

    assert await corbado.user_ids_for("jane@doe.com") == ["usr-1", "usr-2"]
    assert [r.url.params["page"] for r in seen] == ["1", "2"]


@pytest.mark.parametrize(
    "handler",
    [
        identifiers(("jane@doe.com", "usr-1"), total_pages=99),
        answer(200, {"identifiers": [{"value": "jane@doe.com"}], "paging": {"page": 1}}),
        answer(200, raw=b"not json"),
    ],
    ids=["endless", "malformed", "garbage"],
)
async def test_an_unusable_identifier_list_is_unavailable(
    connect: Connect, handler: Handler
) -> None:
    corbado, _ = connect(handler)

    with pytest.raises(CorbadoUnavailable):
        await corbado.user_ids_for("jane@doe.com")


def credentials(*created_ms: int, page: int = 1, total_pages: int = 1) -> Handler:
    listed = [{"id": f"cre-{ms}", "createdMs": ms, "status": "active"} for ms in created_ms]
    return answer(200, {"credentials": listed, "paging": {"page": page, "totalPages": total_pages}})


async def test_every_page_of_passkeys_is_read_with_their_creation_second(
    connect: Connect,
) -> None:
    pages = iter([credentials(1_700_000_000_999, total_pages=2), credentials(5_000, page=2)])

    async def paged(request: httpx.Request) -> httpx.Response:
        return await next(pages)(request)

    corbado, seen = connect(paged)

    found = await corbado.passkeys_of("usr-1/x")

    assert [(p.credential_id, p.corbado_user_id, p.created_at) for p in found] == [
        ("cre-1700000000999", "usr-1/x", 1_700_000_000),
        ("cre-5000", "usr-1/x", 5),
    ]
    assert [r.url.raw_path.split(b"?")[0] for r in seen] == [b"/v2/users/usr-1%2Fx/credentials"] * 2
    assert [r.url.params["page"] for r in seen] == ["1", "2"]


@pytest.mark.parametrize("handler", GONE_USER_ANSWERS, ids=GONE_USER_IDS)
async def test_a_user_corbado_no_longer_has_has_no_passkeys(
    connect: Connect, handler: Handler
) -> None:
    corbado, _ = connect(handler)

    assert await corbado.passkeys_of("usr-1") == []


@pytest.mark.parametrize(
    "handler",
    [
        credentials(1, total_pages=99),
        answer(500, error_rsp(500, "internal")),
        answer(200, raw=b"x"),
    ],
    ids=["endless", "5xx", "garbage"],
)
async def test_an_unusable_passkey_list_is_unavailable(connect: Connect, handler: Handler) -> None:
    corbado, _ = connect(handler)

    with pytest.raises(CorbadoUnavailable):
        await corbado.passkeys_of("usr-1")


async def test_a_passkey_is_deleted_by_its_escaped_path(connect: Connect) -> None:
    corbado, seen = connect(answer(200, {"httpStatusCode": 200}))

    await corbado.delete_passkey("usr-1", "cre-2/3")

    [request] = seen
    assert request.method == "DELETE"
    assert request.url.raw_path == b"/v2/users/usr-1/credentials/cre-2%2F3"
