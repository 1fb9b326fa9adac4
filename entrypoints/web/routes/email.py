"""Email proof and account recovery through mailed links."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, post
from litestar.di import NamedDependency

from domain.usecases.complete_recovery import CompleteRecovery
from domain.usecases.request_recovery import RequestRecovery
from domain.usecases.request_verification import RequestVerification
from domain.usecases.verify_email import VerifyEmail
from entrypoints.background import after_the_answer
from entrypoints.web.auth import AuthenticatedRequest
from entrypoints.web.email_schemas import (
    CompleteRecoveryBody,
    RecoveryBody,
    VerifyEmailBody,
)
from entrypoints.web.openapi_docs import BEARER, ORIGIN_REFUSED, errors
from entrypoints.web.policies import AUTHENTICATED, BROWSER_TRANSPORT, RateLimitClass, rate_limited
from entrypoints.web.routes.sessions import NO_STORE
from entrypoints.web.schemas import TokenPairResponse
from entrypoints.web.session_transport import (
    SETS_REFRESH_COOKIE,
    SessionTransportHeader,
    body_refresh_token,
    session_answer,
)
from entrypoints.web.wire import user_agent

NOT_CONFIGURED = ("email_not_configured",)


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
    tags=["email"],
)
async def request_email_verification(
    request: AuthenticatedRequest, request_verification: NamedDependency[RequestVerification]
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
        400, 413, 429, 503, codes={400: ("invalid_request", "invalid_token"), 503: NOT_CONFIGURED}
    ),
    opt=rate_limited(RateLimitClass.EMAIL_VERIFY),
    tags=["email"],
)
async def verify_email(data: VerifyEmailBody, verify_email: NamedDependency[VerifyEmail]) -> None:
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
        400, 413, 429, 503, codes={400: ("invalid_request", "invalid_email"), 503: NOT_CONFIGURED}
    ),
    opt=rate_limited(RateLimitClass.RECOVERY),
    tags=["email"],
)
async def request_recovery(
    data: RecoveryBody, request_recovery: NamedDependency[RequestRecovery]
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
    tags=["email"],
)
async def complete_recovery(
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
