"""Who the emulator's WebAuthn relying party is (decision 0011), which origins it accepts, and
how its ceremonies refuse an answer.

The relying party id is `localhost` (browsers refuse IP addresses as RP ids). Origins: by
default every `http://localhost[:port]` or `https://localhost[:port]`, since a browser lets any
page on localhost use the RP id `localhost` anyway; a caller may pin exact ones instead.

Refusals are `ApiError`s in Corbado's envelope: 400 `passkey_refused` (the message says which
check failed), 404 `not_found` for a passkey, user or identifier that is not (or no longer) there.
"""

from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from webauthn.helpers import parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

from corbado_emulator.envelope import ApiError
from corbado_emulator.records import Credential

RP_ID = "localhost"
RP_NAME = "Corbado emulator"
# What py_webauthn and its parsers raise on answers they cannot verify, garbage included.
UNVERIFIABLE = (
    WebAuthnException,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    RecursionError,
)


class RelyingParty:
    """The relying party `RP_ID`, answering pages on the origins it accepts."""

    def __init__(self, origins: Collection[str] | None = None) -> None:
        self._origins = None if origins is None else frozenset(origins)

    def origin_of(self, client_data_json: bytes) -> str:
        """The answer's origin, if this relying party accepts it; refused otherwise."""
        try:
            origin = parse_client_data_json(client_data_json).origin
        except UNVERIFIABLE as exc:
            raise refused("clientDataJSON is malformed") from exc
        if not isinstance(origin, str) or not self._accepts(origin):
            raise refused(f"the origin {str(origin)[:100]!r} is not this relying party's")
        return origin

    def _accepts(self, origin: str) -> bool:
        if self._origins is not None:
            return origin in self._origins
        try:
            parts = urlsplit(origin)
            port = parts.port
        except ValueError:
            return False
        canonical = f"{parts.scheme}://{RP_ID}" + ("" if port is None else f":{port}")
        return parts.scheme in ("http", "https") and parts.hostname == RP_ID and origin == canonical


def descriptors(credentials: Iterable[Credential]) -> list[PublicKeyCredentialDescriptor]:
    """The passkeys a ceremony names to the browser; stand-ins have no authenticator id."""
    return [
        PublicKeyCredentialDescriptor(
            id=c.raw_id,
            transports=[AuthenticatorTransport(t) for t in c.transports] or None,
        )
        for c in credentials
        if c.raw_id is not None
    ]


def refused(why: str) -> ApiError:
    """400 `passkey_refused`, saying which check failed."""
    return ApiError(400, "passkey_refused", f"Passkey refused: {why}")
