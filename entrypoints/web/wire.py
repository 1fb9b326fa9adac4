"""The wire format: camelCase msgspec structs that refuse unknown members, the field types
whose limits msgspec enforces and the OpenAPI document states (taken from the domain's
constants where the domain has the rule), the error answer, and how handlers take their inputs:
bodies (`decode_optional_body`, `JsonRequest`), headers (`user_agent`) and the container's
providers (`ContainerController`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar

import msgspec
from dependency_injector import providers
from litestar import Request
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import ClientException, ValidationException
from litestar.types import ControllerRouterHandler

from domain.credentials import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
)
from domain.model import MAX_SIGNED_PASSKEY_DATA_LENGTH
from entrypoints.web.framework_repairs import DefinitionOrder

if TYPE_CHECKING:
    from entrypoints.container import Container

# msgspec follows nesting under the interpreter's recursion limit: JSON nested about a thousand
# levels deep (2 KB of brackets) raises RecursionError, not a DecodeError.
TOO_DEEP = "JSON nested too deeply"


# Every answer that carries a token or a user's data: never kept by a cache.
NO_STORE = CacheControlHeader(no_store=True)


class Wire(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Base of every request and response body."""


W = TypeVar("W", bound=Wire)


def decode_optional_body(raw: bytes, struct: type[W]) -> W | None:
    """An optional body: None when there is none, else `struct` decoded in msgspec's strict mode.

    Litestar decodes bodies in lax mode, where `1` or `"true"` pass for `true`, and takes `null`
    for an absent optional body; the document promises neither, so a handler with an optional
    body decodes the raw body again with this and refuses both (400).
    """
    if not raw:
        return None
    try:
        return msgspec.json.decode(raw, type=struct)
    except RecursionError as exc:
        raise ValidationException(extra=[{"key": "data", "message": TOO_DEEP}]) from exc
    except msgspec.DecodeError as exc:  # ValidationError is one
        message, _, where = str(exc).partition(" - at `$")
        field = where.strip("`.") or "data"
        raise ValidationException(extra=[{"key": field, "message": message}]) from exc


class JsonRequest(Request[Any, Any, Any]):
    """The app's request class: a JSON body that cannot be decoded, nesting too deep for the
    decoder included, is a 400 like any malformed JSON, never an uncaught RecursionError."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError as exc:
            raise ClientException(TOO_DEEP) from exc


def user_agent(request: Request[Any, Any, Any]) -> str | None:
    """The caller's `User-Agent`, recorded on new sessions so users recognise their devices."""
    for name, value in request.scope["headers"]:
        if name.lower() == b"user-agent":
            return value.decode("latin-1")
    return None


# No control characters (C0, DEL, C1); the domain refuses them in stored text. Each pattern is
# linear: neighbouring parts match disjoint characters, so nothing backtracks.
_TEXT = r"[^\x00-\x1f\x7f-\x9f]"
_ADDRESS_PART = r"[^@\s\x00-\x1f\x7f-\x9f]+"

Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=MAX_EMAIL_LENGTH,
        pattern=rf"^\s*{_ADDRESS_PART}@{_ADDRESS_PART}\s*$",
        examples=["jane@example.com"],
        description=(
            "An email address; trimmed, and one account per address in any case or Unicode "
            "spelling (canonical caseless matching)."
        ),
    ),
]
LoginEmail = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=320,
        examples=["jane@example.com"],
        description="The email the account was registered with, in any case or Unicode spelling.",
    ),
]
NewPassword = Annotated[
    str,
    msgspec.Meta(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        examples=["correct horse battery"],
        description=f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters, no other rules.",
    ),
]
Password = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=1024, examples=["correct horse battery"]),
]
DisplayName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_DISPLAY_NAME_LENGTH,
        pattern=rf"^\s*[^\s\x00-\x1f\x7f-\x9f]{_TEXT}*$",
        examples=["Jane Doe"],
        description="Shown to the user; trimmed, not blank, no control characters.",
    ),
]
OpaqueToken = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=512,
        examples=["x6Jq0Vb3nT2c1c8l3U5jHg.42.q3m6Kk0nQvT2c1c8l3U5jHn3oW2yZ9bXr4sPq0aLd1E"],
        description=(
            "The refresh token of the latest pair. Each one advances the session once; the one "
            "just replaced, sent again within `REFRESH_REUSE_GRACE_S` while its successor is "
            "unused, gets that same successor; any other reuse ends the session."
        ),
    ),
]
SignedPasskeyData = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_SIGNED_PASSKEY_DATA_LENGTH,
        examples=["eyJhbGciOiJSUzI1NiIsImtpZCI6InBray0xIn0.eyJ3ZWJhdXRobklkIjoiLi4uIn0.c2ln"],
        description="The JWT the Corbado Connect login component handed to the frontend.",
    ),
]
AccessToken = Annotated[
    str,
    msgspec.Meta(
        description="An ES256 JWT (`typ: at+jwt`); send it as `Authorization: Bearer <token>`."
    ),
]
RefreshToken = Annotated[
    str,
    msgspec.Meta(
        description=(
            "Opaque (do not parse it); trade it at `/auth/refresh` for a new pair. Store it like "
            "a password. Absent with `Session-Transport: cookie`: the `__Host-connect_refresh` "
            "cookie carries it instead."
        )
    ),
]
# Left out of the JSON (not `null`) in the browser transport.
BodyRefreshToken = RefreshToken | msgspec.UnsetType
ExpiresIn = Annotated[
    int, msgspec.Meta(ge=1, description="Seconds until the access token expires.")
]
DeviceToken = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9._-]+$",
        examples=["dt1.3q2-7wAAAAAAAAAAAABnZ3ZkAAAAAA.q3m6Kk0nQvT2c1c8l3U5jHn3oW2yZ9bXr4sPq0aLd1E"],
        description=(
            "Proof that this client logged in to this account before (valid 90 days, renewed by "
            "each login): it keeps the client out of the account-wide cap on failed logins that "
            "strangers can reach. Store it like a refresh token; never log it."
        ),
    ),
]
UserId = Annotated[str, msgspec.Meta(description="Our stable user id (the tokens' `sub`).")]


ErrorCode = Annotated[
    str,
    msgspec.Meta(
        description="A stable, machine-readable code; each response lists the ones it can carry."
    ),
]
ErrorMessage = Annotated[
    str, msgspec.Meta(description="For people; it may change, so do not parse it.")
]


class ErrorDetail(Wire):
    field: Annotated[str, msgspec.Meta(description="The offending member, e.g. `email`.")]
    message: str


class ErrorResponse(Wire):
    error: ErrorCode
    message: ErrorMessage
    details: Annotated[
        list[ErrorDetail], msgspec.Meta(description="On 400: what is wrong with which member.")
    ] = msgspec.field(default_factory=list)


class PasskeyErrorResponse(Wire):
    error: ErrorCode
    message: ErrorMessage
    success: Literal[False] = False
    details: Annotated[
        list[ErrorDetail], msgspec.Meta(description="On 400: what is wrong with which member.")
    ] = msgspec.field(default_factory=list)


class ContainerController(DefinitionOrder):
    """A Litestar controller whose handlers take providers of the app's container as parameters.

    It names the providers its handlers use in `uses`; `with_providers` makes exactly those its
    Litestar dependencies, so a parameter named after any other provider is read from the
    request like any parameter, never injected.
    """

    uses: ClassVar[tuple[str, ...]] = ()


def with_providers(
    container: Container, handlers: Iterable[ControllerRouterHandler]
) -> list[ControllerRouterHandler]:
    """`handlers`, each `ContainerController` among them given its `uses` as dependencies.

    Each provider is asked on every request, so a test's override applies to the next one. A
    handler names one provider where it can: Litestar resolves two or more independent
    dependencies in an anyio task group, which costs more than the rest of a small request.
    """
    return [
        _bound(handler, container)
        if isinstance(handler, type) and issubclass(handler, ContainerController)
        else handler
        for handler in handlers
    ]


def _bound(
    controller: type[ContainerController], container: Container
) -> type[ContainerController]:
    provided = {name: _per_request(container.providers[name]) for name in controller.uses}
    # Litestar's Controller declares `dependencies` as a slot: a plain class attribute only where
    # a controller sets one.
    declared = getattr(controller, "dependencies", None)
    dependencies = {**(declared if isinstance(declared, Mapping) else {}), **provided}
    return type(controller.__name__, (controller,), {"dependencies": dependencies})


def _per_request(provider: providers.Provider[Any]) -> Provide:
    # Providers answer synchronously once the container is started (`started`).
    def resolve() -> Any:
        return provider()

    return Provide(resolve, sync_to_thread=False)
