"""Identifiers shaped like Corbado's: a prefix and digits (`req-…`, `ctk-…`, `usr-…`)."""

import hashlib
import secrets
import string

_ALPHANUMERIC = string.ascii_letters + string.digits


def random_id(prefix: str) -> str:
    """`<prefix>-<19 random digits>`."""
    return f"{prefix}-{10**18 + secrets.randbelow(9 * 10**18)}"


def stable_id(prefix: str, seed: str) -> str:
    """`<prefix>-<digits>`, always the same for the same prefix and seed."""
    material = f"{prefix}\0{seed}".encode("utf-8", "surrogatepass")
    return f"{prefix}-{int.from_bytes(hashlib.sha256(material).digest()[:8], 'big')}"


def random_text(length: int) -> str:
    """Random letters and digits, like Corbado's `jti` and `processId`."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))
