"""The spec's answer bodies for users, identifiers and passkeys (the Backend API spec's `user`,
`identifier`, `credential`; the Frontend API's `passkey` for the manage list).

Times are UTC in the spec's `yyyy-MM-dd'T'HH:mm:ss`, with a `…Ms` twin in milliseconds. The
emulator knows nothing of the browser or OS a passkey was made on, so `sourceOS` and
`sourceBrowser` are empty, nor of authenticator models: `aaguidDetails` names only the AAGUID
(the stand-in credential of `passkeyLogin` says what it is). The icons are empty.
"""

import base64
import time

from corbado_emulator.records import Credential, Identifier, User

STAND_IN_NAME = "Corbado emulator stand-in (passkeyLogin)"
# Corbado's own `status` of a usable passkey; the emulator keeps no pending ones.
ACTIVE = "active"


def timestamp(epoch_s: int) -> str:
    """`epoch_s` as the spec's `yyyy-MM-dd'T'HH:mm:ss` (UTC)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_s))


def user_json(user: User) -> dict[str, object]:
    """The spec's `user`."""
    body: dict[str, object] = {
        "userID": user.user_id,
        "status": user.status.value,
        "updated": timestamp(user.updated),
        "updatedMs": user.updated * 1000,
    }
    if user.full_name is not None:
        body["fullName"] = user.full_name
    if user.explicit_webauthn_id is not None:
        body["explicitWebauthnID"] = user.explicit_webauthn_id
    return body


def identifier_json(identifier: Identifier) -> dict[str, object]:
    """The spec's `identifier`."""
    return {
        "identifierID": identifier.identifier_id,
        "type": identifier.type.value,
        "value": identifier.value,
        "status": identifier.status.value,
        "userID": identifier.user_id,
    }


def credential_json(credential: Credential) -> dict[str, object]:
    """The Backend API's `credential` (CredentialList)."""
    return {
        **passkey_json(credential),
        "aaguidDetails": {"aaguid": credential.aaguid, **aaguid_details(credential)},
    }


def passkey_json(credential: Credential) -> dict[str, object]:
    """The Frontend API's `passkey` (the passkey list component's): the Backend API's
    `credential` but for the AAGUID inside `aaguidDetails`."""
    return {
        "id": credential.credential_id,
        # The WebAuthn credential id (base64url); the stand-in has none.
        "credentialID": "" if credential.raw_id is None else _base64url(credential.raw_id),
        "attestationType": credential.attestation_type,
        "transport": list(credential.transports),
        "backupEligible": credential.backup_eligible,
        "backupState": credential.backup_state,
        "authenticatorAAGUID": credential.aaguid,
        "sourceOS": "",
        "sourceBrowser": "",
        "lastUsed": timestamp(credential.last_used),
        "created": timestamp(credential.created),
        "status": ACTIVE,
        "aaguidDetails": aaguid_details(credential),
        "createdMs": credential.created * 1000,
        "lastUsedMs": credential.last_used * 1000,
        "tags": [],
    }


def aaguid_details(credential: Credential) -> dict[str, str]:
    """The Frontend API's `aaguidDetails`: the authenticator model's name and icons."""
    name = STAND_IN_NAME if credential.is_stand_in else f"Authenticator {credential.aaguid}"
    return {"name": name, "iconLight": "", "iconDark": ""}


def _base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
