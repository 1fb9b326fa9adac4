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
    ("is not valid", "invalid_signature_or_claims"),
    ("claims must", "malformed_claims"),
    ("amr must", "malformed_claims"),
    ("user no longer exists", "unknown_user"),
)


def refusal_reason(error: InvalidAccessToken) -> str:
    """A short, fixed label for `error`."""
    message = str(error)
    for fragment, reason in _BY_MESSAGE:
        if fragment in message:
            return reason
    return "other"
