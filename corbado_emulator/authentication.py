"""The authentication ceremony (a login with a passkey): py_webauthn makes the options and
verifies the answer; the passkey's new sign count is kept in the directory.

User verification is required, and the sign counter must grow whenever the authenticator keeps
one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from webauthn import generate_authentication_options, verify_authentication_response
from webauthn.helpers import (
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_client_data_json,
)
from webauthn.helpers.structs import PublicKeyCredentialDescriptor, UserVerificationRequirement

from corbado_emulator.challenges import CHALLENGE_LIFETIME_S, Ceremony, Challenges
from corbado_emulator.directory import Directory
from corbado_emulator.envelope import ApiError
from corbado_emulator.records import Credential, Identifier
from corbado_emulator.relying_party import (
    RP_ID,
    UNVERIFIABLE,
    RelyingParty,
    descriptors,
    refused,
)


@dataclass(frozen=True, slots=True)
class Login:
    """A verified login: the passkey, with its new sign count, and the identifier it is under."""

    credential: Credential
    identifier: Identifier


@dataclass(frozen=True, slots=True)
class Authentication:
    """Logins with the passkeys of `directory`."""

    directory: Directory
    relying_party: RelyingParty
    challenges: Challenges
    clock: Callable[[], int]

    def has_passkeys(self, identifier: Identifier) -> bool:
        """Whether `identifier` has a passkey a browser can answer with (not a stand-in)."""
        return bool(descriptors(self.directory.credentials_of(identifier.user_id)))

    def options(self, identifier: Identifier | None) -> dict[str, Any]:
        """`PublicKeyCredentialRequestOptions` (JSON form): for `identifier`'s passkeys, or for
        any passkey (discoverable) when it is None; 404 if the identifier has no passkey."""
        allowed: list[PublicKeyCredentialDescriptor] = []
        if identifier is not None:
            allowed = descriptors(self.directory.credentials_of(identifier.user_id))
            if not allowed:
                raise ApiError(404, "not_found", "No passkey was found for the identifier")
        options = generate_authentication_options(
            rp_id=RP_ID,
            timeout=CHALLENGE_LIFETIME_S * 1000,
            allow_credentials=allowed,
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        user_id = None if identifier is None else identifier.user_id
        self.challenges.remember(options.challenge, Ceremony.LOGIN, user_id, None)
        return options_to_json_dict(options)

    def finish(self, answer: dict[str, Any]) -> Login:
        """Verify the browser's `navigator.credentials.get()` answer; the passkey's login."""
        try:
            assertion = parse_authentication_credential_json(answer)
            challenge = parse_client_data_json(assertion.response.client_data_json).challenge
        except UNVERIFIABLE as exc:
            raise refused("the answer is not an authentication credential") from exc
        pending = self.challenges.take(challenge, Ceremony.LOGIN)
        credential = self.directory.credential_by_raw_id(assertion.raw_id)
        if credential is None or credential.public_key is None:
            raise ApiError(404, "not_found", "No passkey was found for this credential")
        if pending.user_id is not None and credential.user_id != pending.user_id:
            raise refused("the passkey is not one of the identifier's")
        user_handle = assertion.response.user_handle
        if user_handle is not None and user_handle != credential.user_id.encode():
            raise refused("the user handle is not the passkey's user")
        origin = self.relying_party.origin_of(assertion.response.client_data_json)
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
        except UNVERIFIABLE as exc:
            raise refused(str(exc)) from exc
        identifier = self.directory.holder(credential.identifier_value)
        if identifier is None or identifier.user_id != credential.user_id:
            raise ApiError(404, "not_found", "The passkey's identifier is gone")
        used = msgspec.structs.replace(
            credential,
            sign_count=verified.new_sign_count,
            last_used=self.clock(),
            backup_state=verified.credential_backed_up,
        )
        return Login(self.directory.keep_credential(used), identifier)
