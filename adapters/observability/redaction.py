"""Masks anything in a log event that looks like a secret, as the last step before rendering.

Shapes we can recognise anywhere in text: JWTs (access tokens, `signedPasskeyData`), connect
token secrets (`ctk1_`), Corbado API secrets (`corbado1_`), device tokens (`dt1.`), PEM
blocks, refresh tokens (whole chain tokens, and older ones of 43 URL-safe characters), other
long base64 runs, Authorization header values, and `key=value` / `"key": "value"` pairs whose
key names a secret. Values under such keys are masked whole, whatever their shape. Redaction
is the safety net; the code still never logs a secret on purpose.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

MASK = "[REDACTED]"

_SECRET_KEY_WORDS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "signedpasskeydata",
    "privatekey",
    "apikey",
)
# Key names that contain a secret word yet hold no secret.
_HARMLESS_KEYS = frozenset({"tokentype", "connecttokentype", "expiresin"})

# `key=value`, `key: value`, `"key": "value"`, also inside escaped JSON. An unquoted value runs
# to the next separator, spaces included: a password may hold spaces, and over-masking is safe.
_KEY_VALUE = re.compile(
    r"(?i)(?P<key>[A-Za-z0-9_-]*"
    r"(?:password|passwd|secret|token|authorization|cookie|signedpasskeydata|api[_-]?key|private[_-]?key)"
    r"[A-Za-z0-9_-]*)(?P<sep>\\?[\"']?\s*[:=]\s*)"
    r"(?P<value>\\?\"(?:[^\"\\]|\\.)*?\\?\"|'[^']*'|[^,;&}\]\)\r\n]+)"
)
# Before `key=value`, which would mask only a PEM block's first line.
_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|$)", re.DOTALL)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A compact JWS/JWE: the base64url JSON header always starts with "eyJ".
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)*"), MASK),
    (re.compile(r"\b(?:ctk1|corbado1)_[A-Za-z0-9_-]*"), MASK),
    # Device tokens, whole: `dt1.<payload>.<mac>`.
    (re.compile(r"\bdt1\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?"), MASK),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+"), rf"\1\2{MASK}"),
    # Refresh tokens, whole: `<chain id>.<generation>.<secret>` (the chain id is a secret too).
    (
        re.compile(
            r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{22}\.[0-9]{1,13}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"
        ),
        MASK,
    ),
    # secrets.token_urlsafe(32), refresh tokens from before chains: 43 URL-safe characters.
    (re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"), MASK),
)
# Any other long base64 run (a line of a key, credentials) mixing digits, upper and lower case;
# file paths and hex digests lack one of the three and stay readable.
_OPAQUE = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{40,}={0,2}(?![A-Za-z0-9+/_=-])")


# What every pattern above needs to find before it can match: a PEM armour line, a secret key
# word, a JWS header, a secret prefix, an auth scheme, or a 40-character run. Most log values
# (methods, routes, ids, timestamps) have none of them and skip the passes below.
# The words are looked for in case-folded text, which is ten times faster than a
# case-insensitive pattern. casefold() misses two equivalences `(?i)` makes: dotless i (U+0131)
# stays itself, and dotted capital I (U+0130) becomes "i" plus a combining dot.
_SUSPECT_WORD = re.compile(
    r"-----begin|passw|secret|token|authorization|cookie|signedpasskeydata|api[_-]?key"
    r"|private[_-]?key|eyj|ctk1_|corbado1_|dt1\.|bearer|basic"
)
_FOLD_LIKE_IGNORECASE = str.maketrans({"\u0131": "i", "\u0130": "i"})
_RUN_LENGTH = 40
_SUSPECT_RUN = re.compile(rf"[A-Za-z0-9+/_-]{{{_RUN_LENGTH}}}")


def redact_text(text: str) -> str:
    """`text` with every secret-shaped part replaced by `[REDACTED]`."""
    folded = text.translate(_FOLD_LIKE_IGNORECASE).casefold()
    suspect = _SUSPECT_WORD.search(folded) or (
        len(text) >= _RUN_LENGTH and _SUSPECT_RUN.search(text)
    )
    return _redact_all(text) if suspect else text


def _redact_all(text: str) -> str:
    text = _PEM.sub(MASK, text)
    text = _KEY_VALUE.sub(_mask_secret_value, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _OPAQUE.sub(_mask_opaque, text)


def _mask_opaque(match: re.Match[str]) -> str:
    blob = match[0]
    mixed = (
        any(c.isdigit() for c in blob)
        and any(c.isupper() for c in blob)
        and any(c.islower() for c in blob)
    )
    return MASK if mixed else blob


def _mask_secret_value(match: re.Match[str]) -> str:
    if not is_secret_key(match["key"]):
        return match[0]
    return f"{match['key']}{match['sep']}{MASK}"


@functools.lru_cache(maxsize=1024)
def is_secret_key(key: str) -> bool:
    """Whether a field called `key` holds a secret (`refresh_token`, `X-Api-Key`, ...)."""
    folded = key.lower().replace("_", "").replace("-", "")
    if folded in _HARMLESS_KEYS:
        return False
    return any(word in folded for word in _SECRET_KEY_WORDS)


def redact(value: Any) -> Any:
    """A copy of `value` with secrets masked, through mappings, sequences and text."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes | bytearray):
        return redact_text(bytes(value).decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return {
            key: MASK if isinstance(key, str) and is_secret_key(key) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(repr(value))


def redact_event(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> Mapping[str, Any]:
    """A structlog processor: `redact` over the whole event dict."""
    return {key: MASK if is_secret_key(key) else redact(value) for key, value in event_dict.items()}
