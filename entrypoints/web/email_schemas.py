"""The wire format of email proof and recovery."""

from __future__ import annotations

from typing import Annotated

import msgspec

from entrypoints.web.wire import Wire, json_body
from entrypoints.web.wire_fields import LoginEmail, NewPassword

EmailToken = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=256,
        examples=["q3m6Kk0nQvT2c1c8l3U5jHn3oW2yZ9bXr4sPq0aLd1E"],
        description=(
            "The token of the mailed link (what `EMAIL_LINK_URL`'s `{token}` became). It works "
            "once, within `EMAIL_TOKEN_TTL_S`; never log it."
        ),
    ),
]


class VerifyEmailRequest(Wire):
    """The token of a verification link."""

    token: EmailToken


class RecoveryRequest(Wire):
    """The address of the account to recover."""

    email: LoginEmail


class CompleteRecoveryRequest(Wire):
    """The token of a recovery link, and the password that replaces the old one."""

    token: EmailToken
    new_password: NewPassword


VerifyEmailBody = Annotated[
    VerifyEmailRequest,
    json_body(VerifyEmailRequest, {"token": "q3m6Kk0nQvT2c1c8l3U5jHn3oW2yZ9bXr4sPq0aLd1E"}),
]
RecoveryBody = Annotated[RecoveryRequest, json_body(RecoveryRequest, {"email": "jane@example.com"})]
CompleteRecoveryBody = Annotated[
    CompleteRecoveryRequest,
    json_body(
        CompleteRecoveryRequest,
        {
            "token": "q3m6Kk0nQvT2c1c8l3U5jHn3oW2yZ9bXr4sPq0aLd1E",
            "newPassword": "a brand new passphrase",
        },
    ),
]
