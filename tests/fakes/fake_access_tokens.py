"""Access tokens that are handles into a dict: only what this fake issued decodes."""

import itertools

from domain.errors import AccessTokenRefusal, InvalidAccessToken
from domain.model import AccessGrant


class FakeAccessTokens:
    """Tokens are `fake-at.<n>`; anything else (or altered) is refused as the real one would."""

    def __init__(self) -> None:
        self._issued: dict[str, AccessGrant] = {}
        self._serial = itertools.count(1)

    def issue(self, grant: AccessGrant) -> str:
        token = f"fake-at.{next(self._serial)}"
        self._issued[token] = grant
        return token

    def decode(self, token: str) -> AccessGrant:
        grant = self._issued.get(token)
        if grant is None:
            # A token of our shape we never issued is a forgery; anything else is garbage.
            forged = token.startswith("fake-at.")
            reason = (
                AccessTokenRefusal.INVALID_SIGNATURE if forged else AccessTokenRefusal.MALFORMED
            )
            raise InvalidAccessToken("not a token this fake issued", reason=reason)
        return grant
