"""Why an access token was refused, as a metric label.

`InvalidAccessToken` carries its reason only in its message (the domain keeps one error class
for every refusal), so the reasons are read from the messages the domain and the token adapter
raise; an unknown message counts as `other`.
"""

from __future__ import annotations

from domain.errors import InvalidAccessToken

MISSING = "missing"
_BY_MESSAGE = (
    ("missing bearer token", MISSING),
    ("access token expired", "expired"),
    ("issued in the future", "not_yet_valid"),
    ("lives longer than we issue", "lifetime_too_long"),
    ("authentication after issuance", "bad_auth_time"),
    ("session has ended", "session_ended"),
    ("unknown signing key", "unknown_key"),
    ("wrong algorithm", "wrong_algorithm"),
    ("not an access token", "wrong_type"),
    ("forbidden header", "forbidden_header"),
    ("too long", "too_long"),
    ("not a compact JWS", "malformed"),
    ("header is not valid", "malformed"),
    ("signature is not valid", "invalid_signature"),
    ("claims are not valid", "malformed_claims"),
    ("claims must", "malformed_claims"),
    ("wrong issuer", "wrong_issuer"),
    ("wrong audience", "wrong_audience"),
)


def refusal_reason(error: InvalidAccessToken) -> str:
    """A short, fixed label for `error`."""
    message = str(error)
    for fragment, reason in _BY_MESSAGE:
        if fragment in message:
            return reason
    return "other"
