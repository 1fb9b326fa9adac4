"""The emulator's users, IdentifierList, UserDelete, ConnectTokenDelete, and auth before routing."""

import base64
import itertools
import math
import re
import uuid
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jose import jwt
from litestar import Litestar
from litestar.testing import TestClient

from corbado_emulator import create_emulator_app
from corbado_emulator.connect_tokens import ConnectTokens
from domain.model import ConnectTokenType
from tests.corbado_emulator.emulator_support import (
    API_SECRET,
    AUTH,
    PROJECT_ID,
    Clock,
    assert_envelope,
    assert_generic,
    passkey_login,
    validation_fields,
    verify,
)

# The Backend API spec's required members (identifier, identifierList; paging).
IDENTIFIER = {"identifierID", "type", "value", "status", "userID"}
PAGING = {"page", "totalPages", "totalItems"}


def eq(field: str, value: str) -> str:
    """An `eq` filter with its value encoded inside it, as Corbado's Python SDK sends it."""
    return f"{field}:eq:{quote(value, safe='')}"


def unique(domain: str = "@doe.com") -> str:
    """An identifier no other test of the module's shared emulator uses."""
    return f"jane-{uuid.uuid4().hex}{domain}"


async def new_token(
    emulator: httpx.AsyncClient, identifier: str, kind: str = "passkey-append", **extra: int
) -> dict[str, object]:
    data = {"identifier": identifier, "displayName": "Jane Doe"}
    response = await emulator.post(
        "/connectTokens", json={"type": kind, "data": data, **extra}, auth=AUTH
    )
    assert response.status_code == 200
    token: dict[str, object] = response.json()
    return token


async def identifiers(
    emulator: httpx.AsyncClient, *filters: str, **params: str | int
) -> dict[str, object]:
    query: dict[str, str | int | list[str]] = {"filter[]": list(filters), **params}
    response = await emulator.get("/identifiers", params=query, auth=AUTH)
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    assert body.keys() == {"identifiers", "paging"}
    paging = body["paging"]
    assert isinstance(paging, dict)
    assert paging.keys() == PAGING
    assert all(isinstance(paging[k], int) for k in PAGING)
    listed = body["identifiers"]
    assert isinstance(listed, list)
    for identifier in listed:
        assert identifier.keys() == IDENTIFIER
        assert re.fullmatch(r"ide-\d+", identifier["identifierID"])
        assert re.fullmatch(r"usr-\d+", identifier["userID"])
        assert identifier["type"] in ("email", "phone", "username")
        assert identifier["status"] in ("pending", "primary", "verified")
    return body


async def holders(emulator: httpx.AsyncClient, value: str) -> list[dict[str, str]]:
    body = await identifiers(emulator, eq("identifierValue", value))
    found: list[dict[str, str]] = body["identifiers"]  # type: ignore[assignment]
    return found


async def delete_user(emulator: httpx.AsyncClient, user_id: str) -> httpx.Response:
    return await emulator.delete(f"/users/{user_id}", auth=AUTH)


@pytest.fixture
async def fresh(clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """An emulator of its own, for tests that count every identifier it holds."""
    app = create_emulator_app(PROJECT_ID, API_SECRET, clock)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://fresh.test/v2") as c:
        yield c


# Auth before routing ---------------------------------------------------------------------------

BACKEND_REQUESTS = [
    ("GET", "/identifiers"),
    ("DELETE", "/users/usr-1"),
    ("DELETE", "/connectTokens/ctk-1"),
    ("GET", "/connectTokens"),  # a known path, a wrong method
    ("GET", "/users/usr-1"),  # the spec's UserGet, which the emulator does not serve
    ("POST", "/passkeys/verifySignedData"),  # an unknown path
    ("GET", ""),
    ("GET", "/"),
]
BAD_CREDENTIALS = {
    "missing": None,
    "wrong-secret": "Basic " + base64.b64encode(f"{PROJECT_ID}:wrong".encode()).decode(),
    "secret-alone": "Basic " + base64.b64encode(API_SECRET.encode()).decode(),
    "bearer": f"Bearer {API_SECRET}",
}


@pytest.mark.parametrize(("method", "path"), BACKEND_REQUESTS)
@pytest.mark.parametrize("authorization", BAD_CREDENTIALS.values(), ids=BAD_CREDENTIALS.keys())
async def test_credentials_are_checked_before_routing(
    emulator: httpx.AsyncClient, method: str, path: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = await emulator.request(method, path, headers=headers)

    assert_envelope(response, 401, "login_error")
    assert response.headers["WWW-Authenticate"] == "Basic"


@pytest.mark.parametrize(
    ("method", "path", "status", "error_type"),
    [
        ("POST", "/passkeys/verifySignedData", 404, "not_found"),
        ("GET", "/webhookEndpoints", 404, "not_found"),
        ("GET", "", 404, "not_found"),
        ("GET", "/users/usr-1", 404, "not_found"),
        ("GET", "/connectTokens", 405, "method_not_allowed"),
        ("POST", "/identifiers", 405, "method_not_allowed"),
        ("GET", "/users", 405, "method_not_allowed"),  # UserList is not implemented
        ("PUT", "/users/usr-1", 405, "method_not_allowed"),
    ],
)
async def test_authenticated_requests_keep_not_found_and_method_not_allowed(
    emulator: httpx.AsyncClient, method: str, path: str, status: int, error_type: str
) -> None:
    response = await emulator.request(method, path, auth=AUTH)

    assert_envelope(response, status, error_type)


@pytest.mark.parametrize("url", ["/_emulator/nothing", "http://emulator.test/elsewhere"])
async def test_paths_outside_the_backend_api_need_no_credentials(
    emulator: httpx.AsyncClient, url: str
) -> None:
    response = await emulator.get(url)

    assert_envelope(response, 404, "not_found")


# Users -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind"), [(unique(), "email"), (unique(domain=""), "username")], ids=["@", "no-@"]
)
async def test_an_append_token_creates_a_user_with_one_primary_identifier(
    emulator: httpx.AsyncClient, value: str, kind: str
) -> None:
    assert await holders(emulator, value) == []

    await new_token(emulator, value)

    [identifier] = await holders(emulator, value)
    assert identifier["value"] == value
    assert identifier["type"] == kind
    assert identifier["status"] == "primary"


@pytest.mark.parametrize("token_type", ["passkey-list", "passkey-delete", "passkey-login"])
async def test_other_token_types_create_no_user(
    emulator: httpx.AsyncClient, token_type: str
) -> None:
    value = unique()

    await new_token(emulator, value, token_type)

    assert await holders(emulator, value) == []


async def test_a_user_is_kept_across_tokens_and_logins(emulator: httpx.AsyncClient) -> None:
    value = unique()
    await new_token(emulator, value)
    [before] = await holders(emulator, value)

    await new_token(emulator, value)
    claims = jwt.get_unverified_claims(await passkey_login(emulator, value))

    assert await holders(emulator, value) == [before]
    assert claims["sub"] == before["userID"]


async def test_a_passkey_login_creates_the_user_it_names(emulator: httpx.AsyncClient) -> None:
    value = unique()

    claims = jwt.get_unverified_claims(await passkey_login(emulator, value))

    [identifier] = await holders(emulator, value)
    assert claims["sub"] == identifier["userID"]


async def test_deleting_a_user_removes_its_identifier(emulator: httpx.AsyncClient) -> None:
    value = unique()
    await new_token(emulator, value)
    [identifier] = await holders(emulator, value)

    response = await delete_user(emulator, identifier["userID"])

    assert assert_generic(response, 200).keys() == {
        "httpStatusCode", "message", "requestData", "runtime",
    }  # fmt: skip
    assert await holders(emulator, value) == []
    assert_envelope(await delete_user(emulator, identifier["userID"]), 404, "not_found")


@pytest.mark.parametrize("user_id", ["usr-1", "usr-", "nobody", "usr-1%2F..%2Fx"])
async def test_deleting_an_unknown_user_is_not_found(
    emulator: httpx.AsyncClient, user_id: str
) -> None:
    assert_envelope(await delete_user(emulator, user_id), 404, "not_found")


async def test_a_recreated_user_gets_new_ids(emulator: httpx.AsyncClient) -> None:
    value = unique()
    first_claims = jwt.get_unverified_claims(await passkey_login(emulator, value))
    [first] = await holders(emulator, value)
    await delete_user(emulator, first["userID"])

    await new_token(emulator, value)
    [second] = await holders(emulator, value)
    second_claims = jwt.get_unverified_claims(await passkey_login(emulator, value))

    assert second["userID"] != first["userID"]
    assert second["identifierID"] != first["identifierID"]
    assert second_claims["sub"] == second["userID"]
    assert second_claims["credential"] != first_claims["credential"]


async def test_data_minted_before_a_deletion_no_longer_succeeds(
    emulator: httpx.AsyncClient,
) -> None:
    value = unique()
    signed = await passkey_login(emulator, value)
    [identifier] = await holders(emulator, value)

    await delete_user(emulator, identifier["userID"])

    assert await verify(emulator, signed, value) == "user_mismatch"


async def test_data_minted_before_a_deletion_fails_for_the_recreated_user_too(
    emulator: httpx.AsyncClient,
) -> None:
    value = unique()
    stale = await passkey_login(emulator, value)
    [identifier] = await holders(emulator, value)
    await delete_user(emulator, identifier["userID"])
    await new_token(emulator, value)
    fresh_data = await passkey_login(emulator, value)

    assert await verify(emulator, stale, value) == "user_mismatch"
    assert await verify(emulator, fresh_data, value) == "success"


async def test_deleting_one_user_leaves_the_others_passkeys(emulator: httpx.AsyncClient) -> None:
    jane, john = unique(), unique()
    await passkey_login(emulator, jane)
    johns = await passkey_login(emulator, john)
    [identifier] = await holders(emulator, jane)

    await delete_user(emulator, identifier["userID"])

    assert await verify(emulator, johns, john) == "success"


# IdentifierList --------------------------------------------------------------------------------


async def test_filters_match_exact_values_and_all_must_hold(emulator: httpx.AsyncClient) -> None:
    value = unique()
    other = unique(domain="")
    await new_token(emulator, value)
    await new_token(emulator, other)
    [identifier] = await holders(emulator, value)
    user_id = identifier["userID"]

    by_user = await identifiers(emulator, f"userID:eq:{user_id}")
    by_digits = await identifiers(emulator, f"userID:eq:{user_id.removeprefix('usr-')}")
    both = await identifiers(emulator, f"userID:eq:{user_id}", "identifierType:eq:email")
    neither = await identifiers(emulator, f"userID:eq:{user_id}", "identifierType:eq:username")

    assert by_user["identifiers"] == [identifier]
    assert by_digits["identifiers"] == [identifier]
    assert both["identifiers"] == [identifier]
    assert neither["identifiers"] == []
    assert await holders(emulator, value.upper()) == []
    assert await holders(emulator, f" {value}") == []


async def test_filter_values_are_decoded_once_more(emulator: httpx.AsyncClient) -> None:
    # As Corbado's SDK tests show: the value inside the filter is itself percent-encoded.
    value = f"jane+{uuid.uuid4().hex}@doe.com"
    await new_token(emulator, value)

    plain = await identifiers(emulator, f"identifierValue:eq:{value}")
    encoded = await identifiers(emulator, eq("identifierValue", value))

    assert plain["identifiers"] == []  # its "+" decodes to a space
    assert [i["value"] for i in encoded["identifiers"]] == [value]  # type: ignore[attr-defined]


async def test_a_value_may_hold_colons(emulator: httpx.AsyncClient) -> None:
    value = f"urn:jane:{uuid.uuid4().hex}"
    await new_token(emulator, value)

    [identifier] = await holders(emulator, value)

    assert identifier["value"] == value


async def test_filter_by_type(fresh: httpx.AsyncClient) -> None:
    await new_token(fresh, "jane@doe.com")
    await new_token(fresh, "jane")

    emails = await identifiers(fresh, "identifierType:eq:email")
    phones = await identifiers(fresh, "identifierType:eq:phone")

    assert [i["value"] for i in emails["identifiers"]] == ["jane@doe.com"]  # type: ignore[attr-defined]
    assert phones["identifiers"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"filter[]": ""},
        {"filter[]": "identifierValue"},
        {"filter[]": "identifierValue:eq"},
        {"filter[]": "email:eq:jane@doe.com"},
        {"filter[]": "identifierValue:gt:a"},
        {"filter[]": "identifierValue:lt:a"},
        {"filter[]": "identifierValue:EQ:a"},
        {"filter[]": "identifierType:eq:phonebook"},
        {"filter[]": ["identifierValue:eq:a", "userID:like:usr"]},
        {"filter[]": "createdAt:gt:2021-07-20T00:00:00"},
        {"filter[]": "identifierValue:eq:%zz"},
        {"filter[]": "identifierValue:eq:100%"},
        {"filter[]": "identifierValue:eq:%e9"},
    ],
)
async def test_bad_filters_are_validation_errors(
    emulator: httpx.AsyncClient, query: dict[str, str | list[str]]
) -> None:
    response = await emulator.get("/identifiers", params=query, auth=AUTH)

    assert validation_fields(response) == {"filter[]"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"filter": "identifierValue:eq:a"}, "filter"),
        ({"filter[0]": "identifierValue:eq:a"}, "filter[0]"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": ""}, "page"),
        ({"page": "+1"}, "page"),
        ({"page": "\uff11"}, "page"),  # a full-width 1: int() would take it
        ({"page": str(2**31)}, "page"),
        ({"page": "9" * 5000}, "page"),
        ({"page": ["1", "2"]}, "page"),
        ({"pageSize": "0"}, "pageSize"),
        ({"pageSize": "101"}, "pageSize"),
        ({"pageSize": "ten"}, "pageSize"),
        ({"sort": "identifierValue"}, "sort"),
        ({"sort": "identifierValue:up"}, "sort"),
        ({"sort": "createdAt:desc"}, "sort"),
        ({"sort": ["userID:asc", "userID:desc"]}, "sort"),
    ],
)
async def test_bad_parameters_are_validation_errors(
    emulator: httpx.AsyncClient, query: dict[str, str | list[str]], field: str
) -> None:
    response = await emulator.get("/identifiers", params=query, auth=AUTH)

    assert validation_fields(response) == {field}


async def test_pages_cover_every_identifier_once(fresh: httpx.AsyncClient) -> None:
    values = [f"user{n:02}@doe.com" for n in range(25)]
    for value in values:
        await new_token(fresh, value)

    pages = [await identifiers(fresh, page=page) for page in (1, 2, 3, 4)]

    assert [p["paging"] for p in pages] == [
        {"page": page, "totalPages": 3, "totalItems": 25} for page in (1, 2, 3, 4)
    ]
    listed = [[i["value"] for i in p["identifiers"]] for p in pages]  # type: ignore[attr-defined]
    assert [len(page) for page in listed] == [10, 10, 5, 0]
    assert sorted(itertools.chain(*listed)) == values


async def test_the_page_size_is_bounded(fresh: httpx.AsyncClient) -> None:
    for n in range(101):
        await new_token(fresh, f"user{n:03}@doe.com")

    largest = await identifiers(fresh, pageSize=100)
    last = await identifiers(fresh, page=2**31 - 1, pageSize=100)

    assert len(largest["identifiers"]) == 100  # type: ignore[arg-type]
    assert largest["paging"] == {"page": 1, "totalPages": 2, "totalItems": 101}
    assert last["identifiers"] == []


async def test_nothing_found_is_an_empty_list_of_no_pages(fresh: httpx.AsyncClient) -> None:
    body = await identifiers(fresh, "identifierValue:eq:nobody@doe.com")

    assert body == {"identifiers": [], "paging": {"page": 1, "totalPages": 0, "totalItems": 0}}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("identifierValue:asc", ["a@doe.com", "b", "c@doe.com"]),
        ("identifierValue:desc", ["c@doe.com", "b", "a@doe.com"]),
        ("identifierType:asc", ["c@doe.com", "a@doe.com", "b"]),
        ("identifierType:desc", ["b", "c@doe.com", "a@doe.com"]),
    ],
)
async def test_sorting(fresh: httpx.AsyncClient, sort: str, expected: list[str]) -> None:
    for value in ("c@doe.com", "b", "a@doe.com"):
        await new_token(fresh, value)

    body = await identifiers(fresh, sort=sort)

    assert [i["value"] for i in body["identifiers"]] == expected  # type: ignore[attr-defined]


# ConnectTokenDelete ----------------------------------------------------------------------------


@pytest.mark.parametrize("token_type", ["passkey-append", "passkey-list", "passkey-delete"])
async def test_a_connect_token_is_deleted_once(
    emulator: httpx.AsyncClient, token_type: str
) -> None:
    token = await new_token(emulator, unique(), token_type)

    first = await emulator.delete(f"/connectTokens/{token['id']}", auth=AUTH)
    again = await emulator.delete(f"/connectTokens/{token['id']}", auth=AUTH)

    assert assert_generic(first, 200).keys() == {
        "httpStatusCode", "message", "requestData", "runtime",
    }  # fmt: skip
    assert_envelope(again, 404, "not_found")


@pytest.mark.parametrize("token_id", ["ctk-1", "ctk-", "nothing"])
async def test_deleting_an_unknown_connect_token_is_not_found(
    emulator: httpx.AsyncClient, token_id: str
) -> None:
    response = await emulator.delete(f"/connectTokens/{token_id}", auth=AUTH)

    assert_envelope(response, 404, "not_found")


async def test_a_connect_token_is_live_until_it_expires(
    emulator: httpx.AsyncClient, clock: Clock
) -> None:
    live = await new_token(emulator, unique(), maxLifetimeInSeconds=60)
    expired = await new_token(emulator, unique(), maxLifetimeInSeconds=60)
    clock.now += 59
    assert (await emulator.delete(f"/connectTokens/{live['id']}", auth=AUTH)).status_code == 200

    clock.now += 1

    response = await emulator.delete(f"/connectTokens/{expired['id']}", auth=AUTH)
    assert_envelope(response, 404, "not_found")


def test_the_oldest_connect_tokens_are_forgotten_past_the_bound() -> None:
    clock = Clock()
    tokens = ConnectTokens(clock, max_kept=3)
    issued = [
        tokens.issue(ConnectTokenType.PASSKEY_LIST, {"identifier": "j"}, 60) for _ in range(5)
    ]

    assert [tokens.delete(t.token_id) for t in issued] == [False, False, True, True, True]


def test_expired_connect_tokens_are_forgotten_when_the_next_is_issued() -> None:
    clock = Clock()
    tokens = ConnectTokens(clock, max_kept=3)
    old = tokens.issue(ConnectTokenType.PASSKEY_LIST, {"identifier": "j"}, 1)
    clock.now += 1
    tokens.issue(ConnectTokenType.PASSKEY_LIST, {"identifier": "j"}, 60)

    assert len(tokens) == 1
    assert not tokens.delete(old.token_id)


# Never a 500 -----------------------------------------------------------------------------------

_PARAM_NAMES = st.sampled_from(["filter[]", "page", "pageSize", "sort"]) | st.text(max_size=8)
_FILTERS = st.builds(
    lambda f, o, v: f"{f}:{o}:{v}",
    st.sampled_from(["userID", "identifierType", "identifierValue"]) | st.text(max_size=6),
    st.sampled_from(["eq", "gt", "lt"]) | st.text(max_size=3),
    st.text(),
)
_VALUES = _FILTERS | st.text() | st.integers().map(str)


def test_no_query_makes_identifier_list_fail(app: Litestar) -> None:
    with TestClient(app=app, base_url="http://emulator.test/v2") as client:

        @given(params=st.lists(st.tuples(_PARAM_NAMES, _VALUES), max_size=5))
        @settings(max_examples=150, deadline=None)
        def check(params: list[tuple[str, str | int | float | bool | None]]) -> None:
            response = client.get("/identifiers", params=params, auth=AUTH)
            assert response.status_code in (200, 400)
            if response.status_code == 400:
                assert response.json()["error"]["type"] == "validation_error"

        check()


def test_an_eq_filter_finds_exactly_the_stored_value(app: Litestar) -> None:
    with TestClient(app=app, base_url="http://emulator.test/v2") as client:

        @given(value=st.text(min_size=1).filter(str.strip), probe=st.text())
        @settings(max_examples=60, deadline=None)
        def check(value: str, probe: str) -> None:
            value = f"{uuid.uuid4().hex}{value}"
            data = {"identifier": value, "displayName": "J"}
            created = client.post(
                "/connectTokens", json={"type": "passkey-append", "data": data}, auth=AUTH
            )
            assert created.status_code == 200

            found = client.get(
                "/identifiers", params={"filter[]": eq("identifierValue", value)}, auth=AUTH
            ).json()["identifiers"]
            missed = client.get(
                "/identifiers",
                params={"filter[]": eq("identifierValue", f"{value}{probe}x")},
                auth=AUTH,
            ).json()["identifiers"]

            assert [i["value"] for i in found] == [value]
            assert missed == []

        check()


def test_paging_arithmetic(clock: Clock) -> None:
    app = create_emulator_app(PROJECT_ID, API_SECRET, clock)
    with TestClient(app=app, base_url="http://emulator.test/v2") as client:
        for n in range(23):
            data = {"identifier": f"user{n}@doe.com", "displayName": "J"}
            client.post("/connectTokens", json={"type": "passkey-append", "data": data}, auth=AUTH)

        @given(page=st.integers(-5, 2**31 + 5), page_size=st.integers(-5, 105))
        @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        def check(page: int, page_size: int) -> None:
            response = client.get(
                "/identifiers", params={"page": page, "pageSize": page_size}, auth=AUTH
            )
            if not (1 <= page <= 2**31 - 1 and 1 <= page_size <= 100):
                assert response.status_code == 400
                return
            body = response.json()
            assert body["paging"] == {
                "page": page,
                "totalPages": math.ceil(23 / page_size),
                "totalItems": 23,
            }
            assert len(body["identifiers"]) == max(0, min(page_size, 23 - (page - 1) * page_size))

        check()


def test_delete_ids_never_make_the_emulator_fail(app: Litestar) -> None:
    with TestClient(app=app, base_url="http://emulator.test/v2") as client:

        @given(kind=st.sampled_from(["users", "connectTokens"]), ident=st.text(min_size=1))
        @settings(max_examples=80, deadline=None)
        def check(kind: str, ident: str) -> None:
            response = client.delete(f"/{kind}/{quote(ident, safe='')}", auth=AUTH)
            assert response.status_code in (404, 405)

        check()
