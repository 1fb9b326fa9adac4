"""Access tokens that are handles into a dict: only what this fake issued decodes."""

import itertools

from domain.errors import InvalidAccessToken
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
            raise InvalidAccessToken("not a token this fake issued")
        return grant
