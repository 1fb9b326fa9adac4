"""Schemathesis against the real app (SQLite, the emulator): every check, a fixed seed, real tokens.

The document under test is the one the code serves. Each test runs a fresh app on its own SQLite
file; every call to a protected operation carries the access token of a user registered and
logged in just for it (so `logout` or `deleteAccount` in one case never starve the next), and the
revocation feed gets its secret. Rate limits are raised so that fuzzing reaches the handlers.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
from dependency_injector import providers
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case as GenericCase
from schemathesis.python import asgi
from schemathesis.python.asgi import ASGIClient

from adapters.argon2_hasher import Argon2PasswordHasher
from corbado_emulator.dev.asgi import app_with_emulator
from entrypoints.configuration import Settings
from entrypoints.configuration.settings import RateLimitSettings
from entrypoints.container import Container, started
from entrypoints.web.app import create_app
from tests.http.conftest import FAST_ARGON2, PASSWORD, dev_settings

SEED = 20240611
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "base-url": "http://testserver",
        # Every built-in check: server errors, status codes, content types, response schemas and
        # headers, positive data accepted, negative data rejected, ignored auth, unsupported
        # methods and their Allow header, use after free, resource availability.
        "checks": {"enabled": True},
        "generation": {
            "mode": "all",
            "max-examples": 25,
            "deterministic": True,
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
        },
    }
)
Case = GenericCase[Any]
DOCUMENT = create_app(Container(settings=Settings.for_dev({}))).openapi_schema.to_schema()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)

FEED_SECRET = "fuzzing-feed-secret-0123456789abcdef"
# What the stateful phase may chain: a registration's credentials into a login, and every new
# refresh token into another refresh (rotation, and the reuse of a rotated token).
LINKS = {
    ("/auth/register", "post", "201"): {
        "LogIn": {
            "operationId": "login",
            "requestBody": {"email": "$request.body#/email", "password": "$request.body#/password"},
        }
    },
    ("/auth/login", "post", "200"): {
        "Refresh": {
            "operationId": "refresh",
            "requestBody": {"refreshToken": "$response.body#/refreshToken"},
        }
    },
    ("/auth/refresh", "post", "200"): {
        "RefreshAgain": {
            "operationId": "refresh",
            "requestBody": {"refreshToken": "$response.body#/refreshToken"},
        }
    },
}


@dataclass
class Target:
    """The app under test, a client of it, and a source of fresh users on it."""

    app: Litestar
    client: ASGIClient
    users: Iterator[int]

    def headers_for(self, operation: Any) -> dict[str, str] | None:
        """Valid credentials for whatever `operation` requires, else none."""
        requirements = operation.definition.raw.get("security", [])
        schemes = {name for requirement in requirements for name in requirement}
        if "BearerAuth" in schemes:
            return {"Authorization": f"Bearer {self.fresh_access_token()}"}
        if "RevocationFeedSecret" in schemes:
            return {"Authorization": f"Bearer {FEED_SECRET}"}
        return None

    def fresh_access_token(self) -> str:
        email = f"fuzz{next(self.users)}@example.com"
        body = {"email": email, "password": PASSWORD, "displayName": "Fuzz"}
        registered = self.client.post("/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        login = self.client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        token: str = login.json()["accessToken"]
        return token


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    """A fresh app on its own SQLite file, its lifespan running while the test does."""
    many = RateLimitSettings(
        login_per_ip=10**6,
        login_per_account=10**6,
        register_per_ip=10**6,
        refresh_per_ip=10**6,
        passkey_per_ip=10**6,
    )
    settings = dataclasses.replace(
        dev_settings(tmp_path), rate_limits=many, revocation_feed_secret=FEED_SECRET
    )
    asyncio.run(_migrate(settings))
    container = Container(settings=settings)
    container.password_hasher.override(providers.Object(Argon2PasswordHasher(FAST_ARGON2)))
    app = app_with_emulator(container)
    with asgi.get_client(cast(Any, app)) as client:
        yield Target(app=app, client=client, users=itertools.count())


async def _migrate(settings: Settings) -> None:
    async with started(Container(settings=settings)) as container:
        await container.upgrade_schema()


@schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_conforms(case: Case, target: Target) -> None:
    # Operations are collected before this test's app exists: calls reach it through the
    # operation, the probes of some checks (ignored_auth) through the schema.
    case.operation.app = case.operation.schema.app = target.app
    meta = case.meta
    # Headers generated to be wrong (a missing Authorization among them) stay wrong.
    negative_headers = meta is not None and meta.is_negative_at(ParameterLocation.HEADER)
    headers = None if negative_headers else target.headers_for(case.operation)
    response = case.call_and_validate(headers=headers)
    if headers is not None and meta is not None and not meta.generation.mode.is_negative:
        assert response.status_code != 401, "a valid token was refused: " + response.text


def test_flows_conform(target: Target) -> None:
    """The stateful phase: register, log in, refresh, refresh again, all checks on every step."""
    document = copy.deepcopy(DOCUMENT)
    for (path, method, status), links in LINKS.items():
        document["paths"][path][method]["responses"][status]["links"] = links
    linked = schemathesis.openapi.from_dict(document, config=CONFIG)
    linked.app = target.app
    workflow = linked.as_state_machine()

    class Flows(workflow):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            headers = target.headers_for(case.operation)
            return {} if headers is None else {"headers": headers}

    Flows.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
