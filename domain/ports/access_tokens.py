from typing import Protocol

from domain.model import AccessGrant


class AccessTokens(Protocol):
    """Signs access tokens and checks that a presented one is ours and well-formed.

    Time rules (expiry, future `iat`, lifetime) are the domain's: `decode` checks the signature,
    header, issuer, audience and the presence and types of every claim, never the clock.
    """

    def issue(self, grant: AccessGrant) -> str:
        """Sign `grant` as a compact JWT."""
        ...

    def decode(self, token: str) -> AccessGrant:
        """Return the grant inside `token`; raise `InvalidAccessToken` for anything not ours."""
        ...
