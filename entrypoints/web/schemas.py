"""The wire format: msgspec structs with the interface's camelCase names.

Request structs refuse unknown members (`forbid_unknown_fields`) and carry the same limits the
OpenAPI document states, so a body the document calls valid is never refused as malformed; their
handlers take them through `json_body`, which documents them with checked examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import BodyKwarg

from domain.credentials import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
)
from domain.model import MAX_SIGNED_PASSKEY_DATA_LENGTH, ConnectTokenType

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


class Wire(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Base of every request and response body."""


W = TypeVar("W", bound=Wire)


def json_body(struct: type[Wire], *examples: Mapping[str, Any]) -> BodyKwarg:
    """The body marker of a request struct: JSON, documented with its docstring and `examples`.

    Each example must decode into `struct`, so the document never shows a body we refuse. That
    the struct refuses unknown members is stated by `openapi_docs.finish`.
    """
    for example in examples:
        msgspec.json.decode(msgspec.json.encode(example), type=struct)
    extra: dict[str, Any] = {"examples": [dict(example) for example in examples]}
    if struct.__doc__:
        extra["description"] = struct.__doc__
    return BodyKwarg(media_type=RequestEncodingType.JSON, schema_extra=extra)


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
    except msgspec.DecodeError as exc:  # ValidationError is one
        message, _, where = str(exc).partition(" - at `$")
        field = where.strip("`.") or "data"
        raise ValidationException(extra=[{"key": field, "message": message}]) from exc


class RegisterRequest(Wire):
    """A new account with a password."""

    email: Email
    password: NewPassword
    display_name: DisplayName


class LoginRequest(Wire):
    """Email and password, and the `deviceToken` of this client's last login to the account."""

    email: LoginEmail
    password: Password
    device_token: DeviceToken | None = None


class RefreshRequest(Wire):
    """The refresh token to trade; none with `Session-Transport: cookie` (the cookie is it)."""

    refresh_token: OpaqueToken


class LogoutRequest(Wire):
    """Optional: without a body, or with `allSessions` false, only the current session ends."""

    all_sessions: Annotated[
        bool, msgspec.Meta(description="End every session of the user, on every device.")
    ] = False


class CreateConnectTokenRequest(Wire):
    """Which passkey operation the connect token is for."""

    connect_token_type: Annotated[
        ConnectTokenType,
        msgspec.Meta(
            description=(
                "`passkey-append` for the append component, `passkey-list` and `passkey-delete` "
                "for the passkey list, `passkey-login` for Corbado's login helpers."
            )
        ),
    ]


class CompleteLoginRequest(Wire):
    """What the Corbado Connect login component handed to the frontend."""

    signed_passkey_data: SignedPasskeyData


RegisterBody = Annotated[
    RegisterRequest,
    json_body(
        RegisterRequest,
        {
            "email": "jane@example.com",
            "password": "correct horse battery",
            "displayName": "Jane Doe",
        },
    ),
]
LoginBody = Annotated[
    LoginRequest,
    json_body(LoginRequest, {"email": "jane@example.com", "password": "correct horse battery"}),
]
# Optional, like `LogoutBody`: the browser transport sends none (the cookie is the token).
RefreshBody = Annotated[
    RefreshRequest | None,
    json_body(
        RefreshRequest,
        {"refreshToken": "x6Jq0Vb3nT2c1c8l3U5jHg.42.q3m6Kk0nQvT2c1c8l3U5jHn3oW2yZ9bXr4sPq0aLd1E"},
    ),
]
CreateConnectTokenBody = Annotated[
    CreateConnectTokenRequest,
    json_body(
        CreateConnectTokenRequest,
        {"connectTokenType": "passkey-append"},
        {"connectTokenType": "passkey-list"},
        {"connectTokenType": "passkey-delete"},
    ),
]
# Optional: Litestar documents `X | None` as a required `oneOf` with null; `openapi_docs.finish`
# states an optional object instead, which `decode_optional_body` makes true.
LogoutBody = Annotated[
    LogoutRequest | None, json_body(LogoutRequest, {"allSessions": True}, {"allSessions": False})
]
CompleteLoginBody = Annotated[
    CompleteLoginRequest,
    json_body(
        CompleteLoginRequest,
        {
            "signedPasskeyData": (
                "eyJhbGciOiJSUzI1NiIsImtpZCI6InBray0xIn0.eyJ3ZWJhdXRobklkIjoiLi4uIn0.c2ln"
            )
        },
    ),
]


class UserResponse(Wire):
    user_id: UserId
    email: Annotated[
        str,
        msgspec.Meta(
            description="The stored key: trimmed, case-folded, in NFC, `xn--` labels decoded."
        ),
    ]
    display_name: str


class TokenPairResponse(Wire, kw_only=True):
    access_token: AccessToken
    refresh_token: BodyRefreshToken = msgspec.UNSET
    expires_in: ExpiresIn
    token_type: Literal["Bearer"] = "Bearer"


class LoginResponse(Wire, kw_only=True):
    access_token: AccessToken
    refresh_token: BodyRefreshToken = msgspec.UNSET
    expires_in: ExpiresIn
    device_token: DeviceToken
    token_type: Literal["Bearer"] = "Bearer"


class CompleteLoginResponse(Wire, kw_only=True):
    access_token: AccessToken
    refresh_token: BodyRefreshToken = msgspec.UNSET
    expires_in: ExpiresIn
    token_type: Literal["Bearer"] = "Bearer"
    success: Literal[True] = True


class ConnectTokenResponse(Wire):
    connect_token: Annotated[
        str,
        msgspec.Meta(
            description=(
                "Hand it to the Corbado Connect component that asked (its connectTokenProvider); "
                "it works once and expires soon. Never log or store it."
            )
        ),
    ]


class HealthResponse(Wire):
    status: str


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
    ] = []


class PasskeyErrorResponse(Wire):
    error: ErrorCode
    message: ErrorMessage
    success: Literal[False] = False
    details: Annotated[
        list[ErrorDetail], msgspec.Meta(description="On 400: what is wrong with which member.")
    ] = []


class Jwk(msgspec.Struct, frozen=True):
    """A public EC key as RFC 7517 writes it (member names are not camelCased)."""

    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class JwkSet(msgspec.Struct, frozen=True):
    keys: list[Jwk]


class SessionResponse(Wire):
    session_id: str
    created_at: int
    last_used_at: int
    method: Literal["password", "passkey"]
    current: bool
    user_agent: str | None = None


class SessionListResponse(Wire):
    sessions: list[SessionResponse]


class PasskeyDeletedRequest(Wire):
    """The passkey the Corbado passkey-delete flow removed."""

    credential_id: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=256,
            examples=["cre-13566630052040460774"],
            description="The Corbado credential id the passkey-delete flow removed.",
        ),
    ]


PasskeyDeletedBody = Annotated[
    PasskeyDeletedRequest,
    json_body(PasskeyDeletedRequest, {"credentialId": "cre-13566630052040460774"}),
]


class EndedSessionsResponse(Wire):
    ended_sessions: int


class RevokedSessionResponse(Wire):
    session_id: str
    revoked_at: int
    deny_until: int


class RevocationFeedResponse(Wire):
    revocations: list[RevokedSessionResponse]
    next_cursor: int
