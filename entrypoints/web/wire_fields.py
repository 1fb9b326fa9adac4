"""The wire format's field types: the limits msgspec enforces and the OpenAPI document states,
taken from the domain's constants where the domain has the rule."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.credentials import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
)
from domain.model import MAX_SIGNED_PASSKEY_DATA_LENGTH

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
