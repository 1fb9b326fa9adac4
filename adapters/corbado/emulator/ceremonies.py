"""The WebAuthn relying party behind the emulator's Frontend API (decision 0011): py_webauthn
makes the options and verifies the answers; this module keeps the challenges and the passkeys.

The relying party id is `localhost` (browsers refuse IP addresses as RP ids). Origins: by
default every `http://localhost[:port]` or `https://localhost[:port]`, since a browser lets any
page on localhost use the RP id `localhost` anyway; a caller may pin exact ones instead. User
verification is required at registration and login, passkeys are discoverable (resident keys
required), and the sign counter must grow whenever the authenticator keeps one.

A challenge is good for one answer within `CHALLENGE_LIFETIME_S`: it is used up when an answer
naming it arrives, whether that answer then verifies or not, so a replayed answer finds nothing.
At most `MAX_PENDING` challenges wait at once; the oldest are dropped first.

Refusals are `ApiError`s in Corbado's envelope: 400 `passkey_refused` (the message says which
check failed), 404 `not_found` for a passkey, user or identifier that is not (or no longer) there.
"""

import enum
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import msgspec
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationFormat,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from adapters.corbado.emulator.directory import Credential, Directory, Identifier
from adapters.corbado.emulator.envelope import ApiError
from adapters.corbado.emulator.ids import random_id

RP_ID = "localhost"
RP_NAME = "Corbado emulator"
CHALLENGE_LIFETIME_S = 300
MAX_PENDING = 10_000
# What py_webauthn and its parsers raise on answers they cannot verify, garbage included.
_UNVERIFIABLE = (
    WebAuthnException,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    RecursionError,
)


class Ceremony(enum.StrEnum):
    """What a challenge was issued for."""

    APPEND = "append"
    LOGIN = "login"


@dataclass(frozen=True, slots=True)
class _Pending:
    ceremony: Ceremony
    expires: int
    # Append: the user and identifier the passkey is for. Login: the identifier's user, or
    # None for a discoverable login, where the passkey itself names its user.
    user_id: str | None
    identifier_value: str | None


@dataclass(frozen=True, slots=True)
class Login:
    """A verified login: the passkey, with its new sign count, and the identifier it is under."""

    credential: Credential
    identifier: Identifier


class RelyingParty:
    """Registration and authentication ceremonies against the passkeys of `directory`."""

    def __init__(
        self,
        directory: Directory,
        clock: Callable[[], int],
        origins: Collection[str] | None = None,
    ) -> None:
        self._directory = directory
        self._clock = clock
        self._origins = None if origins is None else frozenset(origins)
        self._pending: dict[bytes, _Pending] = {}  # by challenge, the oldest first

    # Registration ---------------------------------------------------------------------------

    def append_options(self, identifier: Identifier, display_name: str) -> dict[str, Any]:
        """`PublicKeyCredentialCreationOptions` (JSON form) for a new passkey of `identifier`."""
        options = generate_registration_options(
            rp_id=RP_ID,
            rp_name=RP_NAME,
            user_name=identifier.value,
            user_id=identifier.user_id.encode(),
            user_display_name=display_name or identifier.value,
            timeout=CHALLENGE_LIFETIME_S * 1000,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                require_resident_key=True,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            exclude_credentials=self._descriptors(identifier.user_id),
        )
        self._remember(options.challenge, Ceremony.APPEND, identifier.user_id, identifier.value)
        return options_to_json_dict(options)

    def finish_append(self, answer: dict[str, Any]) -> Credential:
        """Verify the browser's `navigator.credentials.create()` answer; keep the new passkey."""
        try:
            registration = parse_registration_credential_json(answer)
            challenge = parse_client_data_json(registration.response.client_data_json).challenge
        except _UNVERIFIABLE as exc:
            raise _refused("the answer is not a registration credential") from exc
        pending = self._take(challenge, Ceremony.APPEND)
        assert pending.user_id is not None
        assert pending.identifier_value is not None
        holder = self._directory.holder(pending.identifier_value)
        if holder is None or holder.user_id != pending.user_id:
            raise ApiError(404, "not_found", "The identifier's user is gone")
        origin = self._origin(registration.response.client_data_json)
        try:
            verified = verify_registration_response(
                credential=registration,
                expected_challenge=challenge,
                expected_rp_id=RP_ID,
                expected_origin=origin,
                require_user_verification=True,
            )
        except _UNVERIFIABLE as exc:
            raise _refused(str(exc)) from exc
        if self._directory.credential_by_raw_id(verified.credential_id) is not None:
            raise _refused("this passkey is registered already")
        now = self._clock()
        transports = registration.response.transports or []
        return self._directory.keep_credential(
            Credential(
                credential_id=random_id("cre"),
                user_id=pending.user_id,
                identifier_value=pending.identifier_value,
                created=now,
                last_used=now,
                raw_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                aaguid=verified.aaguid,
                # py_webauthn may hand these over as plain strings rather than its enums.
                attestation_type=AttestationFormat(verified.fmt).value,
                transports=tuple(str(AuthenticatorTransport(t).value) for t in transports),
                backup_eligible=verified.credential_device_type
                is CredentialDeviceType.MULTI_DEVICE,
                backup_state=verified.credential_backed_up,
            )
        )

    # Authentication -------------------------------------------------------------------------

    def login_options(self, identifier: Identifier | None) -> dict[str, Any]:
        """`PublicKeyCredentialRequestOptions` (JSON form): for `identifier`'s passkeys, or for
        any passkey (discoverable) when it is None; 404 if the identifier has no passkey."""
        allowed: list[PublicKeyCredentialDescriptor] = []
        if identifier is not None:
            allowed = self._descriptors(identifier.user_id)
            if not allowed:
                raise ApiError(404, "not_found", "No passkey was found for the identifier")
        options = generate_authentication_options(
            rp_id=RP_ID,
            timeout=CHALLENGE_LIFETIME_S * 1000,
            allow_credentials=allowed,
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        user_id = None if identifier is None else identifier.user_id
        self._remember(options.challenge, Ceremony.LOGIN, user_id, None)
        return options_to_json_dict(options)

    def finish_login(self, answer: dict[str, Any]) -> Login:
        """Verify the browser's `navigator.credentials.get()` answer; the passkey's login."""
        try:
            assertion = parse_authentication_credential_json(answer)
            challenge = parse_client_data_json(assertion.response.client_data_json).challenge
        except _UNVERIFIABLE as exc:
            raise _refused("the answer is not an authentication credential") from exc
        pending = self._take(challenge, Ceremony.LOGIN)
        credential = self._directory.credential_by_raw_id(assertion.raw_id)
        if credential is None or credential.public_key is None:
            raise ApiError(404, "not_found", "No passkey was found for this credential")
        if pending.user_id is not None and credential.user_id != pending.user_id:
            raise _refused("the passkey is not one of the identifier's")
        user_handle = assertion.response.user_handle
        if user_handle is not None and user_handle != credential.user_id.encode():
            raise _refused("the user handle is not the passkey's user")
        origin = self._origin(assertion.response.client_data_json)
        try:
            verified = verify_authentication_response(
                credential=assertion,
                expected_challenge=challenge,
                expected_rp_id=RP_ID,
                expected_origin=origin,
                credential_public_key=credential.public_key,
                credential_current_sign_count=credential.sign_count,
                require_user_verification=True,
            )
        except _UNVERIFIABLE as exc:
            raise _refused(str(exc)) from exc
        identifier = self._directory.holder(credential.identifier_value)
        if identifier is None or identifier.user_id != credential.user_id:
            raise ApiError(404, "not_found", "The passkey's identifier is gone")
        used = msgspec.structs.replace(
            credential,
            sign_count=verified.new_sign_count,
            last_used=self._clock(),
            backup_state=verified.credential_backed_up,
        )
        return Login(self._directory.keep_credential(used), identifier)

    # Internals ------------------------------------------------------------------------------

    def _descriptors(self, user_id: str) -> list[PublicKeyCredentialDescriptor]:
        return [
            PublicKeyCredentialDescriptor(
                id=c.raw_id,
                transports=[AuthenticatorTransport(t) for t in c.transports] or None,
            )
            for c in self._directory.credentials_of(user_id)
            if c.raw_id is not None
        ]

    def _remember(
        self,
        challenge: bytes,
        ceremony: Ceremony,
        user_id: str | None,
        identifier_value: str | None,
    ) -> None:
        now = self._clock()
        while self._pending:
            oldest_challenge, oldest = next(iter(self._pending.items()))
            if oldest.expires > now and len(self._pending) < MAX_PENDING:
                break
            del self._pending[oldest_challenge]
        self._pending[_key(challenge)] = _Pending(
            ceremony, now + CHALLENGE_LIFETIME_S, user_id, identifier_value
        )

    def _take(self, challenge: bytes, ceremony: Ceremony) -> _Pending:
        """The pending challenge, used up now; refused if unknown, used, expired or of the
        other ceremony."""
        pending = self._pending.pop(_key(challenge), None)
        if pending is None or pending.ceremony is not ceremony:
            raise _refused("the challenge is unknown, used or of another ceremony")
        if self._clock() >= pending.expires:
            raise _refused("the challenge has expired")
        return pending

    def _origin(self, client_data_json: bytes) -> str:
        """The answer's origin, if this relying party accepts it; refused otherwise."""
        try:
            origin = parse_client_data_json(client_data_json).origin
        except _UNVERIFIABLE as exc:
            raise _refused("clientDataJSON is malformed") from exc
        if not isinstance(origin, str) or not self._accepts(origin):
            raise _refused(f"the origin {str(origin)[:100]!r} is not this relying party's")
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


def _key(challenge: bytes) -> bytes:
    # Challenges are 64 random bytes; a digest keeps the key short and fixed.
    return hashlib.sha256(challenge).digest()


def _refused(why: str) -> ApiError:
    return ApiError(400, "passkey_refused", f"Passkey refused: {why}")
