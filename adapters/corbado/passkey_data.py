"""Reading `signedPasskeyData` without verifying it: Corbado's verifySignedData does that."""

from collections.abc import Mapping

from jose import jwt
from jose.exceptions import JOSEError

from domain.errors import PasskeyLoginFailed
from domain.model import MAX_SIGNED_PASSKEY_DATA_LENGTH, PasskeyAssertion

MAX_WEBAUTHN_ID_LENGTH = 512


class JosePasskeyDataReader:
    """`PasskeyDataReader` on python-jose: the unverified claims of a JWT, or `PasskeyLoginFailed`.

    Requires a non-empty string `webauthnId`, a string `iss` and an integer `exp`; `credential`
    and `sub` are optional strings.
    """

    def read(self, signed_passkey_data: str) -> PasskeyAssertion:
        """What the data claims; `PasskeyLoginFailed` for anything that is not such a JWT."""
        if len(signed_passkey_data) > MAX_SIGNED_PASSKEY_DATA_LENGTH:
            raise PasskeyLoginFailed("passkey data is too long")
        try:
            # Also parses the header and refuses one that is not a JSON object.
            claims = jwt.get_unverified_claims(signed_passkey_data)
        # python-jose lets a few malformed inputs through as non-JOSE errors, e.g. a payload
        # nested deeper than the recursion limit raises RecursionError.
        except (JOSEError, ValueError, TypeError, UnicodeError, RecursionError) as exc:
            raise PasskeyLoginFailed("passkey data is not a JWT") from exc
        return PasskeyAssertion(
            webauthn_id=_webauthn_id(claims),
            issuer=_required_str(claims, "iss"),
            expires_at=_expiry(claims),
            credential_id=_optional_str(claims, "credential"),
            corbado_user_id=_optional_str(claims, "sub"),
        )


def _webauthn_id(claims: Mapping[str, object]) -> str:
    value = _required_str(claims, "webauthnId")
    if not value or len(value) > MAX_WEBAUTHN_ID_LENGTH or not _encodable(value):
        raise PasskeyLoginFailed("passkey data has an unusable webauthnId")
    return value


def _encodable(value: str) -> bool:
    # JSON inside a JWT may escape a lone surrogate, which no UTF-8 text (or identifier) holds.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _expiry(claims: Mapping[str, object]) -> int:
    value = claims.get("exp")
    if not isinstance(value, int) or isinstance(value, bool):
        raise PasskeyLoginFailed("passkey data has no integer exp")
    return value


def _required_str(claims: Mapping[str, object], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str):
        raise PasskeyLoginFailed(f"passkey data has no string {name}")
    return value


def _optional_str(claims: Mapping[str, object], name: str) -> str | None:
    value = claims.get(name)
    if value is not None and not isinstance(value, str):
        raise PasskeyLoginFailed(f"passkey data has a non-string {name}")
    return value
