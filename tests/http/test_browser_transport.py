"""The browser transport as an attacker tries it: other origins, forms, replays, foreign cookies.

Both transports' ordinary flows are in `test_sessions_api.py`; here is what must be refused, and
the cookie's attributes on every answer that sets or clears it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from jose import jwt

from tests.http.conftest import PASSWORD, Api, dev_settings, error_of, running_app
from tests.http.test_connect_api import emulator_passkey_login
from tests.http.transports import (
    BROWSER,
    COOKIE,
    OWN_ORIGIN,
    REFRESH_COOKIE,
    cleared,
    refresh_cookie,
    sends_no_cookie,
    with_cookie,
)

FRONTEND = "https://app.example.com"
LOGIN = {"email": "jane@example.com", "password": PASSWORD}


@pytest.fixture
def jane(api: Api) -> str:
    """Jane is registered and logged in in the browser transport: her refresh cookie."""
    api.register()
    return COOKIE.login(api)[1]


def refresh_with(api: Api, token: str, headers: dict[str, str]) -> httpx.Response:
    api.client.cookies.clear()
    return api.client.post("/auth/refresh", headers=with_cookie(token, headers))


def still_current(api: Api, token: str) -> bool:
    """Whether `token` is its chain's current token: after the grace window, only that one
    refreshes (an older one would end the session)."""
    api.clock.advance(api.container.settings().policy.refresh_reuse_grace_s + 1)
    return refresh_with(api, token, BROWSER).status_code == 200


# --- Cross-site requests: no header, another origin, no origin --------------------------------


@pytest.mark.parametrize("body", [b"", b"refreshToken="], ids=["no-fields", "a-field"])
def test_a_cross_site_form_post_cannot_use_the_cookie(api: Api, jane: str, body: bytes) -> None:
    # What a form on another site can send: a simple content type, any body or none, the cookie
    # (were SameSite not there to keep it home), and no custom header.
    form = api.client.post(
        "/auth/refresh",
        content=body,
        headers=with_cookie(
            jane,
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"},
        ),
    )
    assert form.status_code in (400, 401, 415), form.text
    assert sends_no_cookie(form)
    assert still_current(api, jane), "the form did not rotate the victim's token"


def test_without_the_header_a_cookie_is_never_read(api: Api, jane: str) -> None:
    response = refresh_with(api, jane, {"Origin": OWN_ORIGIN})
    assert response.status_code == 401
    assert error_of(response) == "invalid_refresh_token"
    assert sends_no_cookie(response), "token mode leaves the browser's cookie alone"
    assert still_current(api, jane)


OTHER_ORIGINS = [
    "https://evil.example",
    "null",
    "http://127.0.0.1:8001",
    "https://127.0.0.1:8000",
    "http://127.0.0.1:8000.evil.example",
    "http://evil.example/http://127.0.0.1:8000",
    "",
]


@pytest.mark.parametrize("origin", OTHER_ORIGINS)
def test_a_refresh_from_another_origin_is_403_and_changes_nothing(
    api: Api, jane: str, origin: str
) -> None:
    response = refresh_with(api, jane, {**BROWSER, "Origin": origin})
    assert response.status_code == 403
    assert error_of(response) == "origin_not_allowed"
    assert sends_no_cookie(response)
    assert still_current(api, jane)


def browser_calls(api: Api) -> dict[str, Callable[[dict[str, str]], httpx.Response]]:
    """Each operation of the browser transport, called with the headers given."""
    api.register()
    access = api.login()["accessToken"]
    signed = emulator_passkey_login(api, "jane@example.com")
    register = {"email": "joe@example.com", "password": PASSWORD, "displayName": "Joe"}
    post = api.client.post
    return {
        "register": lambda headers: post("/auth/register", json=register, headers=headers),
        "login": lambda headers: post("/auth/login", json=LOGIN, headers=headers),
        "completeLogin": lambda headers: post(
            "/auth/completeLogin", json={"signedPasskeyData": signed}, headers=headers
        ),
        "refresh": lambda headers: post("/auth/refresh", headers=headers),
        "logout": lambda headers: post("/auth/logout", headers={**api.bearer(access), **headers}),
    }


OPERATIONS = ["register", "login", "completeLogin", "refresh", "logout"]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "where",
    [
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/login"},
        {"Origin": "https://evil.example", "Referer": f"{OWN_ORIGIN}/login"},
        {},
    ],
    ids=["other-origin", "other-referer", "origin-wins-over-referer", "neither"],
)
def test_every_browser_transport_operation_needs_an_allowed_origin(
    api: Api, operation: str, where: dict[str, str]
) -> None:
    call = browser_calls(api)[operation]
    response = call({"Session-Transport": "cookie", **where})
    assert response.status_code == 403, response.text
    assert error_of(response) == "origin_not_allowed"
    assert sends_no_cookie(response)
    if operation == "completeLogin":
        assert response.json()["success"] is False
    if operation == "logout":
        bearer = {"Authorization": response.request.headers["authorization"]}
        assert api.client.get("/auth/me", headers=bearer).status_code == 200


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_referer_on_an_allowed_origin_stands_in_for_a_missing_origin(
    api: Api, operation: str
) -> None:
    call = browser_calls(api)[operation]
    response = call({"Session-Transport": "cookie", "Referer": f"{OWN_ORIGIN}/schema?x=1"})
    assert response.status_code != 403, response.text
    assert response.status_code < 500


@pytest.mark.parametrize("value", ["Cookie", "token", "cookie, cookie", "cookies", ""])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_any_other_transport_is_400(api: Api, operation: str, value: str) -> None:
    response = browser_calls(api)[operation]({"Session-Transport": value, "Origin": OWN_ORIGIN})
    assert response.status_code == 400, response.text
    assert error_of(response) == "invalid_request"
    assert sends_no_cookie(response)


# --- Which origins are allowed ---------------------------------------------------------------


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8000", "http://localhost:8000"])
def test_dev_serves_both_spellings_of_its_own_origin(api: Api, origin: str) -> None:
    api.register()
    response = api.client.post(
        "/auth/login", json=LOGIN, headers={"Session-Transport": "cookie", "Origin": origin}
    )
    assert response.status_code == 200, response.text
    assert refresh_cookie(response).value


@pytest.fixture
def frontend_api(tmp_path: Path) -> Iterator[Api]:
    """A deployment at https://auth.example.com with a frontend at https://app.example.com."""
    settings = dev_settings(
        tmp_path, session_issuer="https://auth.example.com", cors_allow_origins=(FRONTEND,)
    )
    with running_app(settings) as running:
        running.register()
        yield running


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        (FRONTEND, 200),
        ("https://APP.example.com:443", 200),
        ("https://auth.example.com", 200),
        ("http://app.example.com", 403),
        ("https://evil.app.example.com", 403),
        ("http://localhost:8000", 403),
        ("http://127.0.0.1:8000", 403),
    ],
)
def test_a_deployment_serves_its_frontends_and_its_own_origin(
    frontend_api: Api, origin: str, status: int
) -> None:
    response = frontend_api.client.post(
        "/auth/login", json=LOGIN, headers={"Session-Transport": "cookie", "Origin": origin}
    )
    assert response.status_code == status, response.text


# --- Replays and foreign cookies -------------------------------------------------------------


def test_a_cookie_replayed_after_the_window_ends_the_session_and_is_cleared(
    api: Api, jane: str
) -> None:
    successor = refresh_cookie(refresh_with(api, jane, BROWSER)).value
    api.clock.advance(api.container.settings().policy.refresh_reuse_grace_s)
    replayed = refresh_with(api, jane, BROWSER)
    assert replayed.status_code == 401
    assert error_of(replayed) == "refresh_token_reused"
    assert cleared(replayed)
    after = refresh_with(api, successor, BROWSER)
    assert after.status_code == 401, "the whole session ended"
    assert cleared(after)


def test_a_cookie_replayed_after_its_successor_was_used_ends_the_session(
    api: Api, jane: str
) -> None:
    successor = refresh_cookie(refresh_with(api, jane, BROWSER)).value
    assert refresh_with(api, successor, BROWSER).status_code == 200
    replayed = refresh_with(api, jane, BROWSER)
    assert replayed.status_code == 401
    assert error_of(replayed) == "refresh_token_reused"
    assert cleared(replayed)


def test_tabs_refreshing_at_once_with_one_cookie_converge(api: Api, jane: str) -> None:
    tabs = 4
    with ThreadPoolExecutor(max_workers=tabs) as pool:
        answers = list(pool.map(lambda _: refresh_with(api, jane, BROWSER), range(tabs)))
    assert [answer.status_code for answer in answers] == [200] * tabs
    successors = {refresh_cookie(answer).value for answer in answers}
    assert len(successors) == 1, "every tab holds the same cookie again"
    sessions = {jwt.get_unverified_claims(a.json()["accessToken"])["sid"] for a in answers}
    assert len(sessions) == 1
    assert still_current(api, successors.pop())


def test_a_cookie_of_another_session_names_that_session_only(api: Api, jane: str) -> None:
    api.register("bob@example.com", "Bob")
    bob_tokens, bob = COOKIE.login(api, "bob@example.com")
    jane_access = refresh_with(api, jane, BROWSER).json()["accessToken"]
    # Jane's page logs out while the browser holds Bob's cookie: Jane's session ends, not Bob's.
    logout = api.client.post(
        "/auth/logout", headers=with_cookie(bob, {**api.bearer(jane_access), **BROWSER})
    )
    assert logout.status_code == 204
    assert cleared(logout)
    assert api.client.get("/auth/me", headers=api.bearer(jane_access)).status_code == 401
    bobs = refresh_with(api, bob, BROWSER)
    assert bobs.status_code == 200
    bob_claims = jwt.get_unverified_claims(bob_tokens["accessToken"])
    assert jwt.get_unverified_claims(bobs.json()["accessToken"])["sub"] == bob_claims["sub"]


@pytest.mark.parametrize(
    "forged",
    ["x" * 22 + ".0." + "y" * 43, "not-a-token", "", "x" * 600],
    ids=["unknown-chain", "garbage", "empty", "too-long"],
)
def test_a_forged_cookie_is_401_and_cleared(api: Api, forged: str) -> None:
    response = refresh_with(api, forged, BROWSER)
    assert response.status_code == 401
    assert error_of(response) == "invalid_refresh_token"
    assert cleared(response)


def test_a_refresh_without_the_cookie_is_401_and_clears_it(api: Api) -> None:
    api.client.cookies.clear()
    response = api.client.post("/auth/refresh", headers=BROWSER)
    assert response.status_code == 401
    assert error_of(response) == "invalid_refresh_token"
    assert cleared(response)


@pytest.mark.parametrize("body", [{"refreshToken": "x" * 10}, {}])
def test_the_browser_transport_takes_no_refresh_token_in_a_body(
    api: Api, jane: str, body: dict[str, str]
) -> None:
    api.client.cookies.clear()
    response = api.client.post("/auth/refresh", json=body, headers=with_cookie(jane, BROWSER))
    assert response.status_code == 400
    assert error_of(response) == "invalid_request"
    assert sends_no_cookie(response)
    assert still_current(api, jane)


# --- The cookie on every answer that sets or clears it ---------------------------------------


def test_the_cookie_lives_as_long_as_its_session(api: Api, jane: str) -> None:
    lifetime = api.container.settings().policy.session_lifetime_s
    api.clock.advance(1000)
    refreshed = refresh_cookie(refresh_with(api, jane, BROWSER))
    assert int(refreshed["max-age"]) == lifetime - 1000


def test_login_and_complete_login_set_the_cookie_and_keep_it_out_of_the_body(api: Api) -> None:
    api.register()
    lifetime = str(api.container.settings().policy.session_lifetime_s)
    login = api.client.post("/auth/login", json=LOGIN, headers=BROWSER)
    signed = emulator_passkey_login(api, "jane@example.com")
    passkey = api.client.post(
        "/auth/completeLogin", json={"signedPasskeyData": signed}, headers=BROWSER
    )
    for response in (login, passkey):
        assert response.status_code == 200, response.text
        assert refresh_cookie(response)["max-age"] == lifetime
        assert "refreshToken" not in response.json()
        assert REFRESH_COOKIE not in response.text
        assert refresh_cookie(response).value not in response.text


def test_register_in_the_browser_transport_sets_no_cookie(api: Api) -> None:
    body = {**LOGIN, "displayName": "Jane"}
    response = api.client.post("/auth/register", json=body, headers=BROWSER)
    assert response.status_code == 201
    assert sends_no_cookie(response)


def test_token_mode_answers_never_set_a_cookie(api: Api) -> None:
    api.register()
    login = api.client.post("/auth/login", json=LOGIN)
    refreshed = api.client.post(
        "/auth/refresh", json={"refreshToken": login.json()["refreshToken"]}
    )
    logout = api.client.post("/auth/logout", headers=api.bearer(refreshed.json()["accessToken"]))
    for response in (login, refreshed, logout):
        assert response.status_code in (200, 204)
        assert sends_no_cookie(response)


@pytest.mark.parametrize("transport", [{}, BROWSER], ids=["tokens", "cookie"])
def test_deleting_the_account_always_clears_the_cookie(
    api: Api, jane: str, transport: dict[str, str]
) -> None:
    access = refresh_with(api, jane, BROWSER).json()["accessToken"]
    response = api.client.delete("/auth/me", headers={**api.bearer(access), **transport})
    assert response.status_code == 204, response.text
    assert cleared(response)
    assert refresh_with(api, jane, BROWSER).status_code == 401
