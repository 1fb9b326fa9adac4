"""Rules for the values people type: one key per email address, and password length."""

import hashlib
import secrets
import unicodedata
import uuid

from domain.errors import InvalidDisplayName, InvalidEmail, InvalidPassword

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MAX_EMAIL_LENGTH = 254
MAX_DISPLAY_NAME_LENGTH = 100
# No character's canonical decomposition is longer (a test checks the Unicode database).
_MAX_DECOMPOSITION = 4
_A_LABEL_PREFIX = "xn--"


def normalise_email(raw: str) -> str:
    """The one key of an address, for uniqueness, lookup and the Corbado identifier.

    Two spellings are one address when Unicode canonical caseless matching (§3.13) says so:
    their `NFD(casefold(NFD(.)))` are equal. The key is that form trimmed and stored in NFC, so
    NFC and NFD spellings, and any case, are one account; full case folding makes "ß" "ss".
    Domain A-labels (`xn--...`) are decoded to the U-label they encode, so a domain spelled
    either way is one address (decision 0010). Raises `InvalidEmail` for what cannot be an
    address, including one whose key is longer than 254 characters.
    """
    text = raw.strip()
    # Folding shortens a text at most `_MAX_DECOMPOSITION` times, so a longer one cannot fit
    # (only decoding A-labels could, and DNS keeps those to 63 characters a label).
    if len(text) > _MAX_DECOMPOSITION * MAX_EMAIL_LENGTH:
        raise InvalidEmail("not a valid email address")
    local, at, domain = _canonical_caseless(text).partition("@")
    if not at or not local or not domain or "@" in domain:
        raise InvalidEmail("not a valid email address")
    email = f"{local}@{'.'.join(_without_a_label(label) for label in domain.split('.'))}"
    if (
        len(email) > MAX_EMAIL_LENGTH
        or any(ch.isspace() for ch in email)
        or _has_control_or_surrogate(email)
    ):
        raise InvalidEmail("not a valid email address")
    return email


def _canonical_caseless(text: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold())


def _without_a_label(label: str) -> str:
    """The canonical caseless U-label an A-label encodes; any other label unchanged."""
    if not label.startswith(_A_LABEL_PREFIX):
        return label
    encoded = label.removeprefix(_A_LABEL_PREFIX)
    # RFC 3492 Punycode is the same under IDNA 2003 and 2008; `encodings.idna` (IDNA 2003
    # nameprep) is deliberately not used.
    try:
        decoded = encoded.encode("ascii").decode("punycode")
    except UnicodeError as error:
        raise InvalidEmail("not a valid email address") from error
    u_label = _canonical_caseless(decoded)
    # Only the one encoding of a label that is not plain ASCII is an A-label; a label decoding
    # to another "xn--" one would decode again next time, and the key would not be stable.
    if (
        decoded.isascii()
        or decoded.encode("punycode") != encoded.encode("ascii")
        or u_label.startswith(_A_LABEL_PREFIX)
    ):
        raise InvalidEmail("not a valid email address")
    return u_label


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


def refresh_token_hash(token: str) -> str:
    """The stored form of a refresh token or chain id; SHA-256 suffices for values with 128
    bits or more of entropy."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_id() -> str:
    """A random identifier for users and sessions."""
    return str(uuid.uuid4())


def new_token_id() -> str:
    """A random `jti`."""
    return secrets.token_urlsafe(16)
