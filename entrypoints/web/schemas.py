"""The wire format of sessions, passkeys and errors: msgspec structs with the interface's
camelCase names.

Request structs refuse unknown members (`forbid_unknown_fields`) and carry the same limits the
OpenAPI document states, so a body the document calls valid is never refused as malformed; their
handlers take them through `json_body`, which documents them with checked examples.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from domain.model import ConnectTokenType
from entrypoints.web.wire import Wire, json_body
from entrypoints.web.wire_fields import (
    AccessToken,
    BodyRefreshToken,
    DeviceToken,
    DisplayName,
    Email,
    ExpiresIn,
    LoginEmail,
    NewPassword,
    OpaqueToken,
    Password,
    SignedPasskeyData,
    UserId,
)


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
    email_verified: Annotated[
        bool,
        msgspec.Meta(
            description="Whether a mailed link proved the address (`requestEmailVerification`)."
        ),
    ] = False


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
    ] = msgspec.field(default_factory=list)


class PasskeyErrorResponse(Wire):
    error: ErrorCode
    message: ErrorMessage
    success: Literal[False] = False
    details: Annotated[
        list[ErrorDetail], msgspec.Meta(description="On 400: what is wrong with which member.")
    ] = msgspec.field(default_factory=list)


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
