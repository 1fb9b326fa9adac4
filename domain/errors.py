"""Every error the domain raises; the HTTP layer maps each one to a status in one table.

DomainError
├── InvalidInput                    the caller sent a value the domain refuses
│   ├── InvalidEmail
│   ├── InvalidPassword
│   ├── InvalidDisplayName
│   └── InvalidEmailToken           a mailed link that is unknown, used or expired
├── AuthenticationFailed            who the caller is could not be established
│   ├── InvalidCredentials
│   ├── InvalidAccessToken
│   ├── InvalidRefreshToken
│   ├── RefreshTokenReused
│   ├── PasskeyLoginFailed
│   ├── ReauthenticationRequired
│   ├── FeedAccessDenied
│   └── AccountClosed
├── RegistrationClosed
├── EmailAlreadyRegistered
├── SessionNotFound
├── AccountNotFound
├── RateLimited                     a limit is reached; retry after `retry_after_s`
├── EmailNotConfigured              no mail can be sent here (no SMTP_URL)
├── MailUnavailable                 the mail server did not take a message
├── StoreUnavailable                a store the service needs cannot answer
│   └── DeletionInterrupted
└── CorbadoError                    the Corbado Backend API failed us
    ├── CorbadoRejected
    ├── CorbadoUnavailable
    └── CorbadoTimeout
"""

import enum


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class InvalidInput(DomainError):
    """A value the caller sent breaks a domain rule (not a wire-format problem)."""


class InvalidEmail(InvalidInput):
    """The email address is empty, too long or not shaped like an address."""


class InvalidPassword(InvalidInput):
    """The password is not 8 to 128 characters (NIST SP 800-63B) of encodable text."""


class InvalidDisplayName(InvalidInput):
    """The display name is blank, longer than 100 characters or holds control characters."""


class InvalidEmailToken(InvalidInput):
    """The token of a mailed link is unknown, already used, expired or of another purpose."""


class AuthenticationFailed(DomainError):
    """The caller could not be authenticated; the subclass says which credential failed."""


class InvalidCredentials(AuthenticationFailed):
    """Unknown email or wrong password: deliberately indistinguishable to the caller."""


class AccessTokenRefusal(enum.StrEnum):
    """Why an access token was refused; the values are the labels of the refusal metric."""

    MISSING = "missing"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    LIFETIME_TOO_LONG = "lifetime_too_long"
    BAD_AUTH_TIME = "bad_auth_time"
    SESSION_ENDED = "session_ended"
    UNKNOWN_KEY = "unknown_key"
    WRONG_ALGORITHM = "wrong_algorithm"
    WRONG_TYPE = "wrong_type"
    FORBIDDEN_HEADER = "forbidden_header"
    TOO_LONG = "too_long"
    MALFORMED = "malformed"
    INVALID_SIGNATURE = "invalid_signature"
    MALFORMED_CLAIMS = "malformed_claims"
    WRONG_ISSUER = "wrong_issuer"
    WRONG_AUDIENCE = "wrong_audience"


class InvalidAccessToken(AuthenticationFailed):
    """The access token is malformed, forged, expired, not ours, or its session has ended.

    `reason` says which, for metrics and logs; the caller is only ever told "invalid token".
    """

    def __init__(self, message: str, *, reason: AccessTokenRefusal) -> None:
        super().__init__(message)
        self.reason = reason


class InvalidRefreshToken(AuthenticationFailed):
    """The refresh token is unknown, or its session is revoked, idle or past its lifetime."""


class RefreshTokenReused(AuthenticationFailed):
    """A rotated refresh token came back after the grace window: the session is now revoked."""


class PasskeyLoginFailed(AuthenticationFailed):
    """Corbado did not confirm the passkey login, or it belongs to no user of ours."""


class ReauthenticationRequired(AuthenticationFailed):
    """A sensitive action needs a login more recent than SENSITIVE_ACTION_MAX_AGE_S."""


class FeedAccessDenied(AuthenticationFailed):
    """The revocation feed was asked without its shared secret, or the feed is switched off."""


class AccountClosed(AuthenticationFailed):
    """The account is being deleted, or was deleted while the request ran: nothing is granted."""


class RegistrationClosed(DomainError):
    """Self-service registration is switched off on this deployment."""


class EmailAlreadyRegistered(DomainError):
    """Another user already has this (normalised) email address."""


class SessionNotFound(DomainError):
    """No live session with this id belongs to the caller (another user's id looks the same)."""


class AccountNotFound(DomainError):
    """No account has this email address (an operator's `users delete`)."""


class RateLimited(DomainError):
    """A limit is reached; the client may try again in `retry_after_s` seconds.

    `limit` names the limit (a `protection.rate_limits.Limit`'s name) for metrics and logs.
    """

    def __init__(self, limit: str, retry_after_s: int) -> None:
        super().__init__(f"rate limit {limit} reached")
        self.limit = limit
        self.retry_after_s = retry_after_s


class EmailNotConfigured(DomainError):
    """This deployment sends no mail (no SMTP_URL): no address can be proven or recovered."""


class MailUnavailable(DomainError):
    """The mail server could not be reached, refused the message, or did not answer in time.

    Mail is sent in the background, so this never reaches a caller: it is retried and logged.
    """


class StoreUnavailable(DomainError):
    """A store the service needs (the shared deny-list, say) cannot answer right now."""


class DeletionInterrupted(StoreUnavailable):
    """An account deletion outlived its mark, so it stopped before removing anything locally."""


class CorbadoError(DomainError):
    """The Corbado Backend API could not do what we asked."""


class CorbadoRejected(CorbadoError):
    """Corbado refused the request itself: our credentials or a request we built are wrong."""


class CorbadoUnavailable(CorbadoError):
    """Corbado could not be reached, failed (5xx, rate limit) or answered something unusable."""

    def __init__(self, message: str, *, retry_later: bool = False) -> None:
        super().__init__(message)
        self.retry_later = retry_later


class CorbadoTimeout(CorbadoError):
    """Corbado did not answer within CORBADO_TIMEOUT_S; the call is never repeated."""
