"""Tag email: proving an address and recovering an account through mailed links, with their
request structs."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import MediaType, Request, Response, post
from litestar.di import NamedDependency

from domain.usecases.complete_recovery import CompleteRecovery
from domain.usecases.request_recovery import RequestRecovery
from domain.usecases.request_verification import RequestVerification
from domain.usecases.verify_email import VerifyEmail
from entrypoints.background import after_the_answer
from entrypoints.web.openapi import BEARER, ORIGIN_REFUSED, errors, json_body
from entrypoints.web.policies import (
    AUTHENTICATED,
    BROWSER_TRANSPORT,
    SETS_REFRESH_COOKIE,
    AuthenticatedRequest,
    RateLimitClass,
    SessionTransportHeader,
    body_refresh_token,
    rate_limited,
    session_answer,
)
from entrypoints.web.sessions import TokenPairResponse
from entrypoints.web.wire import (
    NO_STORE,
    ContainerController,
    LoginEmail,
    NewPassword,
    Wire,
    user_agent,
)

NOT_CONFIGURED = ("email_not_configured",)

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


class EmailController(ContainerController):
    """Mailed links: proving the account's address, and recovering the account."""

    tags = ("email",)
    uses = ("request_verification", "verify_email", "request_recovery", "complete_recovery")

    @post(
        "/email/verification",
        operation_id="requestEmailVerification",
        summary="Mail the caller a link that proves their address",
        status_code=202,
        # The mail is looked up and sent only once this answer has left (decision 0021).
        middleware=[after_the_answer],
        media_type=MediaType.TEXT,  # an empty answer: no body to parse, the same for every address
        response_description="Accepted: the link is mailed shortly (nothing when already proven).",
        responses=errors(401, 429, 503, codes={429: ("rate_limited",), 503: NOT_CONFIGURED}),
        security=BEARER,
        opt={**AUTHENTICATED, **rate_limited(RateLimitClass.EMAIL_VERIFICATION)},
    )
    async def request_email_verification(
        self,
        request: AuthenticatedRequest,
        request_verification: NamedDependency[RequestVerification],
    ) -> None:
        """The link goes to the account's address, from `MAIL_FROM`, to `EMAIL_LINK_URL` with its
        token; hand that token to `verifyEmail`. Mail goes out after the answer, with retries, so a
        slow mail server never holds this up. A repeat within a minute mails nothing more, and an
        address gets at most `RATE_LIMIT_MAIL_ACCOUNT_PER_HOUR` mails an hour (then 429). `me` says
        `emailVerified`; an address already proven is mailed nothing."""
        await request_verification.execute(request.auth)

    @post(
        "/email/verify",
        operation_id="verifyEmail",
        summary="Prove the address with the token of a verification link",
        status_code=204,
        response_description="The account's address is proven.",
        responses=errors(
            400,
            413,
            429,
            503,
            codes={400: ("invalid_request", "invalid_token"), 503: NOT_CONFIGURED},
        ),
        opt=rate_limited(RateLimitClass.EMAIL_VERIFY),
    )
    async def verify_email(
        self, data: VerifyEmailBody, verify_email: NamedDependency[VerifyEmail]
    ) -> None:
        """No login needed: the token is the proof. It works once; 400 `invalid_token` when it is
        unknown, used, expired, or a recovery token."""
        await verify_email.execute(data.token)

    @post(
        "/recovery",
        operation_id="requestRecovery",
        summary="Mail a recovery link to an address, if an account holds it",
        status_code=202,
        # The mail is looked up and sent only once this answer has left (decision 0021).
        middleware=[after_the_answer],
        media_type=MediaType.TEXT,  # an empty answer: no body to parse, the same for every address
        response_description="Accepted, whether or not an account holds the address.",
        responses=errors(
            400,
            413,
            429,
            503,
            codes={400: ("invalid_request", "invalid_email"), 503: NOT_CONFIGURED},
        ),
        opt=rate_limited(RateLimitClass.RECOVERY),
    )
    async def request_recovery(
        self, data: RecoveryBody, request_recovery: NamedDependency[RequestRecovery]
    ) -> None:
        """For a user who forgot the password (or never had a passkey). The answer is the same, in
        status, body and time, whether or not an account holds the address: the account is looked
        up, and the link mailed, after it. Hand the link's token and a new password to
        `completeRecovery`. Mails to one address are limited as for `requestEmailVerification`."""
        await request_recovery.execute(data.email)

    @post(
        "/recovery/complete",
        operation_id="completeRecovery",
        summary="Set a new password with the token of a recovery link",
        status_code=200,
        response_description="A new session; every earlier one has ended.",
        responses=errors(
            400,
            401,
            403,
            413,
            429,
            502,
            503,
            504,
            codes={
                400: ("invalid_request", "invalid_password", "invalid_token"),
                401: ("account_closed",),
                403: ORIGIN_REFUSED,
                503: ("upstream_unavailable", *NOT_CONFIGURED),
            },
        ),
        response_cookies=SETS_REFRESH_COOKIE,
        cache_control=NO_STORE,
        opt={**BROWSER_TRANSPORT, **rate_limited(RateLimitClass.RECOVERY_COMPLETE)},
    )
    async def complete_recovery(
        self,
        data: CompleteRecoveryBody,
        request: Request[Any, Any, Any],
        complete_recovery: NamedDependency[CompleteRecovery],
        session_transport: SessionTransportHeader = None,
    ) -> Response[TokenPairResponse]:
        """Proves the address, replaces the password, ends every earlier session, and deletes at
        Corbado every connect token issued before and every passkey added while the address was
        unproven (what whoever held the address before its owner may have left). Then a new
        session starts (`amr` `["pwd"]`). If Corbado cannot confirm (502/503/504) nothing changed
        here and the token still works: repeat the call. 400 `invalid_token` for a token that is
        unknown, used, expired or a verification token. Takes `Session-Transport: cookie`."""
        pair = await complete_recovery.execute(data.token, data.new_password, user_agent(request))
        body = TokenPairResponse(
            access_token=pair.access_token,
            refresh_token=body_refresh_token(pair, session_transport),
            expires_in=pair.expires_in,
        )
        return session_answer(body, pair, session_transport)
