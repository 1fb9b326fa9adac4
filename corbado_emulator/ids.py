"""Identifiers shaped like Corbado's: a prefix and digits (`usr-…`, `ide-…`, …)."""

import secrets
import string

_ALPHANUMERIC = string.ascii_letters + string.digits


def random_id(prefix: str) -> str:
    """`<prefix>-<19 random digits>`."""
    return f"{prefix}-{10**18 + secrets.randbelow(9 * 10**18)}"


def random_text(length: int) -> str:
    """Random letters and digits, like Corbado's `jti` and `processId`."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))
