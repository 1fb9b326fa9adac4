"""Rate limits: reached, answered with 429 and Retry-After, and lifted when the window ends.

The app's clock is a FakeClock, so a test reaches the end of a window by moving it, not by
sleeping. Each test starts at the first second of a window.
"""

import ipaddress
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import Receive, Scope, Send

from entrypoints.configuration.settings import MAX_PASSKEY_PER_MINUTE, RateLimitSettings
from tests.http.conftest import Api, dev_settings, error_of, running_app

WINDOW = 60
LIMITS = RateLimitSettings(
    login_per_ip=3,
    login_per_account=2,
    register_per_ip=2,
    refresh_per_ip=3,
    passkey_per_ip=2,
)
PROXY = "10.0.0.7"


def peer_from_header(app: Litestar) -> Any:
    """Plays the network: the test names the TCP peer in `X-Test-Peer`."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            peer = dict(scope["headers"]).get(b"x-test-peer")
            if peer is not None:
                scope["client"] = (peer.decode(), 40000)
        await app(scope, receive, send)

    return asgi


def start_of_window(api: Api, offset: int = 0) -> None:
    now = api.clock.now()
    api.clock.set(now - now % WINDOW + WINDOW + offset)


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Api]:
    settings = dev_settings(
        tmp_path, rate_limits=LIMITS, trusted_proxies=(ipaddress.ip_network(PROXY),)
    )
    with running_app(settings, wrap=peer_from_header) as running:
        start_of_window(running)
        yield running


def login(api: Api, email: str = "jane@example.com", **headers: str) -> Any:
    body = {"email": email, "password": "wrong password"}
    return api.client.post("/auth/login", json=body, headers=headers)


def test_the_limit_is_reached_and_lifted_when_the_window_ends(limited: Api) -> None:
    limited.clock.advance(15)
    statuses = [login(limited, f"user{n}@example.com").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited.clock.advance(WINDOW - 15 - 1)
    assert login(limited, "user9@example.com").status_code == 429
    limited.clock.advance(1)
    assert login(limited, "user9@example.com").status_code == 401


def test_429_is_json_with_retry_after_until_the_window_ends(limited: Api) -> None:
    limited.clock.advance(15)
    for n in range(3):
        login(limited, f"user{n}@example.com")
    response = login(limited, "user3@example.com")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(WINDOW - 15)
    assert response.headers["Cache-Control"] == "no-store"
    assert error_of(response) == "rate_limited"
    assert response.json()["message"]


def test_completelogin_429_says_success_false(limited: Api) -> None:
    for _ in range(2):
        limited.client.post("/auth/completeLogin", json={"signedPasskeyData": "x.y.z"})
    response = limited.client.post("/auth/completeLogin", json={"signedPasskeyData": "x.y.z"})
    assert response.status_code == 429
    assert response.json()["success"] is False
    assert error_of(response) == "rate_limited"


@pytest.mark.parametrize(
    ("path", "body", "limit"),
    [
        ("/auth/register", {"email": "a@b.c", "password": "short", "displayName": "A"}, 2),
        ("/auth/refresh", {"refreshToken": "not-a-token"}, 3),
        ("/auth/completeLogin", {"signedPasskeyData": "x.y.z"}, 2),
        ("/auth/createConnectToken", {"connectTokenType": "passkey-append"}, 2),
    ],
)
def test_every_limited_route_counts_per_client(
    limited: Api, path: str, body: dict[str, str], limit: int
) -> None:
    statuses = [limited.client.post(path, json=body).status_code for _ in range(limit + 1)]
    assert 429 not in statuses[:limit]
    assert statuses[limit] == 429
    other_client = limited.client.post(path, json=body, headers={"X-Test-Peer": "192.0.2.99"})
    assert other_client.status_code != 429


def test_the_connect_token_limit_applies_before_authentication(limited: Api) -> None:
    body = {"connectTokenType": "passkey-append"}
    statuses = [
        limited.client.post("/auth/createConnectToken", json=body).status_code for _ in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_login_failures_are_limited_per_account_and_client(limited: Api) -> None:
    peer = {"X-Test-Peer": "192.0.2.1"}
    statuses = [login(limited, email, **peer).status_code for email in ["jane@example.com"] * 2]
    assert statuses == [401, 401]
    assert login(limited, " JANE@Example.com", **peer).status_code == 429
    assert login(limited, "jane@example.com", **{"X-Test-Peer": "192.0.2.2"}).status_code == 401


def test_unicode_spellings_of_one_email_share_its_account_limit(limited: Api) -> None:
    peer = {"X-Test-Peer": "192.0.2.1"}
    statuses = [
        login(limited, email, **peer).status_code
        for email in ["jos\u00e9@example.com", "jose\u0301@example.com", "JOS\u00c9@example.com"]
    ]
    assert statuses == [401, 401, 429]


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(limited: Api) -> None:
    for n in range(3):
        spoofed = {"X-Test-Peer": "192.0.2.10", "X-Forwarded-For": f"198.51.100.{n}"}
        assert login(limited, f"u{n}@example.com", **spoofed).status_code == 401
    spoofed = {"X-Test-Peer": "192.0.2.10", "X-Forwarded-For": "198.51.100.200"}
    assert login(limited, "u9@example.com", **spoofed).status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_client_counts_alone(limited: Api) -> None:
    for n in range(3):
        via_proxy = {"X-Test-Peer": PROXY, "X-Forwarded-For": "198.51.100.1"}
        assert login(limited, f"u{n}@example.com", **via_proxy).status_code == 401
    via_proxy = {"X-Test-Peer": PROXY, "X-Forwarded-For": "198.51.100.1"}
    assert login(limited, "u8@example.com", **via_proxy).status_code == 429
    # A client cannot escape by prepending addresses: the proxy appended the one it saw.
    forged = {"X-Test-Peer": PROXY, "X-Forwarded-For": "203.0.113.5, 198.51.100.1"}
    assert login(limited, "u9@example.com", **forged).status_code == 429
    other = {"X-Test-Peer": PROXY, "X-Forwarded-For": "198.51.100.2"}
    assert login(limited, "u9@example.com", **other).status_code == 401


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/.well-known/jwks.json"])
def test_probes_metrics_and_keys_are_never_limited(limited: Api, path: str) -> None:
    assert all(limited.client.get(path).status_code == 200 for _ in range(20))


def test_one_client_stays_below_corbados_own_limit() -> None:
    # Corbado allows 2000 calls per 10 s per IP. Fixed windows let a client spend two windows
    # back to back, on each of the two routes that call Corbado.
    assert 2 * 2 * MAX_PASSKEY_PER_MINUTE < 2000
