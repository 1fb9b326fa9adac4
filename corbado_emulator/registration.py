"""The registration ceremony (a new passkey): py_webauthn makes the options and verifies the
answer; the new passkey is kept in the directory.

User verification is required and passkeys are discoverable (resident keys required).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from webauthn import generate_registration_options, verify_registration_response
from webauthn.helpers import (
    options_to_json_dict,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.structs import (
    AttestationFormat,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from corbado_emulator.challenges import CHALLENGE_LIFETIME_S, Ceremony, Challenges
from corbado_emulator.directory import Directory
from corbado_emulator.envelope import ApiError
from corbado_emulator.ids import random_id
from corbado_emulator.records import Credential, Identifier
from corbado_emulator.relying_party import (
    RP_ID,
    RP_NAME,
    UNVERIFIABLE,
    RelyingParty,
    descriptors,
    refused,
)


@dataclass(frozen=True, slots=True)
class Registration:
    """New passkeys for the identifiers of `directory`."""

    directory: Directory
    relying_party: RelyingParty
    challenges: Challenges
    clock: Callable[[], int]

    def options(self, identifier: Identifier, display_name: str) -> dict[str, Any]:
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
            exclude_credentials=descriptors(self.directory.credentials_of(identifier.user_id)),
        )
        self.challenges.remember(
            options.challenge, Ceremony.APPEND, identifier.user_id, identifier.value
        )
        return options_to_json_dict(options)

    def finish(self, answer: dict[str, Any]) -> Credential:
        """Verify the browser's `navigator.credentials.create()` answer; keep the new passkey."""
        try:
            registration = parse_registration_credential_json(answer)
            challenge = parse_client_data_json(registration.response.client_data_json).challenge
        except UNVERIFIABLE as exc:
            raise refused("the answer is not a registration credential") from exc
        pending = self.challenges.take(challenge, Ceremony.APPEND)
        assert pending.user_id is not None
        assert pending.identifier_value is not None
        holder = self.directory.holder(pending.identifier_value)
        if holder is None or holder.user_id != pending.user_id:
            raise ApiError(404, "not_found", "The identifier's user is gone")
        origin = self.relying_party.origin_of(registration.response.client_data_json)
        try:
            verified = verify_registration_response(
                credential=registration,
                expected_challenge=challenge,
                expected_rp_id=RP_ID,
                expected_origin=origin,
                require_user_verification=True,
            )
        except UNVERIFIABLE as exc:
            raise refused(str(exc)) from exc
        if self.directory.credential_by_raw_id(verified.credential_id) is not None:
            raise refused("this passkey is registered already")
        now = self.clock()
        transports = registration.response.transports or []
        return self.directory.keep_credential(
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
