"""The two ways a client holds its refresh token, for tests that must pass with either.

`TOKENS` keeps it from the JSON body and sends it back in the body; `COOKIE` is a browser on the
service's own origin: `Session-Transport: cookie`, the token only ever in `__Host-connect_refresh`.
httpx keeps no `Secure` cookie for plain-HTTP URLs, so the browser's cookie jar is played by
setting the `Cookie` header on each request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http.cookies import Morsel, SimpleCookie
from typing import Any

import httpx

from tests.http.conftest import PASSWORD, Api

REFRESH_COOKIE = "__Host-connect_refresh"
# `dev`'s SESSION_ISSUER: a page it serves itself (the interactive docs) is an allowed origin.
OWN_ORIGIN = "http://127.0.0.1:8000"
BROWSER = {"Session-Transport": "cookie", "Origin": OWN_ORIGIN}


def refresh_cookie(response: httpx.Response) -> Morsel[str]:
    """The one `Set-Cookie` of the answer, checked for the attributes every one of ours has."""
    headers = response.headers.get_list("set-cookie")
    assert len(headers) == 1, headers
    jar: SimpleCookie = SimpleCookie()
    jar.load(headers[0])
    assert list(jar) == [REFRESH_COOKIE], headers[0]
    morsel = jar[REFRESH_COOKIE]
    attributes = {part.strip().split("=")[0].lower() for part in headers[0].split(";")[1:]}
    assert attributes == {"httponly", "max-age", "path", "samesite", "secure"}, headers[0]
    assert morsel["path"] == "/"
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "strict"
    assert not morsel["domain"]
    return morsel


def cleared(response: httpx.Response) -> bool:
    """Whether the answer tells the browser to drop the refresh cookie."""
    morsel = refresh_cookie(response)
    return morsel["max-age"] == "0" and morsel.value in ("", '""')


def sends_no_cookie(response: httpx.Response) -> bool:
    return not response.headers.get_list("set-cookie")


def with_cookie(token: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    return {**(headers or {}), "Cookie": f"{REFRESH_COOKIE}={token}"}


@dataclass(frozen=True)
class Transport:
    """One of the two transports; `issued` reads the refresh token an answer hands out."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def in_cookie(self) -> bool:
        return bool(self.headers)

    def issued(self, response: httpx.Response) -> str:
        assert response.status_code == 200, response.text
        if not self.in_cookie:
            assert sends_no_cookie(response)
            token: str = response.json()["refreshToken"]
            return token
        assert "refreshToken" not in response.json(), "the token never reaches a script"
        morsel = refresh_cookie(response)
        assert int(morsel["max-age"]) > 0
        return morsel.value

    def login(self, api: Api, email: str = "jane@example.com") -> tuple[dict[str, Any], str]:
        """Logs in: the body (access token and the rest), and the refresh token held."""
        body = {"email": email, "password": PASSWORD}
        response = api.client.post("/auth/login", json=body, headers=self.headers)
        return response.json(), self.issued(response)

    def refresh(self, api: Api, refresh_token: str) -> httpx.Response:
        api.client.cookies.clear()
        if self.in_cookie:
            return api.client.post("/auth/refresh", headers=with_cookie(refresh_token, BROWSER))
        return api.client.post("/auth/refresh", json={"refreshToken": refresh_token})

    def logout(
        self, api: Api, access_token: str, refresh_token: str, body: Any = None
    ) -> httpx.Response:
        headers = {**api.bearer(access_token), **self.headers}
        if self.in_cookie:
            headers = with_cookie(refresh_token, headers)
        return api.client.post("/auth/logout", json=body, headers=headers)


TOKENS = Transport("tokens")
COOKIE = Transport("cookie", BROWSER)
BOTH = [TOKENS, COOKIE]
