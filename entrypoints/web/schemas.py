"""The wire format: msgspec structs with the interface's camelCase names."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from domain.model import ConnectTokenType

Email = Annotated[str, msgspec.Meta(min_length=1, max_length=320, examples=["jane@example.com"])]
Password = Annotated[
    str, msgspec.Meta(min_length=1, max_length=1024, description="8 to 128 characters")
]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["Jane Doe"])]
OpaqueToken = Annotated[str, msgspec.Meta(min_length=1, max_length=512)]
SignedPasskeyData = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=8192,
        description="The JWT the Corbado Connect login component handed to the frontend.",
    ),
]


class Wire(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Base of every request and response body."""


class RegisterRequest(Wire):
    email: Email
    password: Password
    display_name: DisplayName


class LoginRequest(Wire):
    email: Email
    password: Password


class RefreshRequest(Wire):
    refresh_token: OpaqueToken


class CreateConnectTokenRequest(Wire):
    connect_token_type: ConnectTokenType


class CompleteLoginRequest(Wire):
    signed_passkey_data: SignedPasskeyData


class UserResponse(Wire):
    user_id: str
    email: str
    display_name: str


class TokenPairResponse(Wire):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"


class CompleteLoginResponse(Wire):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"
    success: Literal[True] = True


class ConnectTokenResponse(Wire):
    connect_token: str


class HealthResponse(Wire):
    status: str


class ErrorDetail(Wire):
    field: str
    message: str


class ErrorResponse(Wire):
    error: str
    message: str
    details: list[ErrorDetail] = []


class PasskeyErrorResponse(Wire):
    error: str
    message: str
    success: Literal[False] = False
    details: list[ErrorDetail] = []


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
