"""Rules for the values people type: email normalisation and password length."""

import hashlib
import secrets
import unicodedata
import uuid

from domain.errors import InvalidDisplayName, InvalidEmail, InvalidPassword

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MAX_EMAIL_LENGTH = 254
MAX_DISPLAY_NAME_LENGTH = 100


def normalise_email(raw: str) -> str:
    """Trim and lower-case an address, refusing what cannot be one; the result is the lookup key."""
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if (
        not at
        or not local
        or not domain
        or "@" in domain
        or len(email) > MAX_EMAIL_LENGTH
        or any(ch.isspace() for ch in email)
        or _has_control_or_surrogate(email)
    ):
        raise InvalidEmail("not a valid email address")
    return email


def check_password(password: str) -> None:
    """Enforce NIST SP 800-63B length bounds; no composition rules."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH or any(
        unicodedata.category(ch) == "Cs" for ch in password
    ):
        raise InvalidPassword(
            f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )


def normalise_display_name(raw: str) -> str:
    """Trim a display name, refusing blank or over-long ones."""
    name = raw.strip()
    if not name or len(name) > MAX_DISPLAY_NAME_LENGTH or _has_control_or_surrogate(name):
        raise InvalidDisplayName(f"display name must be 1 to {MAX_DISPLAY_NAME_LENGTH} characters")
    return name


def _has_control_or_surrogate(text: str) -> bool:
    # Control characters and lone surrogates (JSON allows "\ud800") cannot be stored as text.
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def new_refresh_token() -> str:
    """An opaque 256-bit random refresh token."""
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> str:
    """The stored form of a refresh token; SHA-256 suffices for 256-bit random values."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_id() -> str:
    """A random identifier for users and sessions."""
    return str(uuid.uuid4())


def new_token_id() -> str:
    """A random `jti`."""
    return secrets.token_urlsafe(16)
